// The work queue as controllers and kubelets use it: de-duplication, backoff, and no starving the event loop.
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../main/client/workqueue';

describe('WorkQueue.run', () => {
  it('a sync that requeues its key at once still lets macrotasks (watch events, timers) run', async () => {
    const q = new WorkQueue();
    let syncs = 0;
    let watchDelivered = false;
    // stands for a watch event: the store delivers them from setImmediate
    setImmediate(() => {
      watchDelivered = true;
    });
    q.add('default/web');
    await q.run(async (key) => {
      syncs++;
      // a Conflict against a stale cache, retried at once: only the watch's newer object would end it
      // (bounded, so a starving queue fails this test instead of hanging the runner)
      if (!watchDelivered && syncs < 100_000) q.add(key);
      else q.shutDown();
    });
    expect(watchDelivered).toBe(true);
    expect(syncs).toBeLessThan(10);
  });

  it('processes each added key once per add, de-duplicating keys added before processing', async () => {
    const q = new WorkQueue();
    const seen: string[] = [];
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    const run = q.run(async (key) => {
      seen.push(key);
      if (seen.length === 3) q.shutDown();
    });
    await run;
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});
