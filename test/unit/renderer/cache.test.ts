import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../renderer/stores/cache';

/** A fake frame clock: callbacks wait until frame() runs them. */
function fakeFrames() {
  let queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => void queue.push(cb),
    frame() {
      const q = queue;
      queue = [];
      q.forEach((cb) => cb());
    },
  };
}

describe('coalesce (one view update per frame)', () => {
  it.each([
    ['no request, no run', [0], 0],
    ['many requests in a frame run once', [50], 1],
    ['one run per frame with requests', [3, 0, 2], 2],
  ] as const)('%s', (_n, perFrame, runs) => {
    const frames = fakeFrames();
    let n = 0;
    const request = coalesce(() => n++, frames.schedule);
    for (const k of perFrame) {
      for (let i = 0; i < k; i++) request();
      frames.frame();
    }
    expect(n).toBe(runs);
  });

  it('a request made while running is served in the next frame', () => {
    const frames = fakeFrames();
    let n = 0;
    const request: () => void = coalesce(() => {
      n++;
      if (n === 1) request();
    }, frames.schedule);
    request();
    frames.frame();
    expect(n).toBe(1);
    frames.frame();
    expect(n).toBe(2);
  });
});
