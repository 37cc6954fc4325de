// hostPorts bind 127.0.0.1 only unless the lab runs with --expose-ports: a pod's `hostIP: 0.0.0.0` does not open
// its port to the network. Checked on the real engine: what `docker port` shows for the pod's sandbox.
import { execFile } from 'node:child_process';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../main/api/object';
import { R } from '../../main/client/types';
import { LABEL } from '../../main/runtime/types';
import { images, mainSocket } from '../fixtures/env';
import { watchUntil } from '../fixtures/watch';
import { ourContainers, podEvents, podManifest, startHarness, type Harness } from './kubelet-harness';

const dockerPort = (id: string) =>
  new Promise<string>((resolve, reject) =>
    execFile('docker', ['-H', `unix://${mainSocket}`, 'port', id], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))),
  );

/** runs a pod with three hostPorts (hostIP 0.0.0.0, none, 127.0.0.1) and answers `docker port` of its sandbox */
async function portsOf(h: Harness): Promise<{ ports: string; p: number[] }> {
  const base = 20000 + Math.floor(Math.random() * 20000);
  const p = [base, base + 1, base + 2];
  const created = await h.client.create(
    R.pods,
    podManifest('exposed', h.nodeName, {
      containers: [
        {
          name: 'main',
          image: images.busybox,
          command: ['sleep', '3600'],
          ports: [
            { containerPort: 8080, hostPort: p[0], hostIP: '0.0.0.0' },
            { containerPort: 8081, hostPort: p[1] },
            { containerPort: 8082, hostPort: p[2], hostIP: '127.0.0.1' },
          ],
        },
      ],
    }),
    { namespace: 'default' },
  );
  // the sandbox holds the ports: once it is up (PodReadyToStartContainers) they are bound, whatever the app does
  const sandboxUp = (o: Pod) => !!o.status?.conditions?.some((c) => c.type === 'PodReadyToStartContainers' && c.status === 'True');
  await watchUntil<Pod & KubeObject>(h.client, R.pods, 'exposed', 'the pod sandbox up', sandboxUp, {
    namespace: 'default',
    fromRevision: created.metadata.resourceVersion,
    timeoutMs: 60_000,
  });
  const sandbox = (await ourContainers(h.docker, h.clusterId, 'exposed')).find((c) => c.Labels[LABEL.containerName] === 'POD')!;
  return { ports: await dockerPort(sandbox.Id), p };
}

/** the pod's HostPortLoopbackOnly warnings: what `kubectl describe pod` shows of a hostIP not honored */
const loopbackWarnings = async (h: Harness) =>
  (await podEvents(h.client, 'exposed')).filter((e) => e.reason === 'HostPortLoopbackOnly').map((e) => `${e.type} ${e.message}`);

describe('hostPort exposure on the real engine', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('binds 127.0.0.1 by default, whatever hostIP a pod asks for', async () => {
    h = await startHarness();
    const { ports, p } = await portsOf(h);
    expect(ports.trim().split('\n').sort()).toEqual([`8080/tcp -> 127.0.0.1:${p[0]}`, `8081/tcp -> 127.0.0.1:${p[1]}`, `8082/tcp -> 127.0.0.1:${p[2]}`]);
    // the one hostIP not honored is said in a Warning event: watched for, as the kubelet writes it beside the status
    const ev = await watchUntil<Event & KubeObject>(
      h.client,
      R.events,
      undefined,
      'a HostPortLoopbackOnly event',
      (e) => e.reason === 'HostPortLoopbackOnly' && e.involvedObject.name === 'exposed',
      { namespace: 'default', timeoutMs: 30_000 },
    );
    expect(`${ev.type} ${ev.message}`).toBe(
      `Warning hostPort ${p[0]}/TCP is bound on 127.0.0.1 only, not on hostIP 0.0.0.0: the lab was started without --expose-ports`,
    );
    expect(await loopbackWarnings(h)).toHaveLength(1);
  });

  it('binds every interface with --expose-ports (the lab-wide option), a loopback hostIP still kept', async () => {
    h = await startHarness({ exposePorts: true });
    const { ports, p } = await portsOf(h);
    expect(ports.trim().split('\n').sort()).toEqual([`8080/tcp -> 0.0.0.0:${p[0]}`, `8081/tcp -> 0.0.0.0:${p[1]}`, `8082/tcp -> 127.0.0.1:${p[2]}`]);
    expect(await loopbackWarnings(h)).toEqual([]);
  });
});
