// The Scheduler against a FakeClient: what a user would see through the API (nodeName, events,
// PodScheduled condition) and in the pod's trace.
import { afterEach, describe, expect, it } from 'vitest';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { StatusError } from '../../../main/api/errors';
import { R } from '../../../main/client/types';
import { setLogSink } from '../../../main/log';
import { Scheduler } from '../../../main/scheduler';
import type { SchedulingDetails } from '../../../main/scheduler/types';
import type { PodRef, TraceStep, Tracer } from '../../../main/trace/types';
import { FakeClient } from './fake-client';
import { node, pod } from './builders';

setLogSink(() => {});

class RecordingTracer implements Tracer {
  steps = new Map<string, TraceStep[]>();
  record(p: PodRef, step: TraceStep): void {
    const k = `${p.namespace}/${p.name}`;
    this.steps.set(k, [...(this.steps.get(k) ?? []), step]);
  }
  of(name: string): TraceStep[] {
    return this.steps.get(`default/${name}`) ?? [];
  }
}

async function until<T>(fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${fn.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let running: Scheduler[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
});

async function start(client: FakeClient, opts: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}) {
  const tracer = new RecordingTracer();
  const s = new Scheduler({ client, tracer, queue: { initialBackoffMs: 100, maxBackoffMs: 400, flushIntervalMs: 20 }, ...opts });
  running.push(s);
  await s.start();
  return { s, tracer };
}

const nodeOf = (c: FakeClient, name: string) => c.getObject<Pod & KubeObject>(R.pods, name, 'default')?.spec?.nodeName;
const events = (c: FakeClient, name: string) =>
  c
    .listObjects<Event & KubeObject>(R.events)
    .filter((e) => e.involvedObject.name === name)
    .map((e) => `${e.reason}: ${e.message}`);

