// What Docker users do behind the lab's back: `docker kill` and `docker rm -f` of a pod's containers.
// The kubelet restarts or recreates them per restartPolicy and says so in events, as upstream's does.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images, mainSocket } from '../fixtures/env';
import { startServe, type Serve } from '../fixtures/serve';

let serve: Serve;
const docker = new Docker({ socketPath: mainSocket });

async function json<T>(args: string[]): Promise<T> {
  const r = await serve.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

interface PodJson {
  metadata: { uid: string };
  status: {
    phase: string;
    containerStatuses?: { containerID?: string; restartCount: number; ready: boolean; state: Record<string, { exitCode?: number; reason?: string }> }[];
  };
}

const appStatus = async (name: string) => (await json<PodJson>(['get', 'pod', name])).status.containerStatuses?.[0];
const idOf = (containerID?: string) => (containerID ?? '').replace('docker://', '');

async function labContainers(pod: string, container?: string): Promise<Docker.ContainerInfo[]> {
  const filters = [`io.kubernetes.pod.name=${pod}`, `kubelab.io/cluster=${await serve.clusterId()}`];
  if (container) filters.push(`io.kubernetes.container.name=${container}`);
  return docker.listContainers({ all: true, filters: { label: filters } });
}

async function eventReasons(pod: string): Promise<string[]> {
  const list = await json<{ items: { reason: string; count?: number }[] }>(['get', 'events', '--field-selector', `involvedObject.name=${pod}`]);
  return list.items.flatMap((e) => Array(e.count ?? 1).fill(e.reason) as string[]);
}

async function runPod(name: string, restartPolicy: string): Promise<void> {
  const r = await serve.kubectl([
    'run',
    name,
    `--image=${images.busybox}`,
    '--image-pull-policy=IfNotPresent',
    `--restart=${restartPolicy}`,
    '--',
    'sleep',
    '3600',
  ]);
  expect(r.code, r.stderr).toBe(0);
  const w = await serve.kubectl(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
  expect(w.code, w.stderr).toBe(0);
}

beforeAll(async () => {
  serve = await startServe();
});

afterAll(async () => {
  await serve?.stop();
});

describe('containers changed from outside the lab', () => {
  it('docker kill: the container is restarted (restartPolicy Always), restartCount 1, events say so', async () => {
    await runPod('killed', 'Always');
    const before = await appStatus('killed');
    await docker.getContainer(idOf(before?.containerID)).kill();
    await expect.poll(async () => (await appStatus('killed'))?.restartCount, { timeout: 60_000, interval: 500 }).toBe(1);
    await expect.poll(async () => (await appStatus('killed'))?.ready, { timeout: 60_000, interval: 500 }).toBe(true);
    const after = await appStatus('killed');
    expect(idOf(after?.containerID)).not.toBe(idOf(before?.containerID));
    expect(after?.state.running).toBeDefined();
    const reasons = await eventReasons('killed');
    expect(reasons.filter((r) => r === 'Started').length).toBeGreaterThanOrEqual(2);
  });

  it('docker rm -f of the app container: recreated, restartCount grows', async () => {
    await runPod('removed', 'Always');
    const before = await appStatus('removed');
    await docker.getContainer(idOf(before?.containerID)).remove({ force: true });
    await expect.poll(async () => (await appStatus('removed'))?.restartCount, { timeout: 60_000, interval: 500 }).toBe(1);
    await expect.poll(async () => (await appStatus('removed'))?.ready, { timeout: 60_000, interval: 500 }).toBe(true);
    const running = (await labContainers('removed', 'removed')).filter((c) => c.State === 'running');
    expect(running).toHaveLength(1);
    // the vanished container is recreated, not "killed" as if it were in an unknown state
    expect(await eventReasons('removed')).not.toContain('Killing');
  });

  it('docker rm -f of the sandbox: SandboxChanged, the pod gets a new sandbox and its containers again', async () => {
    await runPod('sandbox-gone', 'Always');
    const before = await appStatus('sandbox-gone');
    const [pause] = await labContainers('sandbox-gone', 'POD');
    expect(pause).toBeDefined();
    await docker.getContainer(pause.Id).remove({ force: true });
    await expect.poll(async () => (await eventReasons('sandbox-gone')).includes('SandboxChanged'), { timeout: 60_000, interval: 500 }).toBe(true);
    await expect
      .poll(async () => (await labContainers('sandbox-gone', 'POD')).filter((c) => c.State === 'running' && c.Id !== pause.Id).length, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe(1);
    // the status says ready again for a new container (the old container's ready status can linger until the kubelet's next sync)
    await expect
      .poll(
        async () => {
          const s = await appStatus('sandbox-gone');
          return !!s?.ready && !!s.containerID && s.containerID !== before?.containerID;
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(true);
    // the app runs in the new sandbox, and only one copy of it runs
    const apps = (await labContainers('sandbox-gone', 'sandbox-gone')).filter((c) => c.State === 'running');
    expect(apps).toHaveLength(1);
    const [newPause] = (await labContainers('sandbox-gone', 'POD')).filter((c) => c.State === 'running');
    const inspect = await docker.getContainer(apps[0].Id).inspect();
    expect(inspect.HostConfig.NetworkMode).toBe(`container:${newPause.Id}`);
  });

  it('docker kill with restartPolicy Never: the pod fails with exit code 137 and is not restarted', async () => {
    await runPod('never', 'Never');
    const before = await appStatus('never');
    await docker.getContainer(idOf(before?.containerID)).kill();
    await expect.poll(async () => (await json<PodJson>(['get', 'pod', 'never'])).status.phase, { timeout: 60_000, interval: 500 }).toBe('Failed');
    const after = await appStatus('never');
    expect(after?.restartCount).toBe(0);
    expect(after?.state.terminated?.exitCode).toBe(137);
    const get = await serve.kubectl(['get', 'pod', 'never', '--no-headers']);
    expect(get.stdout).toMatch(/\bError\b/);
  });
});
