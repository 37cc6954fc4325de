// The node's podCIDR on a real engine: claimed free there, the pod network made with it, pods addressed from it;
// two labs choosing at the same moment end on different /24s; a network of an older lab is replaced and its pods
// move over as SandboxChanged.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../main/api/object';
import { chooseNodeCidr, contains, overlaps, parseCidr4 } from '../../main/api/cidr';
import { R } from '../../main/client/types';
import { DockerRuntime } from '../../main/runtime/docker/index';
import { LABEL } from '../../main/runtime/types';
import { NETWORK_LABEL } from '../../main/runtime/docker/lab-objects';
import { images } from '../fixtures/env';
import { watchUntil } from '../fixtures/watch';
import { podManifest, startHarness, type Harness } from './kubelet-harness';

type N = Node & KubeObject;
type P = Pod & KubeObject;
const harnesses: Harness[] = [];
afterAll(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

const nodeWithCidr = (h: Harness) => watchUntil<N>(h.client, R.nodes, h.nodeName, `node ${h.nodeName} to get a podCIDR`, (n) => !!n.spec?.podCIDR);
const readyNode = (h: Harness) =>
  watchUntil<N>(
    h.client,
    R.nodes,
    h.nodeName,
    `node ${h.nodeName} Ready`,
    (n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
  );
const runningPod = (h: Harness, name: string, pred: (p: P) => boolean = () => true) =>
  watchUntil<P>(h.client, R.pods, name, `pod ${name} Running`, (p) => p.status?.phase === 'Running' && !!p.status.podIP && pred(p), { namespace: 'default' });
const sleeper = (name: string, h: Harness) =>
  podManifest(name, h.nodeName, {
    terminationGracePeriodSeconds: 0,
    containers: [{ name: 'c', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
  });

describe("a Docker node's podCIDR", () => {
  it('is a /24 of the cluster CIDR that no other network on the engine overlaps; the pod network has it; pods get addresses from its lower half', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const node = await nodeWithCidr(h);
    const cidr = node.spec!.podCIDR!;
    expect(node.spec!.podCIDRs).toEqual([cidr]);
    expect(contains(parseCidr4('10.244.0.0/16')!, parseCidr4(cidr)!)).toBe(true);
    expect(cidr).toMatch(/^10\.244\.\d+\.0\/24$/);
    // the claim notes are gone once it is set
    expect(Object.keys(node.metadata.annotations ?? {}).filter((k) => k.startsWith('kubelab.io/pod-cidr'))).toEqual([]);

    const net = await h.docker.getNetwork(h.runtime.networkName).inspect();
    expect(net.IPAM?.Config).toEqual([{ Subnet: cidr, Gateway: cidr.replace('.0/24', '.1'), IPRange: cidr.replace('.0/24', '.0/25') }]);
    expect(net.Labels).toMatchObject({
      [LABEL.cluster]: h.clusterId,
      [LABEL.node]: h.nodeName,
      [NETWORK_LABEL.dataDir]: h.dataDir,
      [NETWORK_LABEL.host]: hostname(),
    });
    for (const other of await h.docker.listNetworks()) {
      if (other.Id === net.Id) continue;
      for (const c of other.IPAM?.Config ?? []) {
        const sub = c.Subnet ? parseCidr4(c.Subnet) : undefined;
        if (sub) expect(overlaps(sub, parseCidr4(cidr)!), `${other.Name} ${c.Subnet}`).toBe(false);
      }
    }

    const ready = await readyNode(h);
    expect(ready.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toBe(cidr.replace('.0/24', '.1'));
    await h.client.create(R.pods, sleeper('addr', h), { namespace: 'default' });
    const pod = await runningPod(h, 'addr');
    const last = Number(pod.status!.podIP!.split('.')[3]);
    expect(pod.status!.podIP!.replace(/\.\d+$/, '.0/24')).toBe(cidr);
    expect(last).toBeGreaterThanOrEqual(2);
    expect(last).toBeLessThan(128);
  });

  it("two labs choosing at the same moment on one engine end on different /24s (the loser of Docker's overlap refusal moves on)", async () => {
    const [a, b] = await Promise.all([startHarness(), startHarness()]);
    harnesses.push(a, b);
    const [na, nb] = await Promise.all([nodeWithCidr(a), nodeWithCidr(b)]);
    expect(na.spec!.podCIDR).not.toBe(nb.spec!.podCIDR);
    for (const h of [a, b]) {
      const net = await h.docker.getNetwork(h.runtime.networkName).inspect();
      expect(net.IPAM?.Config?.[0]?.Subnet).toBe((h === a ? na : nb).spec!.podCIDR);
    }
  });

  it('one /24 claimed by two runtimes at once: Docker lets exactly one have it', async () => {
    const docker = harnesses[0].docker;
    const id = `t${Date.now().toString(36)}`;
    const make = (n: string) => new DockerRuntime({ docker, clusterId: id, nodeName: n, sandboxImage: 'unused' });
    const [x, y] = [make('x'), make('y')];
    try {
      const c = await x.podCIDRConstraints();
      const free = chooseNodeCidr({ clusterCidr: '10.244.0.0/16', taken: [], unavailable: c.unavailable })!;
      const results = await Promise.all([x.claimPodCIDR(free), y.claimPodCIDR(free)]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, reason: expect.stringMatching(/overlaps/) });
    } finally {
      for (const n of await docker.listNetworks({ filters: { label: [`${LABEL.cluster}=${id}`] } })) await docker.getNetwork(n.Id).remove();
    }
  });
});

describe('a lab started on an older data dir', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("moves its running pod from the network older labs shared per engine onto the node's network (SandboxChanged) and removes the old one", async () => {
    h = await startHarness();
    await readyNode(h);
    await h.client.create(R.pods, sleeper('old', h), { namespace: 'default' });
    await runningPod(h, 'old');
    await h.kubelet.stop();
    // what an older lab left: one network `kubelab-<cluster id>` from Docker's default pools, the pod's sandbox on it,
    // and a Node object without a podCIDR
    const docker = h.docker;
    const sandbox = (
      await docker.listContainers({ filters: { label: [`${LABEL.podName}=old`, `${LABEL.type}=podsandbox`, `${LABEL.cluster}=${h.clusterId}`] } })
    )[0];
    const current = docker.getNetwork(h.runtime.networkName);
    await current.disconnect({ Container: sandbox.Id, Force: true });
    await current.remove();
    const legacyName = `kubelab-${h.clusterId}`;
    const legacy = await docker.createNetwork({
      Name: legacyName,
      Driver: 'bridge',
      Labels: { [LABEL.cluster]: h.clusterId },
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.251.7.0/24' }] },
    });
    await legacy.connect({ Container: sandbox.Id });
    await h.client.delete(R.nodes, h.nodeName);

    const events: Event[] = [];
    const seen = watchUntil<Event & KubeObject>(
      h.client,
      R.events,
      undefined,
      'a SandboxChanged event for pod old',
      (e) => {
        events.push(e);
        return e.involvedObject.name === 'old' && e.reason === 'SandboxChanged';
      },
      { namespace: 'default' },
    );
    await h.restartKubelet({ freshRuntime: true });
    const node = await nodeWithCidr(h);
    await seen;
    // its container restarted in the new sandbox, which is on the node's network
    const after = await runningPod(h, 'old', (p) => (p.status!.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    expect(after.status!.podIP!.replace(/\.\d+$/, '.0/24')).toBe(node.spec!.podCIDR);
    const sandboxes = await docker.listContainers({
      filters: { label: [`${LABEL.podName}=old`, `${LABEL.type}=podsandbox`, `${LABEL.cluster}=${h.clusterId}`] },
    });
    expect(sandboxes.map((c) => Object.keys(c.NetworkSettings?.Networks ?? {}))).toEqual([[h.runtime.networkName]]);
    expect(sandboxes[0].Id).not.toBe(sandbox.Id);
    expect((await docker.getNetwork(h.runtime.networkName).inspect()).IPAM?.Config?.[0]?.Subnet).toBe(node.spec!.podCIDR);
    expect((await docker.listNetworks({ filters: { name: [legacyName] } })).filter((n) => n.Name === legacyName)).toEqual([]);
  });

  it("replaces the node's network when it has another subnet than the podCIDR", async () => {
    h = await startHarness();
    const node = await nodeWithCidr(h);
    await h.kubelet.stop();
    const docker = h.docker;
    await docker.getNetwork(h.runtime.networkName).remove();
    await docker.createNetwork({
      Name: h.runtime.networkName,
      Driver: 'bridge',
      Labels: { [LABEL.cluster]: h.clusterId, [LABEL.node]: h.nodeName },
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.251.8.0/24' }] },
    });
    await h.restartKubelet({ freshRuntime: true });
    expect((await docker.getNetwork(h.runtime.networkName).inspect()).IPAM?.Config?.[0]?.Subnet).toBe(node.spec!.podCIDR);
    await h.client.create(R.pods, sleeper('moved', h), { namespace: 'default' });
    const pod = await runningPod(h, 'moved');
    expect(pod.status!.podIP!.replace(/\.\d+$/, '.0/24')).toBe(node.spec!.podCIDR);
  });
});
