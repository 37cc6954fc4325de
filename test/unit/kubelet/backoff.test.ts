import { describe, expect, it } from 'vitest';
import { Backoff, formatDuration } from '../../../main/kubelet/backoff';

describe('Backoff (CrashLoopBackOff)', () => {
  it('doubles from 10 s up to 5 min', () => {
    const b = new Backoff();
    const delays = Array.from({ length: 8 }, () => b.next('c'));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it.each([
    { name: 'no entry: no wait', starts: 0, ranMs: 1000, want: undefined },
    { name: 'after one restart: 10 s after the exit', starts: 1, ranMs: 1000, want: 10_000 },
    { name: 'after two restarts: 20 s', starts: 2, ranMs: 1000, want: 20_000 },
    { name: 'a 10 minute run forgets it', starts: 3, ranMs: 600_000, want: undefined },
  ])('$name', ({ starts, ranMs, want }) => {
    const b = new Backoff();
    for (let i = 0; i < starts; i++) b.next('c');
    const finished = 1_000_000_000;
    const until = b.until('c', finished, finished - ranMs);
    expect(until === undefined ? undefined : until - finished).toBe(want);
  });
});

describe('formatDuration (Go style, as kubelet messages)', () => {
  it.each([
    [350, '350ms'],
    [1200, '1.2s'],
    [10_000, '10s'],
    [80_000, '1m20s'],
    [300_000, '5m0s'],
  ])('%i ms -> %s', (ms, s) => expect(formatDuration(ms)).toBe(s));
});
