// Nodes at run time, as the app's Nodes panel does it (the bridge over serve's WebSocket), checked with kubectl and
// Docker: a lab started on `default` gets the second engine as a node, runs a pod pinned there, loses the node again
// (its pods deleted, the Deployment's pods back on `default`, no lab container left on node2), and a restart on the
// same data dir comes back with the node set the user chose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import Docker from 'dockerode';
import WebSocket from 'ws';
import { createKubelabApi, type KubelabApi } from '../../main/bridge/contract';
import { createWsTransport, type SocketLike } from '../../renderer/bridge/ws-transport';
import { labSteps, removeLabObjects, startServe, type Serve } from '../fixtures/serve';
import { images, missingEnvHint, node2, node2Available } from '../fixtures/env';

const NODE2 = node2.context; // the Node is named after its context: kubelab-node2
let lab: Serve;
let api: KubelabApi;
let closeBridge = () => {};
let dataDir = '';
let clusterId = '';
const { eventually, kubectl, json } = labSteps(() => lab);
const engine2 = new Docker({ socketPath: node2.socket });

function connect(serve: Serve): void {
  const ui = new URL(serve.ui);
  const t = createWsTransport(
    `ws://${ui.host}/bridge`,
    (u) => new WebSocket(u, { origin: `http://${ui.host}` }) as unknown as SocketLike,
    () => ui.searchParams.get('token')!,
  );
  closeBridge = () => t.close();
  api = createKubelabApi(t);
}

const nodeReady = async (name: string) => {
  const out = await kubectl('get', 'nodes', '--no-headers');
  return out.split('\n').some((l) => l.split(/\s+/)[0] === name && l.split(/\s+/)[1] === 'Ready');
};
const labContainersOn2 = async () => engine2.listContainers({ all: true, filters: { label: [`kubelab.io/cluster=${clusterId}`] } });

beforeAll(async () => {
  if (!node2Available()) throw new Error(missingEnvHint);
  lab = await startServe({ timeoutMs: 90_000 }); // no --node: the current context only
  dataDir = lab.dataDir;
  clusterId = await lab.clusterId();
  connect(lab);
}, 120_000);

