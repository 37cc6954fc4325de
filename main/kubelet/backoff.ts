// Restart and image-pull back-off as upstream's flowcontrol.Backoff: 10 s doubling to 5 min per key,
// forgotten once the container has run for 10 minutes.
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** a run at least this long resets the back-off */
  resetAfterMs?: number;
}

interface Entry {
  delayMs: number;
}

export class Backoff {
  private entries = new Map<string, Entry>();
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
    this.resetAfterMs = opts.resetAfterMs ?? 600_000;
  }

  /** Current delay for a key, 0 if it has none. */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /**
   * When a container that finished at `finishedAt` (ran since `startedAt`) may be restarted.
   * A long enough run forgets the back-off.
   */
  until(key: string, finishedAt: number, startedAt?: number): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (startedAt !== undefined && finishedAt - startedAt >= this.resetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return finishedAt + e.delayMs;
  }

  /** Record a (re)start: the next one waits longer. */
  next(key: string): number {
    const e = this.entries.get(key);
    const delayMs = e ? Math.min(e.delayMs * 2, this.maxMs) : this.initialMs;
    this.entries.set(key, { delayMs });
    return delayMs;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drop every key with this prefix (a pod's containers once the pod is gone). */
  resetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Go's time.Duration formatting as kubelet messages show it: `10s`, `1m20s`, `5m0s`, `1.2s`, `350ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  if (totalS < 60) return `${trimZeros(totalS.toFixed(3))}s`;
  const m = Math.floor(totalS / 60);
  const s = totalS - m * 60;
  if (m < 60) return `${m}m${trimZeros(s.toFixed(3))}s`;
  const h = Math.floor(m / 60);
  return `${h}h${m - h * 60}m${trimZeros(s.toFixed(3))}s`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
