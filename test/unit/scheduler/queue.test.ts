// The scheduling queue with a fake clock: backoff, priority, waiting for relevant events, flushes.
import { describe, expect, it } from 'vitest';
import { SchedulingQueue, type QueuedPodInfo } from '../../../main/scheduler/queue';
import { pod } from './builders';

function setup() {
  let t = 1_000_000;
  const q = new SchedulingQueue({ now: () => t });
  const events: Record<string, readonly string[]> = { NodeAffinity: ['NodeAdd', 'NodeUpdate'], NodeResourcesFit: ['AssignedPodDelete', 'NodeAdd'] };
  return { q, advance: (ms: number) => (t += ms), interested: (p: string) => events[p] };
}

async function popNow(q: SchedulingQueue): Promise<QueuedPodInfo | undefined> {
  return Promise.race([q.pop(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 10))]);
}

describe('SchedulingQueue', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 10_000],
    [12, 10_000],
  ])('backoff after attempt %i is %i ms', (attempts, want) => {
    const { q } = setup();
    expect(q.backoffDuration({ attempts } as QueuedPodInfo)).toBe(want);
  });

  it('pops higher priority first, then oldest', async () => {
    const { q, advance } = setup();
    q.add(pod('old'));
    advance(1);
    q.add(pod('newer'));
    advance(1);
    q.add(pod('urgent', { priority: 1000 }));
    const order = [(await q.pop())!.key, (await q.pop())!.key, (await q.pop())!.key];
    expect(order).toEqual(['default/urgent', 'default/old', 'default/newer']);
  });

  it('an unschedulable pod waits for an event its rejecting plugin cares about, then backs off', async () => {
    const { q, advance, interested } = setup();
    q.add(pod('p'));
    const qp = (await q.pop())!;
    q.addUnschedulable(qp, new Set(['NodeAffinity']));
    expect(q.counts().unschedulable).toBe(1);

    advance(100);
    expect(q.moveAllToActiveOrBackoff('AssignedPodDelete', interested)).toBe(0);
    expect(q.counts().unschedulable).toBe(1);

    expect(q.moveAllToActiveOrBackoff('NodeUpdate', interested)).toBe(1);
    expect(q.counts().backoff).toBe(1); // still within its 1 s backoff
    q.flushBackoffCompleted();
    expect(q.counts()).toMatchObject({ active: 0, backoff: 1 });

    advance(1000);
    q.flushBackoffCompleted();
    const again = await popNow(q);
    expect(again?.key).toBe('default/p');
    expect(again?.attempts).toBe(2);
  });

  it('goes straight back to active when its backoff already expired', () => {
    const { q, advance, interested } = setup();
    q.add(pod('p'));
    return q.pop().then((qp) => {
      q.addUnschedulable(qp!, new Set(['NodeResourcesFit']));
      advance(5000);
      q.moveAllToActiveOrBackoff('NodeAdd', interested);
      expect(q.counts().active).toBe(1);
    });
  });

  it('an event during the attempt sends the failed pod to backoff, not to wait', async () => {
    const { q, interested } = setup();
    q.add(pod('p'));
    const qp = (await q.pop())!;
    q.moveAllToActiveOrBackoff('NodeAdd', interested);
    q.addUnschedulable(qp, new Set(['NodeAffinity']));
    expect(q.counts()).toMatchObject({ backoff: 1, unschedulable: 0 });
  });

  it('unschedulable pods are retried after 5 minutes even without events', async () => {
    const { q, advance } = setup();
    q.add(pod('p'));
    q.addUnschedulable((await q.pop())!, new Set(['NodeAffinity']));
    advance(299_000);
    q.flushUnschedulableLeftover();
    expect(q.counts().unschedulable).toBe(1);
    advance(1_000);
    q.flushUnschedulableLeftover();
    expect(q.counts().active).toBe(1);
  });

  it('a spec change retries an unschedulable pod; a status change does not', async () => {
    const { q, advance } = setup();
    const p = pod('p', { nodeSelector: { disktype: 'ssd' } });
    q.add(p);
    q.addUnschedulable((await q.pop())!, new Set(['NodeAffinity']));
    advance(2000);
    const statusOnly = { ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } };
    q.update(p, statusOnly);
    expect(q.counts().unschedulable).toBe(1);
    q.update(statusOnly, { ...statusOnly, spec: { ...p.spec!, nodeSelector: {} } });
    expect(q.counts().active).toBe(1);
  });

  it('a deleted pod is never popped', async () => {
    const { q } = setup();
    const p = pod('p');
    q.add(p);
    q.delete(p);
    expect(await popNow(q)).toBeUndefined();
  });
});
