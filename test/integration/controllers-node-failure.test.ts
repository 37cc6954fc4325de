// The controller manager with the real API server, scheduler and two kubelets (simulated containers):
// a node whose kubelet stops turns Ready=Unknown and tainted, its Deployment pods are evicted and come
// back on the other node, and the taints go when the kubelet returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../main/api/object';
import { createApiServer, type ApiServer } from '../../main/apiserver/index';
import { adminUser } from '../../main/apiserver/authn';
import { componentUsers } from '../../main/apiserver/bootstrap';
import { R, type Client } from '../../main/client/types';
import { ControllerManager } from '../../main/controllers';
import { Kubelet } from '../../main/kubelet/index';
import { setLogLevel } from '../../main/log';
import { VirtualRuntime } from '../../main/runtime/virtual/index';
import { Scheduler } from '../../main/scheduler/index';
import { memoryStore } from '../../main/store/index';

setLogLevel('error');

let api: ApiServer;
let client: Client;
let dir: string;
let cm: ControllerManager;
let scheduler: Scheduler;
const kubelets = new Map<string, Kubelet>();

function kubelet(name: string, subnet: number): Kubelet {
  return new Kubelet({
    client: api.client(componentUsers.node(name)),
    runtime: new VirtualRuntime({ nodeName: name, subnet, startDelayMs: 50 }),
    nodeName: name,
    options: { dataDir: join(dir, name), heartbeatMs: 300, leaseMs: 300, virtual: true },
  });
}

async function eventually<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelab-nodefail-'));
  api = createApiServer({ store: memoryStore(), dataDir: dir });
  await api.bootstrap();
  client = api.client(adminUser);
  cm = new ControllerManager({
    client: api.client(componentUsers.controllerManager),
    options: { nodeMonitorGracePeriodSeconds: 2, podEvictionTimeoutSeconds: 2, nodeMonitorPeriodSeconds: 0.25 },
  });
  await cm.start();
  scheduler = new Scheduler({ client: api.client(componentUsers.scheduler) });
  await scheduler.start();
  for (const [n, s] of [
    ['node-a', 31],
    ['node-b', 32],
  ] as const) {
    const k = kubelet(n, s);
    kubelets.set(n, k);
    await k.start();
  }
}, 60_000);

afterAll(async () => {
  for (const k of kubelets.values()) await k.stop();
  await scheduler?.stop();
  cm?.stop();
  await rm(dir, { recursive: true, force: true });
});

const pods = async () => (await client.list<Pod & KubeObject>(R.pods, { namespace: 'default' })).items;
const readyOn = async (node: string) =>
  (await pods()).filter(
    (p) => p.spec?.nodeName === node && !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
const nodeObj = (name: string) => client.get<Node & KubeObject>(R.nodes, name);

describe('node failure (real API server, scheduler, kubelets on simulated runtimes)', () => {
  it("evicts the silent node's pods, recreates them on the healthy node, and untaints it when it returns", async () => {
    await client.create(
      R.deployments,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 4,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.22' }] } },
        },
      },
      { namespace: 'default' },
    );
    await eventually(async () => (await readyOn('node-a')).length + (await readyOn('node-b')).length === 4, 30_000, '4 ready pods');
    // the scheduler spreads them, so node-b holds some
    const onB = (await readyOn('node-b')).length;
    expect(onB).toBeGreaterThan(0);

    await kubelets.get('node-b')!.stop();
    const b = await eventually(
      async () => {
        const n = await nodeObj('node-b');
        return (
          n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' &&
          n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') &&
          n
        );
      },
      20_000,
      'node-b Unknown and tainted',
    );
    expect(b.spec!.taints!.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    // the controller-owned pods come back on node-a
    await eventually(async () => (await readyOn('node-a')).length === 4, 30_000, '4 ready pods on node-a').catch(async (e) => {
      console.log(
        JSON.stringify(
          (await pods()).map((p) => [
            p.metadata.name,
            p.spec?.nodeName,
            p.metadata.deletionTimestamp,
            p.status?.phase,
            p.status?.conditions,
            p.spec?.tolerations,
          ]),
        ),
      );
      console.log(JSON.stringify((await client.list(R.events, { namespace: 'default' })).items.map((e) => [e.reason, e.message])));
      throw e;
    });
    const events = (await client.list(R.events, { namespace: 'default' })).items.map((e) => e.reason);
    expect(events).toContain('TaintManagerEviction');

    const back = kubelet('node-b', 32);
    kubelets.set('node-b', back);
    await back.start();
    await eventually(
      async () => {
        const n = await nodeObj('node-b');
        return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && (n.spec?.taints ?? []).length === 0;
      },
      20_000,
      'node-b Ready and untainted',
    );
  });
});
