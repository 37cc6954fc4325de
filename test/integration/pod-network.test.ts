// The node's pod network removed under a running lab (docker network rm, a prune): new pods still start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R } from '../../main/client/types';
import { LABEL } from '../../main/runtime/types';
import { images } from '../fixtures/env';
import { getPod, podManifest, startHarness, waitFor, type Harness } from './kubelet-harness';

describe('pod network removed behind the lab', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('recreates the network when a sandbox finds it gone, and the pod runs on it', async () => {
    const network = h.runtime.networkName;
    await waitFor('node Ready', async () => {
      const n = await h.client.get<any>(R.nodes, h.nodeName);
      return n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
    });
    const before = await h.docker.getNetwork(network).inspect();
    expect(before.Labels?.[LABEL.cluster]).toBe(h.clusterId);
    // only our own lab's network, which no container uses yet
    await h.docker.getNetwork(before.Id).remove();

    await h.client.create(
      R.pods,
      podManifest('after-rm', h.nodeName, {
        containers: [{ name: 'c', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
      }),
      { namespace: 'default' },
    );
    const pod = await waitFor('after-rm Running', async () => {
      const p = await getPod(h.client, 'after-rm');
      return p.status?.phase === 'Running' && p;
    });
    expect(pod.status!.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const after = await h.docker.getNetwork(network).inspect();
    expect(after.Id).not.toBe(before.Id);
    expect(after.Labels?.[LABEL.cluster]).toBe(h.clusterId);
    expect(Object.values(after.Containers ?? {}).some((c: any) => c.IPv4Address?.startsWith(`${pod.status!.podIP}/`))).toBe(true);
  });
});
