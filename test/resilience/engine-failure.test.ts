// A node's Docker engine stops: the node turns NotReady, gets the unreachable taint, its Deployment
// pods come back on the healthy node; when the engine starts again the node is Ready and untainted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images } from '../fixtures/env';
import { testEngine, type TestEngine } from '../fixtures/engine';
import { startServe, type Serve } from '../fixtures/serve';

let serve: Serve;
let engine: TestEngine;

interface NodeJson {
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions: { type: string; status: string }[] };
}
interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { containerStatuses?: { ready: boolean }[] };
}

async function json<T>(args: string[]): Promise<T> {
  const r = await serve.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

const ready = async (node: string) => (await json<NodeJson>(['get', 'node', node])).status.conditions.find((c) => c.type === 'Ready')?.status;
const taints = async (node: string) => ((await json<NodeJson>(['get', 'node', node])).spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
const livePods = async () => (await json<{ items: PodJson[] }>(['get', 'pods', '-l', 'app=mover'])).items.filter((p) => !p.metadata.deletionTimestamp);

beforeAll(async () => {
  engine = await testEngine(3);
  serve = await startServe({
    nodes: ['default', engine.context],
    args: ['--node-monitor-grace-period', '6', '--pod-eviction-timeout', '4'],
  });
});

afterAll(async () => {
  await engine?.start().catch(() => {});
  await serve?.stop();
  // what the lab left on our own engine (stop() cleans the shared ones)
  const id = serve ? await serve.clusterId().catch(() => undefined) : undefined;
  if (engine && id) {
    for (const c of await engine.docker.listContainers({ all: true, filters: { label: [`kubelab.io/cluster=${id}`] } })) {
      await engine.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    }
  }
  await engine?.destroy();
});

describe('an engine stops and starts again', () => {
  it('node NotReady and tainted, pods moved, then Ready again without taints', async () => {
    const node = engine.context;
    await expect.poll(() => ready(node), { timeout: 60_000, interval: 500 }).toBe('True');
    // put the Deployment's pods on the engine we are about to stop
    expect((await serve.kubectl(['cordon', 'default'])).code).toBe(0);
    const create = await serve.kubectl(['create', 'deployment', 'mover', `--image=${images.busybox}`, '-r', '2', '--', 'sleep', '3600']);
    expect(create.code, create.stderr).toBe(0);
    await serve.kubectl([
      'patch',
      'deployment',
      'mover',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/spec/template/spec/containers/0/imagePullPolicy","value":"IfNotPresent"}]',
    ]);
    await expect
      .poll(async () => (await livePods()).filter((p) => p.spec.nodeName === node && p.status.containerStatuses?.[0]?.ready).length, {
        timeout: 90_000,
        interval: 500,
      })
      .toBe(2);
    expect((await serve.kubectl(['uncordon', 'default'])).code).toBe(0);

    await engine.stop();
    await expect.poll(() => ready(node), { timeout: 90_000, interval: 500 }).not.toBe('True');
    // the kubelet reports its engine gone (not-ready), or stops renewing its Lease altogether (unreachable)
    await expect
      .poll(async () => (await taints(node)).some((t) => /^node\.kubernetes\.io\/(unreachable|not-ready):NoExecute$/.test(t)), {
        timeout: 60_000,
        interval: 500,
      })
      .toBe(true);
    const get = await serve.kubectl(['get', 'node', node, '--no-headers']);
    expect(get.stdout).toMatch(/NotReady/);
    const events = await serve.kubectl(['get', 'events', '-A', '--field-selector', `involvedObject.name=${node}`]);
    expect(events.stdout).toMatch(/NodeNotReady/);

    // the Deployment's pods come back, Ready, on the healthy node
    await expect
      .poll(async () => (await livePods()).filter((p) => p.spec.nodeName === 'default' && p.status.containerStatuses?.[0]?.ready).length, {
        timeout: 120_000,
        interval: 1000,
      })
      .toBe(2);

    await engine.start();
    await expect.poll(() => ready(node), { timeout: 90_000, interval: 500 }).toBe('True');
    await expect.poll(async () => (await taints(node)).filter((t) => t.startsWith('node.kubernetes.io/')), { timeout: 60_000, interval: 500 }).toEqual([]);
  });
});
