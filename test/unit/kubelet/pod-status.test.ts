import { describe, expect, it } from 'vitest';
import type { ContainerStatus as K8sCS, Pod } from 'kubernetes-types/core/v1';
import { displayStatus, generatePodStatus, getPhase, qosClass } from '../../../main/kubelet/pod-status';
import type { ContainerStatus, SandboxStatus } from '../../../main/runtime/types';

const running: K8sCS = { name: 'c', image: 'i', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: 't' } } };
const waiting: K8sCS = { name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } };
const term = (exitCode: number): K8sCS => ({ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode } } });
const crashLoop = (exitCode: number): K8sCS => ({ ...waiting, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode } } });
const podWith = (restartPolicy: string): Pod => ({ metadata: { name: 'p' }, spec: { restartPolicy, containers: [] } });

describe('getPhase', () => {
  it.each([
    { name: 'nothing started', policy: 'Always', init: [], cs: [waiting], want: 'Pending' },
    { name: 'running', policy: 'Always', init: [], cs: [running], want: 'Running' },
    { name: 'init running', policy: 'Always', init: [running], cs: [waiting], want: 'Pending' },
    { name: 'init failed, Never', policy: 'Never', init: [term(1)], cs: [waiting], want: 'Failed' },
    { name: 'init failed, Always: retried', policy: 'Always', init: [term(1)], cs: [waiting], want: 'Pending' },
    { name: 'init done, containers running', policy: 'Always', init: [term(0)], cs: [running], want: 'Running' },
    { name: 'all exited 0, Never', policy: 'Never', init: [], cs: [term(0)], want: 'Succeeded' },
    { name: 'exited 1, Never', policy: 'Never', init: [], cs: [term(1)], want: 'Failed' },
    { name: 'exited 0, OnFailure', policy: 'OnFailure', init: [], cs: [term(0)], want: 'Succeeded' },
    { name: 'exited 1, OnFailure: restarting', policy: 'OnFailure', init: [], cs: [term(1)], want: 'Running' },
    { name: 'exited, Always: restarting', policy: 'Always', init: [], cs: [term(0)], want: 'Running' },
    { name: 'CrashLoopBackOff, Always', policy: 'Always', init: [], cs: [crashLoop(1)], want: 'Running' },
    { name: 'one running, one exited 0, Never', policy: 'Never', init: [], cs: [running, term(0)], want: 'Running' },
  ])('$name -> $want', ({ policy, init, cs, want }) => {
    expect(getPhase(podWith(policy), init, cs)).toBe(want);
  });
});

describe('qosClass', () => {
  const withRes = (resources: object): Pod => ({ metadata: {}, spec: { containers: [{ name: 'c', resources }] } });
  it.each([
    { name: 'no requests or limits', res: {}, want: 'BestEffort' },
    { name: 'limits only (requests default to them)', res: { limits: { cpu: '1', memory: '1Gi' } }, want: 'Guaranteed' },
    { name: 'requests = limits', res: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, want: 'Guaranteed' },
    { name: 'requests below limits', res: { requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } }, want: 'Burstable' },
    { name: 'requests only', res: { requests: { memory: '10Mi' } }, want: 'Burstable' },
  ])('$name -> $want', ({ res, want }) => expect(qosClass(withRes(res))).toBe(want));
});

