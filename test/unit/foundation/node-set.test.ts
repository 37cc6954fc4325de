import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { Cluster } from '../../../main/cluster';
import { clusterBackend } from '../../../main/bridge/cluster-backend';
import { NodeSet, findPodInKubelets } from '../../../main/kubelet/node-set';
import type { Kubelet } from '../../../main/kubelet/index';
import type { ContainerRuntime } from '../../../main/runtime/types';
import { componentUsers } from '../../../main/apiserver/bootstrap';
import { R } from '../../../main/client/types';
import type { KubeObject } from '../../../main/api/object';
import { setLogSink } from '../../../main/log';
import { watchUntil } from '../../fixtures/watch';

/** A fake kubelet: a node name and the pods it has, as the node set and findPod see one. */
function fakeKubelet(nodeName: string, pods: Pod[] = []): Kubelet {
  return { nodeName, findPod: (ns: string, name: string) => pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name) } as unknown as Kubelet;
}
const fakeRuntime = (name: 'docker' | 'virtual') => ({ name }) as unknown as ContainerRuntime;

describe('NodeSet', () => {
  it('keeps the nodes in the order they were added, each name once', () => {
    const s = new NodeSet();
    s.add({ name: 'b', kind: 'docker', context: 'ctx-b', host: 'unix:///b.sock' });
    s.add({ name: 'a', kind: 'virtual' });
    expect(s.names()).toEqual(['b', 'a']);
    expect(s.nodes().map((n) => [n.name, n.kind, n.context])).toEqual([
      ['b', 'docker', 'ctx-b'],
      ['a', 'virtual', undefined],
    ]);
    expect(() => s.add({ name: 'a', kind: 'virtual' })).toThrow('node a is in the node set already');
    expect(s.size).toBe(2);
  });

  it('reaches a kubelet only from its start (setKubelet) to its stop (clearKubelet); the node stays until removed', () => {
    const s = new NodeSet();
    s.add({ name: 'n1', kind: 'docker' });
    s.add({ name: 'n2', kind: 'virtual' });
    expect(s.kubelet('n1')).toBeUndefined();
    expect(s.kubelets()).toEqual([]);
    const k1 = fakeKubelet('n1');
    const k2 = fakeKubelet('n2');
    s.setKubelet('n2', k2, fakeRuntime('virtual'));
    s.setKubelet('n1', k1, fakeRuntime('docker'));
    expect(s.kubelet('n1')).toBe(k1);
    expect(s.kubelets()).toEqual([k1, k2]); // node order, not start order
    expect(s.dockerRuntimes().map((r) => r.name)).toEqual(['docker']);
    expect(s.clearKubelet('n1')).toBe(k1);
    expect(s.kubelet('n1')).toBeUndefined();
    expect(s.has('n1')).toBe(true);
    expect(s.remove('n1')?.node.name).toBe('n1');
    expect(s.names()).toEqual(['n2']);
    expect(s.dockerRuntimes()).toEqual([]);
    expect(s.kubelet('nope')).toBeUndefined();
  });

  it('refuses a kubelet for a node it does not hold, or for another node', () => {
    const s = new NodeSet();
    expect(() => s.setKubelet('ghost', fakeKubelet('ghost'), fakeRuntime('virtual'))).toThrow('node ghost is not in the node set');
    s.add({ name: 'n1', kind: 'virtual' });
    expect(() => s.setKubelet('n1', fakeKubelet('n2'), fakeRuntime('virtual'))).toThrow('kubelet of node n2 given for node n1');
  });

  it("finds a pod in the running kubelets' caches", () => {
    const s = new NodeSet();
    const pod: Pod = { metadata: { namespace: 'default', name: 'web' } };
    s.add({ name: 'n1', kind: 'virtual' });
    s.add({ name: 'n2', kind: 'virtual' });
    s.setKubelet('n1', fakeKubelet('n1'), fakeRuntime('virtual'));
    s.setKubelet('n2', fakeKubelet('n2', [pod]), fakeRuntime('virtual'));
    expect(findPodInKubelets(s, 'default', 'web')).toBe(pod);
    expect(findPodInKubelets(s, 'other', 'web')).toBeUndefined();
    expect(findPodInKubelets(undefined, 'default', 'web')).toBeUndefined();
  });
});

// Two labs in one process (the app resets one while a test or `serve` runs another) have nodes of the same names:
// each lab's logs must come from its own kubelet, which a process-global map of kubelets by node name could not do.
describe('two labs in one process', { timeout: 60_000 }, () => {
  let dir: string;
  const noDocker = () => ({ env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` }, home: dir });
  const labs: Cluster[] = [];
  beforeAll(async () => {
    setLogSink(() => {});
    dir = await mkdtemp(join(tmpdir(), 'kubelab-nodeset-'));
  });
  afterAll(async () => {
    for (const l of labs) await l.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const podLog = (lab: Cluster, name: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        new URL(`/api/v1/namespaces/default/pods/${name}/log`, lab.apiUrl),
        { ca: lab.pki!.caCert, headers: { authorization: `Bearer ${lab.pki!.tokens.admin}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('each lab reaches its own kubelet of node virtual-node-1, also after the other stops', async () => {
    for (const id of ['a', 'b']) {
      const lab = new Cluster({ dataDir: join(dir, id), apiPort: 0, contextEnv: noDocker(), metricResolutionMs: 0 });
      labs.push(lab);
      await lab.start();
      expect(lab.nodeSet.names()).toEqual(['virtual-node-1']);
      const client = lab.api!.client(componentUsers.controllerManager);
      await client.create(
        R.pods,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'web', namespace: 'default' },
          spec: { containers: [{ name: 'c', image: `lab-${id}:1` }] },
        } as KubeObject,
        { namespace: 'default' },
      );
      await watchUntil<Pod & KubeObject>(client, R.pods, 'web', `lab ${id}'s pod Running`, (p) => p.status?.phase === 'Running', { namespace: 'default' });
    }
    const [a, b] = labs;
    expect(a.nodeSet.kubelet('virtual-node-1')).not.toBe(b.nodeSet.kubelet('virtual-node-1'));
    expect(await podLog(a, 'web')).toMatchObject({ status: 200, text: expect.stringContaining('started from lab-a:1 on node virtual-node-1') });
    expect(await podLog(b, 'web')).toMatchObject({ status: 200, text: expect.stringContaining('started from lab-b:1 on node virtual-node-1') });
    // step mode pauses the kubelet of the lab it is asked of, and says so for that lab only
    const stepA = clusterBackend(a).step!;
    stepA.set({ component: 'kubelet', node: 'virtual-node-1' }, true);
    expect(stepA.get().kubelets).toEqual({ 'virtual-node-1': true });
    expect(clusterBackend(b).step!.get().kubelets).toEqual({ 'virtual-node-1': false });
    expect(() => stepA.set({ component: 'kubelet', node: 'virtual-node-9' }, true)).toThrow('no kubelet for node "virtual-node-9"');
    stepA.set({ component: 'kubelet', node: 'virtual-node-1' }, false);
    await b.stop();
    expect(b.nodeSet.kubelet('virtual-node-1')).toBeUndefined();
    expect(clusterBackend(b).step!.get().kubelets).toEqual({});
    expect(await podLog(a, 'web')).toMatchObject({ status: 200, text: expect.stringContaining('started from lab-a:1') });
  });
});
