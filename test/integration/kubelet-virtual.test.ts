import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { createApiServer } from '../../main/apiserver/index';
import { adminUser } from '../../main/apiserver/authn';
import type { KubeObject } from '../../main/api/object';
import { R, type Client } from '../../main/client/types';
import { Kubelet } from '../../main/kubelet/index';
import { VirtualRuntime } from '../../main/runtime/virtual/index';
import { memoryStore } from '../../main/store/index';
import { kubeletStrategies, podManifest, waitFor } from './kubelet-harness';

describe('a kubelet on a virtual node (simulated containers, no engine)', () => {
  let client: Client;
  let kubelet: Kubelet;
  let runtime: VirtualRuntime;
  let dataDir: string;
  const nodeName = 'virtual-node-1';
  const get = (name: string) => client.get<Pod & KubeObject>(R.pods, name, 'default');

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kubelab-virtual-'));
    const api = createApiServer({ store: memoryStore(), strategies: kubeletStrategies() });
    await api.bootstrap();
    client = api.client(adminUser);
    runtime = new VirtualRuntime({ nodeName, startDelayMs: 50, pullDelayMs: 50 });
    kubelet = new Kubelet({ client, runtime, nodeName, options: { dataDir, relistMs: 100, virtual: true } });
    await kubelet.start();
  });
  afterAll(async () => {
    await kubelet?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers a Ready node labelled kubelab.io/virtual=true', async () => {
    const node = await client.get<Node & KubeObject>(R.nodes, nodeName);
    expect(node.metadata.labels!['kubelab.io/virtual']).toBe('true');
    expect(node.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    expect(node.status!.nodeInfo!.containerRuntimeVersion).toBe('virtual://1.0.0');
  });

  it('runs a pod: pulled, Running, Ready with a simulated IP; init containers complete', async () => {
    await client.create(
      R.pods,
      podManifest('sim', nodeName, {
        initContainers: [{ name: 'prep', image: 'busybox:1.36' }],
        containers: [{ name: 'web', image: 'nginx:1.22', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }],
      }),
      { namespace: 'default' },
    );
    const p = await waitFor(
      'sim Ready',
      async () => {
        const pod = await get('sim');
        return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && pod;
      },
      20_000,
    );
    expect(p.status!.phase).toBe('Running');
    expect(p.status!.podIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(p.status!.initContainerStatuses![0].state!.terminated!.exitCode).toBe(0);
    const [c] = await kubelet.podContainers(p.metadata!.uid!).then((cs) => cs.filter((x) => x.name === 'web'));
    expect((await runtime.execSync(c.id, ['cat', '/etc/hostname'], 1000)).stdout).toBe('sim\n');
  });

  it('restartPolicy Never: a command that exits 1 fails the pod', async () => {
    await client.create(
      R.pods,
      podManifest('sim-fail', nodeName, { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'exit 1'] }] }),
      { namespace: 'default' },
    );
    await waitFor('sim-fail Failed', async () => (await get('sim-fail')).status?.phase === 'Failed', 20_000);
  });

  it('step mode: a paused kubelet leaves a new pod unstarted until resumed', async () => {
    kubelet.pause();
    await client.create(R.pods, podManifest('stepped', nodeName, { containers: [{ name: 'c', image: 'nginx:1.22' }] }), { namespace: 'default' });
    // the watch delivered it; a sync would have written container statuses by now
    await waitFor('the kubelet has the pod in its cache', async () => kubelet.findPod('default', 'stepped'));
    await new Promise((r) => setTimeout(r, 500));
    expect((await get('stepped')).status?.containerStatuses).toBeUndefined();
    kubelet.resume();
    await waitFor('stepped Running after resume', async () => (await get('stepped')).status?.phase === 'Running', 20_000);
  });

  it('graceful delete removes the simulated containers and the object', async () => {
    await client.delete(R.pods, 'sim', { namespace: 'default' });
    await waitFor(
      'sim gone',
      async () => {
        try {
          await get('sim');
          return false;
        } catch {
          return true;
        }
      },
      20_000,
    );
    const left = (await runtime.listContainers()).filter((c) => c.pod.name === 'sim');
    expect(left).toEqual([]);
  });
});
