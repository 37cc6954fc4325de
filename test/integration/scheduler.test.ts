// The scheduler on two real Docker engines, driven as a user would: kubectl against `kubelab serve`
// with the `default` and `kubelab-node2` contexts as nodes. Asserts what kubectl shows: nodeName,
// the Scheduled / FailedScheduling events with upstream's messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { contexts, images } from '../fixtures/env';
import { startServe, type Serve } from '../fixtures/serve';

const N1 = contexts.main;
const N2 = contexts.node2;

let lab: Serve;

async function kubectl(...args: string[]): Promise<string> {
  const r = await lab.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

async function apply(obj: Record<string, unknown>): Promise<void> {
  const r = await lab.kubectl(['apply', '-f', '-'], { input: stringify(obj) });
  if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
}

function podSpec(name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { test: 'scheduler', ...labels } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
      ...spec,
    },
  };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined | false | ''>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const nodeOf = async (pod: string) => (await kubectl('get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}')).trim();

async function events(pod: string): Promise<string[]> {
  const list = JSON.parse(await kubectl('get', 'events', '-o', 'json')) as { items: { involvedObject: { name: string }; reason: string; message: string }[] };
  return list.items.filter((e) => e.involvedObject.name === pod).map((e) => `${e.reason}: ${e.message}`);
}

const failedWith = (pod: string, message: string) =>
  poll(`FailedScheduling for ${pod}`, async () => (await events(pod)).includes(`FailedScheduling: ${message}`));

describe('scheduler on two Docker engines, through kubectl', () => {
  beforeAll(async () => {
    lab = await startServe({ nodes: [N1, N2], timeoutMs: 120_000 });
    await poll(
      'both nodes Ready',
      async () => {
        const out = await kubectl('get', 'nodes', '--no-headers');
        return out.split('\n').filter((l) => / Ready /.test(l)).length === 2;
      },
      60_000,
    );
  });

  afterAll(async () => {
    await lab?.kubectl(['delete', 'pods', '-l', 'test=scheduler', '--wait=false']);
    await lab?.stop();
  });

  it('keeps a pod with a nodeSelector Pending with the reason, then schedules it after `kubectl label node`', async () => {
    await apply(podSpec('ssd-pod', { nodeSelector: { disktype: 'ssd' } }));
    await failedWith(
      'ssd-pod',
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    const cond = JSON.parse(await kubectl('get', 'pod', 'ssd-pod', '-o', 'jsonpath={.status.conditions}')) as {
      type: string;
      status: string;
      reason: string;
    }[];
    expect(cond.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });

    // The pod's trace names each filtered node and why, for "Why is my pod Pending?"
    const filter = await poll('a scheduler filter step in the PodTrace', async () => {
      const trace = JSON.parse(await kubectl('get', 'podtraces', 'ssd-pod', '-o', 'json')) as {
        steps: { component: string; action: string; outcome: string; details?: any }[];
      };
      return trace.steps.find((s) => s.component === 'scheduler' && s.action === 'filter' && s.outcome === 'failure');
    });
    expect(filter.details.kind).toBe('SchedulingDetails');
    const rows = Object.fromEntries((filter.details.nodes as { node: string; explain: string; reasons: string[] }[]).map((r) => [r.node, r]));
    for (const n of [N1, N2]) {
      expect(rows[n]).toMatchObject({ reasons: ["node(s) didn't match Pod's node affinity/selector"], explain: "didn't match the node selector disktype=ssd" });
    }

    await kubectl('label', 'node', N2, 'disktype=ssd');
    try {
      await poll('ssd-pod scheduled', async () => (await nodeOf('ssd-pod')) === N2);
      await poll('Scheduled event', async () => (await events('ssd-pod')).includes(`Scheduled: Successfully assigned default/ssd-pod to ${N2}`));
    } finally {
      await kubectl('label', 'node', N2, 'disktype-');
    }
  });

  it('reports Insufficient cpu', async () => {
    await apply(
      podSpec('huge', { containers: [{ name: 'main', image: images.busybox, command: ['sleep', '3600'], resources: { requests: { cpu: '500' } } }] }),
    );
    await failedWith(
      'huge',
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    );
  });

  it('respects taints, and lets a pod that tolerates them in', async () => {
    await kubectl('taint', 'node', N1, 'dedicated=lab:NoSchedule');
    try {
      const pinned = { nodeSelector: { 'kubernetes.io/hostname': N1 } };
      await apply(podSpec('intolerant', pinned));
      await failedWith(
        'intolerant',
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: lab}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      );
      await apply(podSpec('tolerant', { ...pinned, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'lab', effect: 'NoSchedule' }] }));
      await poll('tolerant scheduled', async () => (await nodeOf('tolerant')) === N1);
    } finally {
      await kubectl('taint', 'node', N1, 'dedicated=lab:NoSchedule-');
    }
  });

  it('does not put two pods with the same hostPort on one node', async () => {
    const spec = (name: string) =>
      podSpec(name, {
        nodeSelector: { 'kubernetes.io/hostname': N2 },
        containers: [{ name: 'main', image: images.busybox, command: ['sleep', '3600'], ports: [{ containerPort: 8080, hostPort: 18391 }] }],
      });
    await apply(spec('port-a'));
    await poll('port-a scheduled', async () => (await nodeOf('port-a')) === N2);
    await apply(spec('port-b'));
    await failedWith(
      'port-b',
      "0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    );
  });

  it('spreads pods with required anti-affinity across the two nodes; a third stays Pending', async () => {
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'kubernetes.io/hostname' }],
        },
      },
    };
    await apply(podSpec('spread-1', anti, { app: 'spread' }));
    const first = await poll('spread-1 scheduled', async () => await nodeOf('spread-1'));
    await apply(podSpec('spread-2', anti, { app: 'spread' }));
    const second = await poll('spread-2 scheduled', async () => await nodeOf('spread-2'));
    expect(new Set([first, second])).toEqual(new Set([N1, N2]));
    await apply(podSpec('spread-3', anti, { app: 'spread' }));
    await failedWith(
      'spread-3',
      "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });
});
