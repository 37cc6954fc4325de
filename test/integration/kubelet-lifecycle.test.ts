import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../../main/client/types';
import { images, registry } from '../fixtures/env';
import type { KubeObject } from '../../main/api/object';
import { watchUntil } from '../fixtures/watch';
import { getPod, ourContainers, podEvents, podManifest, startHarness, waitFor, type Harness } from './kubelet-harness';

const busybox = { image: images.busybox, imagePullPolicy: 'IfNotPresent' as const };
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;

describe('pod lifecycle on the real engine', () => {
  let h: Harness;
  beforeAll(async () => {
    // short crash-loop back-off so the test sees several restarts
    h = await startHarness({ backoff: { initialMs: 1000, maxMs: 4000 }, imageBackoff: { initialMs: 1000, maxMs: 4000 } });
  });
  afterAll(async () => {
    await h?.close();
  });
  const create = (name: string, spec: Partial<Pod['spec']>) => h.client.create(R.pods, podManifest(name, h.nodeName, spec), { namespace: 'default' });

  it('init containers hand a file over through an emptyDir, one at a time, before the app starts', async () => {
    await create('init-handover', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        { name: 'write', ...busybox, command: ['sh', '-c', 'echo hello-from-init > /work/msg'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        { name: 'append', ...busybox, command: ['sh', '-c', 'echo second >> /work/msg'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
      ],
      containers: [{ name: 'app', ...busybox, command: ['sh', '-c', 'cat /work/msg; exec sleep 3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    });
    const pod = await waitFor('init-handover Ready', async () => {
      const p = await getPod(h.client, 'init-handover');
      return cond(p, 'Ready') === 'True' && p;
    });
    expect(cond(pod, 'Initialized')).toBe('True');
    expect(pod.status!.initContainerStatuses!.map((s) => [s.name, s.state?.terminated?.exitCode, s.state?.terminated?.reason])).toEqual([
      ['write', 0, 'Completed'],
      ['append', 0, 'Completed'],
    ]);
    const logs = await waitFor('app output', async () => {
      const r = await h.kubectl(['logs', 'init-handover']);
      return r.stdout.includes('second') && r.stdout;
    });
    expect(logs).toBe('hello-from-init\nsecond\n');
    const steps = h.steps.filter((s) => s.pod.name === 'init-handover').map((s) => s.step.action);
    expect(steps.indexOf('start-init-container')).toBeLessThan(steps.indexOf('start-container'));
  });

  it('a failing init container with restartPolicy Never fails the pod (Init:Error)', async () => {
    await create('init-fails', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'check', ...busybox, command: ['sh', '-c', 'exit 7'] }],
      containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'] }],
    });
    const pod = await waitFor('init-fails Failed', async () => {
      const p = await getPod(h.client, 'init-fails');
      return p.status?.phase === 'Failed' && p;
    });
    expect(pod.status!.initContainerStatuses![0].state!.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(pod.status!.containerStatuses![0].state!.waiting!.reason).toBe('PodInitializing');
    const r = await h.kubectl(['get', 'pod', 'init-fails', '--no-headers']);
    expect(r.stdout).toContain('Init:Error');
    // the app container never ran
    const names = (await ourContainers(h.docker, h.clusterId, 'init-fails')).map((c) => c.Labels['io.kubernetes.container.name']);
    expect(names).not.toContain('app');
  });

  it('liveness failure: Unhealthy and Killing events, the container restarts', async () => {
    await create('liveness', {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'app',
          ...busybox,
          command: ['sh', '-c', 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600'],
          livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2 },
        },
      ],
    });
    const pod = await waitFor('liveness restart', async () => {
      const p = await getPod(h.client, 'liveness');
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p;
    });
    expect(pod.status!.containerStatuses![0].lastState!.terminated).toBeDefined();
    const evs = await podEvents(h.client, 'liveness');
    expect(evs.find((e) => e.reason === 'Unhealthy')?.message).toMatch(/^Liveness probe failed: /);
    expect(evs.find((e) => e.reason === 'Killing')?.message).toBe('Container app failed liveness probe, will be restarted');
  });

  it('readiness gates Ready: not ready until the probe passes', async () => {
    const created = await create('readiness', {
      containers: [
        {
          name: 'app',
          ...busybox,
          command: ['sh', '-c', 'sleep 3; touch /tmp/ready; exec sleep 3600'],
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
        },
      ],
    });
    // Running but not yet Ready lasts only until the probe passes: watch every status from the create on
    const watchFrom = { namespace: 'default', fromRevision: created.metadata.resourceVersion };
    const running = await watchUntil<Pod & KubeObject>(h.client, R.pods, 'readiness', 'readiness Running', (p) => p.status?.phase === 'Running', watchFrom);
    expect(cond(running, 'Ready')).toBe('False');
    expect(running.status!.containerStatuses![0].ready).toBe(false);
    const ready = await watchUntil<Pod & KubeObject>(h.client, R.pods, 'readiness', 'readiness Ready', (p) => cond(p, 'Ready') === 'True', {
      ...watchFrom,
      fromRevision: running.metadata.resourceVersion,
    });
    expect(ready.status!.containerStatuses![0].ready).toBe(true);
  });

  it('CrashLoopBackOff with back-off events, and logs --previous shows the crashed run', async () => {
    const created = await create('crasher', { containers: [{ name: 'app', ...busybox, command: ['sh', '-c', 'echo run-$RANDOM$RANDOM; exit 1'] }] });
    // CrashLoopBackOff comes and goes with every restart: watch for the status that says it, not a poll that may miss it
    const pod = await watchUntil<Pod & KubeObject>(
      h.client,
      R.pods,
      'crasher',
      'crash loop',
      (p) => {
        const cs = p.status?.containerStatuses?.[0];
        return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && (cs.restartCount ?? 0) >= 2;
      },
      { namespace: 'default', fromRevision: created.metadata.resourceVersion, timeoutMs: 60_000 },
    );
    expect(pod.status!.phase).toBe('Running');
    expect(pod.status!.containerStatuses![0].lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(pod.status!.containerStatuses![0].state!.waiting!.message).toMatch(/^back-off \ds restarting failed container=app pod=crasher_default\(/);
    const evs = await podEvents(h.client, 'crasher');
    expect(evs.some((e) => e.reason === 'BackOff' && e.message!.startsWith('Back-off restarting failed container app in pod crasher_default'))).toBe(true);
    // read both while no restart happens in between (the back-off here is seconds)
    const { cur, prev } = await waitFor('current and previous logs of one moment', async () => {
      const before = (await getPod(h.client, 'crasher')).status!.containerStatuses![0].restartCount;
      const c = await h.kubectl(['logs', 'crasher']);
      const p = await h.kubectl(['logs', 'crasher', '--previous']);
      const after = (await getPod(h.client, 'crasher')).status!.containerStatuses![0].restartCount;
      return before === after && { cur: c.stdout, prev: p.stdout };
    });
    expect(prev).toMatch(/^run-\d+\n$/);
    expect(cur).toMatch(/^run-\d+\n$/);
    expect(prev).not.toBe(cur);
  });

  it('restartPolicy Never and OnFailure: Succeeded, Failed, or restarted', async () => {
    await create('never-ok', { restartPolicy: 'Never', containers: [{ name: 'app', ...busybox, command: ['true'] }] });
    await create('never-fail', { restartPolicy: 'Never', containers: [{ name: 'app', ...busybox, command: ['sh', '-c', 'exit 2'] }] });
    await create('onfailure', {
      restartPolicy: 'OnFailure',
      containers: [
        {
          name: 'app',
          ...busybox,
          command: ['sh', '-c', 'test -f /data/done && exit 0; touch /data/done; exit 3'],
          volumeMounts: [{ name: 'd', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'd', emptyDir: {} }],
    });
    const phase = async (n: string) => (await getPod(h.client, n)).status?.phase;
    await waitFor('never-ok Succeeded', async () => (await phase('never-ok')) === 'Succeeded');
    await waitFor('never-fail Failed', async () => (await phase('never-fail')) === 'Failed');
    const of = await waitFor('onfailure Succeeded after a restart', async () => {
      const p = await getPod(h.client, 'onfailure');
      return p.status?.phase === 'Succeeded' && p;
    });
    expect(of.status!.containerStatuses![0].restartCount).toBe(1);
    const nf = await getPod(h.client, 'never-fail');
    expect(nf.status!.containerStatuses![0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } });
  });

  it('a missing image: ErrImagePull, then ImagePullBackOff', async () => {
    const created = await create('missing-image', { containers: [{ name: 'app', image: `${registry.host}/does-not-exist:1.0` }] });
    // every status the kubelet writes, from the create on: ErrImagePull lasts only until the back-off starts
    const reasons: string[] = [];
    await watchUntil<Pod & KubeObject>(
      h.client,
      R.pods,
      'missing-image',
      'ImagePullBackOff after ErrImagePull',
      (p) => {
        const r = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
        if (r && reasons.at(-1) !== r) reasons.push(r);
        return r === 'ImagePullBackOff';
      },
      { namespace: 'default', fromRevision: created.metadata.resourceVersion },
    );
    expect(reasons.filter((r) => r !== 'ContainerCreating').slice(0, 2)).toEqual(['ErrImagePull', 'ImagePullBackOff']);
    const evs = await podEvents(h.client, 'missing-image');
    expect(evs.map((e) => e.reason)).toEqual(expect.arrayContaining(['Pulling', 'Failed', 'BackOff']));
    expect(evs.find((e) => e.reason === 'Failed')!.message).toMatch(/^Failed to pull image "127\.0\.0\.1:5000\/does-not-exist:1\.0": /);
  });

  it('a real pull from the local registry reports the pull in the events and the trace', async () => {
    await h.docker
      .getImage(registry.nginx)
      .remove({ force: true })
      .catch(() => undefined);
    await create('pulled', { containers: [{ name: 'web', image: registry.nginx, imagePullPolicy: 'Always' }] });
    await waitFor('pulled Running', async () => (await getPod(h.client, 'pulled')).status?.phase === 'Running', 90_000);
    const pulled = (await podEvents(h.client, 'pulled')).find((e) => e.reason === 'Pulled')!;
    expect(pulled.message).toMatch(
      /^Successfully pulled image "127\.0\.0\.1:5000\/nginx:1\.22" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/,
    );
    const step = h.steps.find((s) => s.pod.name === 'pulled' && s.step.action === 'pull-image')!;
    expect(step.step.outcome).toBe('success');
    // layers the engine already holds are not downloaded again, so the list may be empty here
    expect(Array.isArray(step.step.details!.layers)).toBe(true);
    expect(step.step.details!.sizeBytes).toBeGreaterThan(0);
  });

  it('a restart of the kubelet adopts running containers: same ids, nothing created twice', async () => {
    await create('survivor', { containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'] }] });
    await waitFor('survivor Ready', async () => cond(await getPod(h.client, 'survivor'), 'Ready') === 'True');
    const before = (await ourContainers(h.docker, h.clusterId, 'survivor')).map((c) => c.Id).sort();
    const adopted = h.stepSeen((s) => s.pod.name === 'survivor' && s.step.action === 'adopt');
    await h.restartKubelet();
    // the new kubelet's first sync of the pod is over, and it says what it found running
    expect((await adopted).step.details!.containers).toMatchObject([{ name: 'app' }]);
    const after = (await ourContainers(h.docker, h.clusterId, 'survivor')).map((c) => c.Id).sort();
    expect(after).toEqual(before);
    const p = await getPod(h.client, 'survivor');
    expect(p.status!.containerStatuses![0].restartCount).toBe(0);
    expect(cond(p, 'Ready')).toBe('True');
  });

  it('stopping mid grace period leaves the kill to the engine; the next start finishes the deletion', async () => {
    // sleep as PID 1 ignores SIGTERM: only the grace period's SIGKILL ends it
    await create('lingering', { terminationGracePeriodSeconds: 30, containers: [{ name: 'app', ...busybox, command: ['sleep', '3600'] }] });
    await waitFor('lingering Ready', async () => cond(await getPod(h.client, 'lingering'), 'Ready') === 'True');
    await h.client.delete(R.pods, 'lingering', { namespace: 'default' });
    await waitFor('Killing event', async () => (await podEvents(h.client, 'lingering')).some((e) => e.reason === 'Killing'));
    await h.kubelet.stop();
    // quitting did not wait out the 30 s: the app container is still in its grace period
    const app = (await ourContainers(h.docker, h.clusterId, 'lingering')).filter((c) => c.Labels['io.kubernetes.container.name'] === 'app');
    expect(app.map((c) => c.State)).toEqual(['running']);
    expect((await getPod(h.client, 'lingering')).metadata!.deletionTimestamp).toBeTruthy();
    await h.restartKubelet();
    // the new kubelet sees the pod still terminating and finishes: the object and every container go
    await waitFor(
      'pod deleted',
      async () => !(await h.client.list(R.pods, { namespace: 'default' })).items.some((p) => p.metadata.name === 'lingering'),
      90_000,
    );
    await waitFor('containers removed', async () => (await ourContainers(h.docker, h.clusterId, 'lingering')).length === 0, 20_000);
  });

  it('containers of pods that no longer exist are removed (only ours)', async () => {
    await waitFor('survivor Ready', async () => cond(await getPod(h.client, 'survivor'), 'Ready') === 'True');
    await h.kubelet.stop();
    // the object goes while the kubelet is down (a store wiped, or a force delete)
    await h.client.delete(R.pods, 'survivor', { namespace: 'default', gracePeriodSeconds: 0 });
    await h.restartKubelet();
    await waitFor('orphans removed', async () => (await ourContainers(h.docker, h.clusterId, 'survivor')).length === 0, 20_000);
  });
});
