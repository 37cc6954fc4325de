import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../../main/client/types';
import { images } from '../fixtures/env';
import type { KubeObject } from '../../main/api/object';
import { watchUntil } from '../fixtures/watch';
import { getPod, ourContainers, podEvents, podManifest, startHarness, waitFor, type Harness } from './kubelet-harness';

const busybox = { image: images.busybox, imagePullPolicy: 'IfNotPresent' as const };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('configuration reaches the containers', () => {
  let h: Harness;
  let hostDir: string;
  beforeAll(async () => {
    h = await startHarness();
    hostDir = await mkdtemp(path.join(os.tmpdir(), 'kubelab-hostpath-'));
    await h.client.create(
      R.configmaps,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { 'mode.txt': 'fast', LEVEL: '3' } },
      { namespace: 'default' },
    );
    await h.client.create(
      R.secrets,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: 'default' }, data: { password: b64('s3cret') } },
      { namespace: 'default' },
    );
  });
  afterAll(async () => {
    await h?.close();
    await rm(hostDir, { recursive: true, force: true });
  });
  const create = (name: string, spec: Partial<Pod['spec']>, labels?: Record<string, string>) => {
    const m = podManifest(name, h.nodeName, spec);
    if (labels) m.metadata.labels = labels;
    return h.client.create(R.pods, m, { namespace: 'default' });
  };
  const execOut = async (pod: string, cmd: string[]) => {
    const p = await getPod(h.client, pod);
    return (await h.runtime.execSync(p.status!.containerStatuses![0].containerID!.slice(9), cmd, 5000)).stdout;
  };

  it('volumes: configMap, secret (defaultMode 0600), downwardAPI, projected, hostPath, emptyDir in memory; env from every source', async () => {
    await create(
      'configured',
      {
        volumes: [
          { name: 'cfg', configMap: { name: 'app-config' } },
          { name: 'sec', secret: { secretName: 'app-secret', defaultMode: 0o600 } },
          {
            name: 'info',
            downwardAPI: {
              items: [
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              ],
            },
          },
          {
            name: 'all',
            projected: { sources: [{ configMap: { name: 'app-config', items: [{ key: 'LEVEL', path: 'level' }] } }, { secret: { name: 'app-secret' } }] },
          },
          { name: 'host', hostPath: { path: hostDir, type: 'Directory' } },
          { name: 'mem', emptyDir: { medium: 'Memory' } },
        ],
        containers: [
          {
            name: 'app',
            ...busybox,
            command: ['sh', '-c', 'echo from-pod > /host/out.txt; exec sleep 3600'],
            env: [
              { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LEVEL' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              { name: 'GREETING', value: 'level-$(LEVEL)' },
            ],
            resources: { limits: { cpu: '500m', memory: '64Mi' } },
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'sec', mountPath: '/etc/sec' },
              { name: 'info', mountPath: '/etc/info' },
              { name: 'all', mountPath: '/etc/all' },
              { name: 'host', mountPath: '/host' },
              { name: 'mem', mountPath: '/mem' },
            ],
          },
        ],
      },
      { app: 'configured', tier: 'web' },
    );
    const pod = await waitFor('configured Running', async () => {
      const p = await getPod(h.client, 'configured');
      return p.status?.phase === 'Running' && p;
    });
    expect(await execOut('configured', ['cat', '/etc/cfg/mode.txt'])).toBe('fast');
    expect(await execOut('configured', ['cat', '/etc/sec/password'])).toBe('s3cret');
    expect((await execOut('configured', ['stat', '-c', '%a', '/etc/sec/password'])).trim()).toBe('600');
    expect(await execOut('configured', ['cat', '/etc/info/labels'])).toBe('app="configured"\ntier="web"');
    expect(await execOut('configured', ['cat', '/etc/info/name'])).toBe('configured');
    expect(await execOut('configured', ['cat', '/etc/all/level'])).toBe('3');
    expect(await execOut('configured', ['cat', '/etc/all/password'])).toBe('s3cret');
    expect(await execOut('configured', ['sh', '-c', 'grep " /mem " /proc/mounts | cut -d" " -f3'])).toBe('tmpfs\n');
    await waitFor('hostPath write seen on the host', async () => (await readFile(path.join(hostDir, 'out.txt'), 'utf8').catch(() => '')) === 'from-pod\n');
    const env = await execOut('configured', ['env']);
    expect(env).toContain('LEVEL=3\n');
    expect(env).toContain('PASSWORD=s3cret\n');
    expect(env).toContain(`POD_IP=${pod.status!.podIP}\n`);
    expect(env).toContain('MEM_LIMIT=64\n');
    expect(env).toContain('GREETING=level-3\n');
    const info = await h.docker.getContainer(pod.status!.containerStatuses![0].containerID!.slice(9)).inspect();
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(pod.status!.qosClass).toBe('Guaranteed');
  });

  it('a missing configMap keeps the pod in ContainerCreating with a FailedMount event', async () => {
    await create('no-config', {
      volumes: [{ name: 'cfg', configMap: { name: 'absent' } }],
      containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
    });
    const ev = await waitFor('FailedMount', async () => (await podEvents(h.client, 'no-config')).find((e) => e.reason === 'FailedMount'));
    expect(ev.message).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "absent" not found');
    expect((await getPod(h.client, 'no-config')).status!.containerStatuses![0].state!.waiting!.reason).toBe('ContainerCreating');
  });

  it('a missing secret key: CreateContainerConfigError', async () => {
    await create('bad-env', {
      containers: [
        { name: 'app', ...busybox, command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'nope' } } }] },
      ],
    });
    const p = await waitFor('CreateContainerConfigError', async () => {
      const pod = await getPod(h.client, 'bad-env');
      return pod.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' && pod;
    });
    expect(p.status!.containerStatuses![0].state!.waiting!.message).toBe("couldn't find key nope in Secret default/app-secret");
  });

  it('termination message and OOMKilled are reported', async () => {
    await create('says-bye', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', ...busybox, command: ['sh', '-c', 'echo goodbye > /dev/termination-log; exit 4'] }],
    });
    await create('oom', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', ...busybox, command: ['sh', '-c', 'tail /dev/zero'], resources: { limits: { memory: '16Mi' } } }],
    });
    const bye = await waitFor('says-bye Failed', async () => {
      const p = await getPod(h.client, 'says-bye');
      return p.status?.phase === 'Failed' && p;
    });
    expect(bye.status!.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 4, reason: 'Error', message: 'goodbye\n' });
    const oom = await waitFor('oom Failed', async () => {
      const p = await getPod(h.client, 'oom');
      return p.status?.phase === 'Failed' && p;
    });
    expect(oom.status!.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('termination messages are bounded as upstream: 4 KiB of the file, 2 KiB of the log tail, 12 KiB per pod', async () => {
    // 1 MiB into the termination log, ending in a marker
    await create('says-much', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          ...busybox,
          command: ['sh', '-c', 'head -c 1048576 /dev/zero | tr "\\0" a > /dev/termination-log; echo -n THE-END >> /dev/termination-log; exit 1'],
        },
      ],
    });
    // FallbackToLogsOnError: 200 lines of 100 bytes on stdout, nothing in the file
    await create('logs-much', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          ...busybox,
          terminationMessagePolicy: 'FallbackToLogsOnError',
          command: ['sh', '-c', 'i=0; while [ $i -lt 200 ]; do printf "%03d%096d\\n" $i 0; i=$((i+1)); done; exit 2'],
        },
      ],
    });
    // four containers with 8 KiB each: 3 KiB each reach the status
    const four = ['a', 'b', 'c', 'd'].map((name) => ({
      name,
      ...busybox,
      command: ['sh', '-c', `head -c 8192 /dev/zero | tr "\\0" ${name} > /dev/termination-log; exit 3`],
    }));
    await create('many-say', { restartPolicy: 'Never', containers: four });
    const failed = (name: string) =>
      watchUntil<Pod & KubeObject>(h.client, R.pods, name, `${name} Failed`, (p) => p.status?.phase === 'Failed', { namespace: 'default', timeoutMs: 60_000 });

    const much = (await failed('says-much')).status!.containerStatuses![0].state!.terminated!.message!;
    expect(much).toHaveLength(4096);
    expect(much).toBe('a'.repeat(4089) + 'THE-END');

    const logged = (await failed('logs-much')).status!.containerStatuses![0].state!.terminated!.message!;
    expect(Buffer.byteLength(logged)).toBeLessThanOrEqual(2048);
    expect(logged.endsWith(`199${'0'.repeat(96)}\n`)).toBe(true);
    expect(logged).not.toContain(`119${'0'.repeat(96)}`); // older than the last 80 lines' last 2 KiB

    const msgs = (await failed('many-say')).status!.containerStatuses!.map((c) => [c.name, c.state!.terminated!.message]);
    expect(msgs).toEqual(['a', 'b', 'c', 'd'].map((n) => [n, n.repeat(3072)]));
  });

  it('postStart and preStop hooks run; deletion waits for preStop, then removes everything', async () => {
    await create('hooked', {
      terminationGracePeriodSeconds: 3,
      volumes: [{ name: 'host', hostPath: { path: hostDir } }],
      containers: [
        {
          name: 'app',
          ...busybox,
          command: ['sleep', '3600'],
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
          lifecycle: {
            postStart: { exec: { command: ['sh', '-c', 'echo started > /host/poststart'] } },
            preStop: { exec: { command: ['sh', '-c', 'echo stopping > /host/prestop'] } },
          },
        },
      ],
    });
    await waitFor('hooked Running', async () => (await getPod(h.client, 'hooked')).status?.phase === 'Running');
    expect(await readFile(path.join(hostDir, 'poststart'), 'utf8')).toBe('started\n');
    await h.client.delete(R.pods, 'hooked', { namespace: 'default' });
    await waitFor(
      'hooked gone',
      async () => {
        try {
          await getPod(h.client, 'hooked');
          return false;
        } catch {
          return true;
        }
      },
      30_000,
    );
    expect(await readFile(path.join(hostDir, 'prestop'), 'utf8')).toBe('stopping\n');
    const left = await h.docker.listContainers({ all: true, filters: { label: [`kubelab.io/cluster=${h.clusterId}`, 'io.kubernetes.pod.name=hooked'] } });
    expect(left).toEqual([]);
    const actions = h.steps.filter((s) => s.pod.name === 'hooked').map((s) => s.step.action);
    expect(actions).toEqual(expect.arrayContaining(['hook:PostStart', 'hook:PreStop', 'terminate']));
  });

  it('a symlink planted in an emptyDir by one container does not make the next subPath mount a host path', async () => {
    await writeFile(path.join(hostDir, 'host-only'), 'on the host\n');
    await create('planted', {
      volumes: [{ name: 'shared', emptyDir: {} }],
      // the first container plants a link to the host directory, and a real directory beside it
      initContainers: [
        {
          name: 'planter',
          ...busybox,
          command: ['sh', '-c', `ln -s ${hostDir} /shared/escape && mkdir /shared/fine && echo inside > /shared/fine/f`],
          volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
        },
      ],
      containers: [
        { name: 'victim', ...busybox, command: ['sleep', '3600'], volumeMounts: [{ name: 'shared', mountPath: '/mnt', subPath: 'escape' }] },
        { name: 'neighbour', ...busybox, command: ['sleep', '3600'], volumeMounts: [{ name: 'shared', mountPath: '/mnt', subPath: 'fine' }] },
      ],
    });
    const p = await waitFor('victim in CreateContainerConfigError', async () => {
      const pod = await getPod(h.client, 'planted');
      const cs = pod.status?.containerStatuses?.find((c) => c.name === 'victim');
      return cs?.state?.waiting?.reason === 'CreateContainerConfigError' && pod;
    });
    const victim = p.status!.containerStatuses!.find((c) => c.name === 'victim')!;
    expect(victim.state!.waiting!.message).toBe('failed to prepare subPath for volumeMount "shared" of container "victim"');
    const events = await podEvents(h.client, 'planted');
    expect(events.find((e) => e.reason === 'Failed' && e.type === 'Warning')?.message).toBe(
      'Error: failed to prepare subPath for volumeMount "shared" of container "victim"',
    );
    // the neighbour's subPath stays inside the volume and runs
    const ok = await waitFor('neighbour running', async () => {
      const pod = await getPod(h.client, 'planted');
      return pod.status?.containerStatuses?.find((c) => c.name === 'neighbour')?.state?.running && pod;
    });
    const nid = ok.status!.containerStatuses!.find((c) => c.name === 'neighbour')!.containerID!.slice(9);
    expect((await h.runtime.execSync(nid, ['cat', '/mnt/f'], 5000)).stdout).toBe('inside\n');
    // no container of the pod was made with the host directory mounted
    const containers = await ourContainers(h.docker, h.clusterId, 'planted');
    expect(containers.map((c) => c.Labels['io.kubernetes.container.name']).sort()).toEqual(['POD', 'neighbour', 'planter']);
    for (const c of containers) {
      const info = await h.docker.getContainer(c.Id).inspect();
      for (const m of info.Mounts) expect(await realpath(m.Source).catch(() => m.Source)).not.toBe(await realpath(hostDir));
    }
  });
});