describe('Scheduler', () => {
  it('binds a pending pod, reports Scheduled and traces every step in order', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('node-1', { labels: { disktype: 'ssd' } }) as KubeObject);
    c.put(R.nodes, node('node-2') as KubeObject);
    const { tracer } = await start(c);
    c.put(R.pods, pod('nginx-pod', { cpu: '100m', nodeSelector: { disktype: 'ssd' } }) as KubeObject);

    await until(() => nodeOf(c, 'nginx-pod') === 'node-1');
    expect(c.writes).toContain('create pods/binding default/nginx-pod');
    await until(() => events(c, 'nginx-pod').length > 0);
    expect(events(c, 'nginx-pod')).toEqual(['Scheduled: Successfully assigned default/nginx-pod to node-1']);

    const steps = await until(() => (tracer.of('nginx-pod').some((s) => s.action === 'bind') ? tracer.of('nginx-pod') : undefined));
    expect(steps.map((s) => s.action)).toEqual(['enqueue', 'queue', 'filter', 'score', 'select-node', 'bind']);
    expect(steps.every((s) => s.component === 'scheduler')).toBe(true);
    const times = steps.flatMap((s) => [s.start, s.end ?? s.start]).map((t) => Date.parse(t));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const filter = steps[2].details as unknown as SchedulingDetails;
    expect(filter.kind).toBe('SchedulingDetails');
    const n2 = filter.nodes.find((r) => r.node === 'node-2')!;
    expect(n2).toMatchObject({
      feasible: false,
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
      explain: "didn't match the node selector disktype=ssd",
    });
    expect(steps[5]).toMatchObject({ outcome: 'success', message: expect.stringContaining('bound default/nginx-pod to node-1') });
  });

  it('keeps a pod Pending with the reason, then schedules it when a node gets the label', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('node-1') as KubeObject);
    c.put(R.nodes, node('node-2', { cpu: '1', labels: { disktype: 'ssd' } }) as KubeObject);
    const { tracer, s } = await start(c);
    c.put(R.pods, pod('nginx-pod', { cpu: '2', nodeSelector: { disktype: 'ssd' } }) as KubeObject);

    const msg =
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.';
    await until(() => events(c, 'nginx-pod').length > 0);
    expect(events(c, 'nginx-pod')).toEqual([`FailedScheduling: ${msg}`]);
    const cond = await until(() => c.getObject<Pod & KubeObject>(R.pods, 'nginx-pod')?.status?.conditions?.find((x) => x.type === 'PodScheduled'));
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message: msg });
    const failed = tracer.of('nginx-pod').find((x) => x.action === 'filter')!;
    expect(failed).toMatchObject({ outcome: 'failure', message: msg });
    const wait = await until(() => tracer.of('nginx-pod').find((x) => x.action === 'wait'));
    expect(wait.message).toMatch(/^waits in unschedulablePods until a node is added, or a node changes/);
    await until(() => s.status().queue.unschedulable === 1);

    // Waits for a relevant event instead of spinning: the status write above did not retry it.
    expect(tracer.of('nginx-pod').filter((x) => x.action === 'filter')).toHaveLength(1);

    const n1 = c.getObject<KubeObject>(R.nodes, 'node-1')!;
    (n1.metadata.labels as Record<string, string>).disktype = 'ssd';
    c.put(R.nodes, n1);
    await until(() => nodeOf(c, 'nginx-pod') === 'node-1');
    const queued = tracer.of('nginx-pod').filter((x) => x.action === 'queue');
    expect(queued[1].message).toMatch(/before retry 1/);
  });

  it('assumes a pod on its node (Reserve), so the next pod sees its resources before the watch catches up', async () => {
    const c = new FakeClient();
    c.eventDelayMs = 0;
    c.put(R.nodes, node('a', { cpu: '1200m' }) as KubeObject); // preferred by both pods unless p1 is assumed there
    c.put(R.nodes, node('b', { cpu: '1' }) as KubeObject);
    const { s } = await start(c);
    s.pause();
    c.eventDelayMs = 300; // binding events come back late
    c.put(R.pods, pod('p1', { cpu: '800m' }) as KubeObject);
    c.put(R.pods, pod('p2', { cpu: '800m' }) as KubeObject);
    await until(() => s.status().queue.active === 2);
    s.resume();
    await until(() => nodeOf(c, 'p1') && nodeOf(c, 'p2'));
    expect(new Set([nodeOf(c, 'p1'), nodeOf(c, 'p2')])).toEqual(new Set(['a', 'b']));
  });

  it('step mode: a paused scheduler leaves the pod Pending until resumed', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('node-1') as KubeObject);
    const { s } = await start(c);
    s.pause();
    c.put(R.pods, pod('waiting') as KubeObject);
    await until(() => s.status().queue.active === 1);
    expect(s.status().paused).toBe(true);
    expect(nodeOf(c, 'waiting')).toBeUndefined();
    s.resume();
    await until(() => nodeOf(c, 'waiting') === 'node-1');
  });

  it('an Insufficient cpu pod waits until a pod on the node is deleted, then fits', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('only', { cpu: '1' }) as KubeObject);
    const { s } = await start(c);
    c.put(R.pods, pod('hog', { cpu: '800m' }) as KubeObject);
    await until(() => nodeOf(c, 'hog') === 'only');
    c.put(R.pods, pod('next', { cpu: '500m' }) as KubeObject);
    await until(() => events(c, 'next').some((e) => e.startsWith('FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.')));
    await until(() => s.status().queue.unschedulable === 1);
    c.remove(R.pods, 'hog', 'default');
    await until(() => nodeOf(c, 'next') === 'only');
  });

  it('skips cordoned, not-ready and terminating nodes', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('cordoned', { unschedulable: true }) as KubeObject);
    c.put(R.nodes, node('not-ready', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }) as KubeObject);
    const going = node('going');
    c.put(R.nodes, { ...going, metadata: { ...going.metadata, deletionTimestamp: new Date().toISOString() } } as KubeObject);
    c.put(R.nodes, node('healthy', { cpu: '1' }) as KubeObject);
    await start(c);
    for (let i = 0; i < 4; i++) c.put(R.pods, pod(`p${i}`) as KubeObject);
    await until(() => [0, 1, 2, 3].every((i) => nodeOf(c, `p${i}`)));
    expect(new Set([0, 1, 2, 3].map((i) => nodeOf(c, `p${i}`)))).toEqual(new Set(['healthy']));
  });

  it('slow motion spaces out the visible steps', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('node-1') as KubeObject);
    c.put(R.nodes, node('node-2') as KubeObject);
    const { tracer } = await start(c, { slowMotionMs: 150 });
    c.put(R.pods, pod('slow') as KubeObject);
    await until(() => nodeOf(c, 'slow') === 'node-1' || nodeOf(c, 'slow') === 'node-2');
    const steps = await until(() => (tracer.of('slow').some((s) => s.action === 'bind') ? tracer.of('slow') : undefined));
    const at = (a: string) => Date.parse(steps.find((s) => s.action === a)!.start);
    expect(at('bind') - Date.parse(steps.find((s) => s.action === 'queue')!.end!)).toBeGreaterThanOrEqual(280);
  });

  it('a failed binding is undone (Unreserve), reported, and retried after backoff', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('node-1', { cpu: '1' }) as KubeObject);
    c.failBinding.set('flaky', new StatusError(500, 'InternalError', 'etcd is having a moment'));
    const { s } = await start(c);
    c.put(R.pods, pod('flaky', { cpu: '800m' }) as KubeObject);
    await until(() => nodeOf(c, 'flaky') === 'node-1');
    expect(events(c, 'flaky')).toContain('FailedScheduling: Binding rejected: etcd is having a moment');
    expect(s.status().scheduled).toBe(1);
    // the forgotten reservation did not leave 800m counted twice
    expect(s.cache.getNode('node-1')!.requested.cpu).toBe(800);
  });

  it('leaves pods of other schedulers and gated pods alone', async () => {
    const c = new FakeClient();
    c.put(R.nodes, node('node-1') as KubeObject);
    const { s } = await start(c);
    c.put(R.pods, pod('other', { schedulerName: 'my-scheduler' }) as KubeObject);
    const gated = pod('gated');
    gated.spec!.schedulingGates = [{ name: 'example.com/wait' }];
    c.put(R.pods, gated as KubeObject);
    c.put(R.pods, pod('mine') as KubeObject);
    await until(() => nodeOf(c, 'mine') === 'node-1');
    expect(s.status().queue).toMatchObject({ active: 0, backoff: 0, unschedulable: 0 });
    expect(nodeOf(c, 'other')).toBeUndefined();
    expect(nodeOf(c, 'gated')).toBeUndefined();
    // lifting the gate lets it through
    const g = c.getObject<Pod & KubeObject>(R.pods, 'gated')!;
    g.spec!.schedulingGates = [];
    c.put(R.pods, g);
    await until(() => nodeOf(c, 'gated') === 'node-1');
  });

  it('retries a pod that failed for lack of nodes once a node registers', async () => {
    const c = new FakeClient();
    await start(c);
    c.put(R.pods, pod('early') as KubeObject);
    await until(() => events(c, 'early').some((e) => e === 'FailedScheduling: no nodes available to schedule pods'));
    c.put(R.nodes, node('late-node') as KubeObject);
    await until(() => nodeOf(c, 'early') === 'late-node');
  });
});
