// securityContext on a real engine: what the pod asks for is what Docker runs (seen through the Docker API
// and from inside the container), runAsNonRoot is enforced by the kubelet, unsafe sysctls are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../../main/client/types';
import { images } from '../fixtures/env';
import { getPod, ourContainers, podEvents, podManifest, startHarness, waitFor, type Harness } from './kubelet-harness';

const busybox = { image: images.busybox, imagePullPolicy: 'IfNotPresent' as const };

describe('securityContext reaches the containers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  const create = (name: string, spec: Partial<Pod['spec']>) => h.client.create(R.pods, podManifest(name, h.nodeName, spec), { namespace: 'default' });
  const running = (name: string) =>
    waitFor(`${name} Running`, async () => {
      const p = await getPod(h.client, name);
      return p.status?.phase === 'Running' && p;
    });
  const inspectOf = async (pod: string, container: string) => {
    const c = (await ourContainers(h.docker, h.clusterId, pod)).find((x) => x.Labels['io.kubernetes.container.name'] === container)!;
    return h.docker.getContainer(c.Id).inspect();
  };

  it('user, groups, capabilities, no-new-privileges, seccomp, read-only root and sysctls', async () => {
    await create('locked', {
      securityContext: {
        runAsUser: 1000,
        runAsGroup: 2000,
        supplementalGroups: [3000],
        seccompProfile: { type: 'Unconfined' },
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }],
      },
      containers: [
        {
          name: 'app',
          ...busybox,
          command: ['sleep', '3600'],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
        },
      ],
    });
    const p = await running('locked');
    const info = await inspectOf('locked', 'app');
    expect(info.Config.User).toBe('1000:2000');
    expect(info.HostConfig).toMatchObject({ GroupAdd: ['3000'], CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE'], ReadonlyRootfs: true });
    expect(info.HostConfig.SecurityOpt).toEqual(['no-new-privileges', 'seccomp=unconfined']);
    expect((await inspectOf('locked', 'POD')).HostConfig.Sysctls).toEqual({ 'net.ipv4.ip_unprivileged_port_start': '80' });
    const id = p.status!.containerStatuses![0].containerID!.slice(9);
    const exec = async (cmd: string) => (await h.runtime.execSync(id, ['sh', '-c', cmd], 5000)).stdout;
    expect(await exec('id -u; id -g; id -G')).toBe('1000\n2000\n2000 3000\n');
    const status = await exec('grep -E "^(CapBnd|NoNewPrivs|Seccomp):" /proc/self/status');
    expect(status).toMatch(/CapBnd:\s+0000000000000400\n/);
    expect(status).toMatch(/NoNewPrivs:\s+1\n/);
    expect(status).toMatch(/Seccomp:\s+0\n/);
    expect(await exec('cat /proc/sys/net/ipv4/ip_unprivileged_port_start')).toBe('80\n');
    expect(await exec('touch /root-is-read-only 2>&1 || echo refused')).toContain('refused');
  });

  it('runAsNonRoot: an image that runs as root is refused by the kubelet, as upstream', async () => {
    await create('nonroot', { securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'] }] });
    const p = await waitFor('CreateContainerConfigError', async () => {
      const pod = await getPod(h.client, 'nonroot');
      return pod.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' && pod;
    });
    const msg = `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${p.metadata!.uid})", container: app)`;
    expect(p.status!.containerStatuses![0].state!.waiting!.message).toBe(msg);
    expect((await podEvents(h.client, 'nonroot')).some((e) => e.reason === 'Failed' && e.message === `Error: ${msg}`)).toBe(true);
    expect((await ourContainers(h.docker, h.clusterId, 'nonroot')).map((c) => c.Labels['io.kubernetes.container.name'])).toEqual(['POD']);
    // with a non-root user it runs
    await create('nonroot-ok', {
      securityContext: { runAsNonRoot: true, runAsUser: 65534 },
      containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'] }],
    });
    await running('nonroot-ok');
  });

  it("host namespaces: the engine host's network, PID and IPC namespaces", async () => {
    await create('hostns', { hostNetwork: true, hostPID: true, hostIPC: true, containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'] }] });
    const p = await running('hostns');
    const sandbox = await inspectOf('hostns', 'POD');
    expect(sandbox.HostConfig).toMatchObject({ NetworkMode: 'host', IpcMode: 'host', PidMode: 'host' });
    const app = await inspectOf('hostns', 'app');
    expect(app.HostConfig).toMatchObject({ PidMode: 'host', IpcMode: 'host' });
    const { gateway } = await h.runtime.ensureNetwork();
    expect(p.status!.podIP).toBe(gateway);
    // the host's PID 1, not the sandbox's pause
    const id = p.status!.containerStatuses![0].containerID!.slice(9);
    expect((await h.runtime.execSync(id, ['cat', '/proc/1/comm'], 5000)).stdout.trim()).not.toBe('pause');
  });

  it('shareProcessNamespace: the containers see the sandbox and each other', async () => {
    await create('shared', {
      shareProcessNamespace: true,
      containers: [
        { name: 'a', ...busybox, command: ['sleep', '3601'] },
        { name: 'b', ...busybox, command: ['sleep', '3602'] },
      ],
    });
    const p = await running('shared');
    const id = p.status!.containerStatuses!.find((c) => c.name === 'a')!.containerID!.slice(9);
    const ps = (await h.runtime.execSync(id, ['ps', '-o', 'args'], 5000)).stdout;
    expect(ps).toContain('sleep 3602');
  });

  it('an unsafe sysctl: the kubelet refuses the pod (SysctlForbidden), nothing runs', async () => {
    await create('unsafe', {
      securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '65536' }] },
      containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'] }],
    });
    const p = await waitFor('unsafe Failed', async () => {
      const pod = await getPod(h.client, 'unsafe');
      return pod.status?.phase === 'Failed' && pod;
    });
    expect(p.status).toMatchObject({ reason: 'SysctlForbidden', message: 'Pod forbidden sysctl: "kernel.msgmax" not allowlisted' });
    expect((await podEvents(h.client, 'unsafe')).some((e) => e.reason === 'SysctlForbidden' && e.type === 'Warning')).toBe(true);
    expect(await ourContainers(h.docker, h.clusterId, 'unsafe')).toEqual([]);
  });
});