afterAll(async () => {
  closeBridge();
  await lab?.stop({ keepDataDir: true });
  await removeLabObjects(clusterId);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 90_000);

describe('adding and removing a Docker engine as a node at run time', () => {
  it('starts with the current context only; the panel lists kubelab-node2 as reachable and unused', async () => {
    expect((await kubectl('get', 'nodes', '-o', 'name')).trim()).toBe('node/default');
    const ctx = (await api.nodes.contexts()).find((c) => c.name === NODE2);
    expect(ctx).toMatchObject({ name: NODE2, host: `unix://${node2.socket}`, reachable: true });
    expect(ctx?.node).toBeUndefined();
    // a Service from before the node existed: the new node must get its relay too (names resolve from its pods)
    await kubectl('create', 'service', 'clusterip', 'early', '--tcp=80:80');
  });

  it('adds kubelab-node2: kubectl lists it Ready and a pod with its hostname as nodeSelector runs there', async () => {
    const steps: string[] = [];
    api.cluster.onStatus((s) => s.nodeActivity && steps.push(s.nodeActivity.step));
    expect(await api.nodes.add({ context: NODE2 })).toMatchObject({ name: NODE2, context: NODE2 });
    expect(steps).toEqual(expect.arrayContaining(['starting the kubelet', 'waiting for the Node to register']));
    await eventually(() => nodeReady(NODE2), 60_000, 'kubelab-node2 Ready');
    expect((await api.nodes.contexts()).find((c) => c.name === NODE2)?.node).toBe(NODE2);
    await eventually(
      async () => (await labContainersOn2()).some((c) => c.Labels['kubelab.io/service'] === 'default/early'),
      60_000,
      "the early Service's relay on node2",
    );

    await kubectl(
      'run',
      'pinned',
      `--image=${images.busybox}`,
      '--image-pull-policy=IfNotPresent',
      `--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"${NODE2}"}}}`,
      '--',
      'sleep',
      '3600',
    );
    const pod = await eventually(
      async () => {
        const p = await json('get', 'pod', 'pinned');
        return p.status?.phase === 'Running' && p;
      },
      90_000,
      'pinned Running',
    );
    expect(pod.spec.nodeName).toBe(NODE2);
    expect((await labContainersOn2()).some((c) => c.Labels['io.kubernetes.pod.name'] === 'pinned')).toBe(true);
    // each node its own /24 of 10.244.0.0/16, shown by describe node; the pod's IP is in its node's
    const cidrs = Object.fromEntries((await json<{ items: any[] }>('get', 'nodes')).items.map((n) => [n.metadata.name, n.spec.podCIDR as string]));
    expect(cidrs[NODE2]).toMatch(/^10\.244\.\d+\.0\/24$/);
    expect(cidrs.default).toMatch(/^10\.244\.\d+\.0\/24$/);
    expect(cidrs[NODE2]).not.toBe(cidrs.default);
    expect(pod.status.podIP.replace(/\.\d+$/, '.0/24')).toBe(cidrs[NODE2]);
    const described = await kubectl('describe', 'node', NODE2);
    expect(described).toMatch(new RegExp(`^PodCIDR:\\s+${cidrs[NODE2].replace(/\./g, '\\.')}$`, 'm'));
    expect(described).toMatch(new RegExp(`^PodCIDRs:\\s+${cidrs[NODE2].replace(/\./g, '\\.')}$`, 'm'));
    const net2 = await engine2.listNetworks({ filters: { label: [`kubelab.io/cluster=${clusterId}`] } });
    expect(net2.map((n) => [n.Name, n.IPAM?.Config?.[0]?.Subnet])).toEqual([[`kubelab-${clusterId}-${NODE2}`, cidrs[NODE2]]]);
  });

  it("refuses a change of a node's podCIDR with upstream's message", async () => {
    const r = await lab.kubectl(['patch', 'node', NODE2, '--type=merge', '-p', '{"spec":{"podCIDR":"10.244.250.0/24","podCIDRs":["10.244.250.0/24"]}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The Node "${NODE2}" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid`);
  });

  it('refuses to add it twice, with the reason', async () => {
    await expect(api.nodes.add({ context: NODE2 })).rejects.toThrow(`Docker context "${NODE2}" is already node "${NODE2}"`);
  });

  it("removes kubelab-node2: the Node and its pods go, the Deployment's pods come back on default, no lab container is left there", async () => {
    // default cordoned while the Deployment is created, so its pods land on node2
    await kubectl('cordon', 'default');
    await kubectl('create', 'deployment', 'web', `--image=${images.nginx}`, '-r', '2');
    const onNode2 = await eventually(
      async () => {
        const pods = (await json<{ items: any[] }>('get', 'pods', '-l', 'app=web')).items;
        return pods.length === 2 && pods.every((p) => p.spec.nodeName === NODE2 && p.status?.phase === 'Running') && pods.map((p) => p.metadata.name as string);
      },
      90_000,
      'web pods Running on node2',
    );
    await kubectl('uncordon', 'default');

    await api.nodes.remove({ node: NODE2 });
    expect((await kubectl('get', 'nodes', '-o', 'name')).trim()).toBe('node/default');
    const pinned = await lab.kubectl(['get', 'pod', 'pinned']);
    expect(pinned.stderr).toContain('pods "pinned" not found');
    await eventually(
      async () => {
        const pods = (await json<{ items: any[] }>('get', 'pods', '-l', 'app=web')).items;
        return pods.length === 2 && pods.every((p) => !onNode2.includes(p.metadata.name) && p.spec.nodeName === 'default' && p.status?.phase === 'Running');
      },
      90_000,
      'web pods back, Running on default',
    );
    expect(await labContainersOn2()).toEqual([]);
    expect(await engine2.listNetworks({ filters: { label: [`kubelab.io/cluster=${clusterId}`] } })).toEqual([]);
    expect((await api.nodes.contexts()).find((c) => c.name === NODE2)?.node).toBeUndefined();
  });

  it('a restart on the same data dir comes back with the chosen node set', async () => {
    await api.nodes.add({ context: NODE2 });
    closeBridge();
    await lab.stop({ keepDataDir: true });
    lab = await startServe({ dataDir, timeoutMs: 90_000 });
    connect(lab);
    expect((await kubectl('get', 'nodes', '-o', 'name')).trim().split('\n').sort()).toEqual(['node/default', `node/${NODE2}`]);
    await eventually(() => nodeReady(NODE2), 60_000, 'kubelab-node2 Ready after restart');
    expect(lab.logs()).toContain(`Docker contexts found: default, ${NODE2}`);
  });
});
