// Chunks -> lines (a chunk may end mid-line), search matches and highlighting. Pure.
export class LineBuffer {
  lines: string[] = [];
  version = 0;
  /** lines dropped from the front to stay bounded, so line numbers stay those of the stream */
  dropped = 0;
  private partial = '';
  /** Bounded so an endless follow can't eat the renderer's memory. */
  constructor(private readonly max = 200_000) {}

  push(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(p.endsWith('\r') ? p.slice(0, -1) : p);
    // trim in steps of a tenth so a long follow does not shift the whole array on every chunk
    if (this.lines.length > this.max) {
      const cut = Math.min(this.lines.length - this.max + Math.floor(this.max / 10), this.lines.length - 1);
      this.lines.splice(0, cut);
      this.dropped += cut;
    }
    this.version++;
  }

  /** The stream ended: a last line without newline is still a line. */
  flush(): void {
    if (this.partial) this.lines.push(this.partial);
    this.partial = '';
    this.version++;
  }

  clear(): void {
    this.lines.length = 0;
    this.partial = '';
    this.dropped = 0;
    this.version++;
  }

  /** All lines as a file's text (what download saves). */
  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }
}

/** Indexes of the lines containing q (case-insensitive), in order. */
export function findMatches(lines: readonly string[], q: string): number[] {
  const out: number[] = [];
  if (!q) return out;
  const needle = q.toLowerCase();
  for (let i = 0; i < lines.length; i++) if (lines[i].toLowerCase().includes(needle)) out.push(i);
  return out;
}

/** Which match to show next: the position in matches after (dir 1) or before (dir -1) the current one, wrapping around. */
export function stepMatch(count: number, current: number, dir: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return dir === 1 ? 0 : count - 1;
  return (current + dir + count) % count;
}

export function splitMatches(line: string, q: string): { text: string; hit: boolean }[] {
  if (!q) return [{ text: line, hit: false }];
  const out: { text: string; hit: boolean }[] = [];
  const lower = line.toLowerCase();
  const needle = q.toLowerCase();
  let i = 0;
  for (;;) {
    const j = lower.indexOf(needle, i);
    if (j < 0) break;
    if (j > i) out.push({ text: line.slice(i, j), hit: false });
    out.push({ text: line.slice(j, j + needle.length), hit: true });
    i = j + needle.length;
  }
  if (i < line.length) out.push({ text: line.slice(i), hit: false });
  return out.length ? out : [{ text: line, hit: false }];
}
