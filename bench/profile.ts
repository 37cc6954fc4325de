// CPU profile of a stretch of this process (node:inspector's Profiler, the same sampler as --cpu-prof), folded
// into the top functions by self time: what a bench prints beside its figures to show where the time goes.
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';

export interface ProfileEntry {
  /** function name and where it is (file:line, relative to the repo) */
  fn: string;
  selfMs: number;
  /** share of all samples, in % */
  share: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const root = relative('/', process.cwd());

function where(url: string, line: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '').replace(`/${root}/`, '');
  return `${path}:${line + 1}`;
}

/** Runs fn under the sampling profiler and returns its result with the top `top` functions by self time. */
export async function profiled<T>(fn: () => Promise<T>, top = 12): Promise<{ result: T; entries: ProfileEntry[] }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[] } };
    const total = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
    const msPerSample = (profile.endTime - profile.startTime) / 1000 / total;
    const byFn = new Map<string, number>();
    for (const n of profile.nodes) {
      if (!n.hitCount) continue;
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${where(f.url, f.lineNumber)}`.trim();
      byFn.set(key, (byFn.get(key) ?? 0) + n.hitCount);
    }
    const entries = [...byFn.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, hits]) => ({ fn, selfMs: hits * msPerSample, share: (hits / total) * 100 }));
    return { result, entries };
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}

/** The entries as lines for the bench output. */
export function formatProfile(title: string, entries: ProfileEntry[]): string[] {
  return [
    `profile: ${title} (top ${entries.length} by self time)`,
    ...entries.map((e) => `  ${e.share.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.fn}`),
  ];
}
