// Issue 14: "The lab never exhausts an engine's address pools". Fifty labs are made on the main engine, each runs a
// pod, and each is discarded: half by Reset (which removes its containers, volumes and networks and its data dir),
// half by deleting the data dir of a stopped lab (the next lab's start sweeps the network left behind). Then one more
// lab runs a pod, and the engine keeps nothing of the fifty.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../main/api/object';
import { Cluster } from '../../main/cluster';
import { R } from '../../main/client/types';
import { LABEL } from '../../main/runtime/types';
import { removeLabObjects } from '../../main/runtime/docker/lab-objects';
import { setLogSink } from '../../main/log';
import { contexts, images, mainSocket } from '../fixtures/env';
import { watchGone, watchUntil } from '../fixtures/watch';

if (!process.env.KUBELAB_LOG) setLogSink(() => {});
const LABS = Number(process.env.KUBELAB_CHURN_LABS ?? 50);
const docker = new Docker({ socketPath: mainSocket });
const ids: string[] = [];
let root: string;
let last: Cluster | undefined;

afterAll(async () => {
  await last?.stop();
  for (const id of ids) await removeLabObjects(docker, { clusterId: id, lastOnEngine: true }).catch(() => undefined);
  if (root) await rm(root, { recursive: true, force: true });
});

const admin = { username: 'test', groups: ['system:masters', 'system:authenticated'] };

/** Starts a lab on the main engine, runs one pod there until Running, and returns the lab. */
async function labWithPod(dataDir: string, name: string): Promise<Cluster> {
  const lab = new Cluster({ dataDir, apiPort: 0, nodes: [contexts.main] });
  await lab.start();
  ids.push(lab.clusterId!);
  const client = lab.api!.client(admin);
  await client.create(
    R.pods,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      // ends at once on SIGTERM, so a graceful delete is quick
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [{ name: 'c', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'] }],
      },
    },
    { namespace: 'default' },
  );
  await watchUntil<Pod & KubeObject>(client, R.pods, name, `pod ${name} Running in lab ${lab.clusterId}`, (p) => p.status?.phase === 'Running', {
    namespace: 'default',
  });
  return lab;
}

const labNetworksOf = async (clusterIds: string[]) =>
  (await docker.listNetworks({ filters: { label: [LABEL.cluster] } })).filter((n) => clusterIds.includes(n.Labels?.[LABEL.cluster] ?? ''));

describe(`${LABS} labs made and discarded in a row on one engine`, () => {
  it('leave no network, container or volume behind, and the next lab still runs pods', { timeout: 900_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'kubelab-churn-'));
    for (let i = 0; i < LABS; i++) {
      const dataDir = join(root, `lab-${i}`);
      const lab = await labWithPod(dataDir, `p${i}`);
      if (i % 2 === 0) {
        const r = await lab.reset();
        expect(r.removed.networks, `lab ${i} reset removed its network`).toBe(1);
        expect(r.removed.containers, `lab ${i} reset removed its pod's containers`).toBeGreaterThanOrEqual(2);
      } else {
        // the user deletes the pod (as kubectl delete: the kubelet stops and removes its containers, then the object
        // goes), stops the lab and deletes its data dir: its empty network stays until another lab starts
        const client = lab.api!.client(admin);
        const gone = watchGone(client, R.pods, `p${i}`, `pod p${i} gone`, { namespace: 'default' });
        await client.delete(R.pods, `p${i}`, { namespace: 'default' });
        await gone;
        await lab.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
    last = await labWithPod(join(root, 'after'), 'after');
    const fifty = ids.slice(0, LABS);
    // the last discarded one's network went when `after` started (its data dir is gone): nothing of the fifty stays
    expect((await labNetworksOf(fifty)).map((n) => n.Name)).toEqual([]);
    const containers = await docker.listContainers({ all: true, filters: { label: [LABEL.cluster] } });
    expect(containers.filter((c) => fifty.includes(c.Labels?.[LABEL.cluster] ?? '')).map((c) => c.Names[0])).toEqual([]);
    const volumes = (await docker.listVolumes({ filters: { label: [LABEL.cluster] } })).Volumes ?? [];
    expect(volumes.filter((v) => fifty.includes(v.Labels?.[LABEL.cluster] ?? '')).map((v) => v.Name)).toEqual([]);
  });
});