describe('generatePodStatus', () => {
  const ref = { uid: 'u', name: 'web', namespace: 'default' };
  const sb: SandboxStatus = { id: 'sb', pod: ref, attempt: 0, state: 'ready', ip: '172.18.0.5', createdAt: '2026-01-01T00:00:00Z' };
  const c = (over: Partial<ContainerStatus>): ContainerStatus => ({
    id: 'c1',
    pod: ref,
    name: 'app',
    image: 'img',
    imageID: 'docker-pullable://img@sha256:1',
    state: 'running',
    restartCount: 0,
    createdAt: '2026-01-01T00:00:01Z',
    startedAt: '2026-01-01T00:00:02.123Z',
    ...over,
  });
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'default', uid: 'u' },
    spec: { containers: [{ name: 'app', image: 'img', readinessProbe: { exec: { command: ['true'] } } }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
  const now = '2026-01-01T00:00:05.000Z';

  it('a running but not yet ready container: Running, not Ready, with the reason', () => {
    const s = generatePodStatus({ pod, sandbox: sb, containers: [c({})], ready: () => false, now, hostIP: '172.18.0.1' });
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('172.18.0.5');
    expect(s.podIPs).toEqual([{ ip: '172.18.0.5' }]);
    expect(s.hostIP).toBe('172.18.0.1');
    expect(s.qosClass).toBe('BestEffort');
    const ready = s.conditions!.find((x) => x.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    expect(s.conditions!.find((x) => x.type === 'PodScheduled')!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(s.containerStatuses![0]).toMatchObject({
      name: 'app',
      ready: false,
      started: true,
      containerID: 'docker://c1',
      state: { running: { startedAt: '2026-01-01T00:00:02Z' } },
    });
  });

  it('ready once the probe says so; transition times kept when nothing changes', () => {
    const s1 = generatePodStatus({ pod, sandbox: sb, containers: [c({})], ready: () => true, now });
    expect(s1.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');
    const s2 = generatePodStatus({ pod: { ...pod, status: s1 }, sandbox: sb, containers: [c({})], ready: () => true, now: '2026-01-01T00:01:00Z' });
    expect(s2.conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime).toBe(s1.conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime);
  });

  it('crash loop: waiting CrashLoopBackOff with the last termination and the restart count', () => {
    const s = generatePodStatus({
      pod,
      sandbox: sb,
      now,
      containers: [
        c({ id: 'c0', state: 'exited', exitCode: 1, restartCount: 0, finishedAt: '2026-01-01T00:00:03Z' }),
        c({ id: 'c1', state: 'exited', exitCode: 2, restartCount: 1, finishedAt: '2026-01-01T00:00:04Z' }),
      ],
      waiting: new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=web_default(u)' }]]),
    });
    expect(s.containerStatuses![0]).toMatchObject({
      restartCount: 1,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 2, reason: 'Error' } },
    });
    expect(displayStatus(pod, s)).toBe('CrashLoopBackOff');
  });

  it('init containers: pending with Init:0/1, then PodInitializing', () => {
    const p: Pod = { ...pod, spec: { ...pod.spec!, initContainers: [{ name: 'init', image: 'img' }] } };
    const s = generatePodStatus({ pod: p, sandbox: sb, now, containers: [c({ id: 'i1', name: 'init' })] });
    expect(s.phase).toBe('Pending');
    expect(s.conditions!.find((x) => x.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init]',
    });
    expect(s.containerStatuses![0].state!.waiting!.reason).toBe('PodInitializing');
    expect(displayStatus(p, s)).toBe('Init:0/1');
  });

  it('failed init with Never: Failed and Init:Error', () => {
    const p: Pod = { ...pod, spec: { ...pod.spec!, restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'img' }] } };
    const s = generatePodStatus({ pod: p, sandbox: sb, now, containers: [c({ id: 'i1', name: 'init', state: 'exited', exitCode: 3 })] });
    expect(s.phase).toBe('Failed');
    expect(displayStatus(p, s)).toBe('Init:Error');
  });

  it('OOMKilled shows as the termination reason', () => {
    const p: Pod = { ...pod, spec: { ...pod.spec!, restartPolicy: 'Never' } };
    const s = generatePodStatus({ pod: p, sandbox: sb, now, containers: [c({ state: 'exited', exitCode: 137, reason: 'OOMKilled' })] });
    expect(s.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(s.phase).toBe('Failed');
  });

  it('image pull errors are the waiting reason', () => {
    const s = generatePodStatus({
      pod,
      sandbox: sb,
      now,
      containers: [],
      waiting: new Map([['app', { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' }]]),
    });
    expect(s.containerStatuses![0].state!.waiting).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' });
    expect(s.phase).toBe('Pending');
  });
});
