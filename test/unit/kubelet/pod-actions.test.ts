import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { computePodActions, type PodRuntimeState } from '../../../main/kubelet/pod-actions';
import type { ContainerStatus, SandboxStatus } from '../../../main/runtime/types';

const ref = { uid: 'u1', name: 'web', namespace: 'default' };
const sandbox = (over: Partial<SandboxStatus> = {}): SandboxStatus => ({
  id: 'sb0',
  pod: ref,
  attempt: 0,
  state: 'ready',
  ip: '10.0.0.2',
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});
const ctr = (name: string, over: Partial<ContainerStatus> = {}): ContainerStatus => ({
  id: `${name}-${over.restartCount ?? 0}`,
  pod: ref,
  name,
  image: 'img',
  imageID: 'sha',
  state: 'running',
  restartCount: 0,
  createdAt: `2026-01-01T00:00:0${over.restartCount ?? 0}Z`,
  ...over,
});
const exited = (name: string, exitCode: number, restartCount = 0): ContainerStatus =>
  ctr(name, { state: 'exited', exitCode, restartCount, finishedAt: '2026-01-01T00:01:00Z', startedAt: '2026-01-01T00:00:30Z' });

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'img' }], ...spec } as Pod['spec'],
});

const NOW = Date.parse('2026-01-01T00:02:00Z');

interface Row {
  name: string;
  pod: Pod;
  state: PodRuntimeState;
  unhealthy?: Map<string, string>;
  backoffUntil?: number;
  expect: {
    createSandbox?: boolean;
    init?: string | undefined;
    initFailed?: string;
    start?: string[];
    kill?: string[];
    backOff?: string[];
    remove?: string[];
    initialized?: boolean;
  };
}

const rows: Row[] = [
  { name: 'new pod: create the sandbox first', pod: pod(), state: { sandboxes: [], containers: [] }, expect: { createSandbox: true, start: [] } },
  {
    name: 'sandbox ready: start the container',
    pod: pod(),
    state: { sandboxes: [sandbox()], containers: [] },
    expect: { createSandbox: false, start: ['app'], initialized: true },
  },
  { name: 'running container: nothing to do', pod: pod(), state: { sandboxes: [sandbox()], containers: [ctr('app')] }, expect: { start: [], kill: [] } },
  {
    name: 'dead sandbox: a new one, running containers killed',
    pod: pod(),
    state: { sandboxes: [sandbox({ state: 'notready', ip: undefined })], containers: [ctr('app')] },
    expect: { createSandbox: true, kill: ['app'] },
  },
  {
    name: 'first init container runs before anything else',
    pod: pod({
      initContainers: [
        { name: 'init-a', image: 'img' },
        { name: 'init-b', image: 'img' },
      ],
    }),
    state: { sandboxes: [sandbox()], containers: [] },
    expect: { init: 'init-a', start: [], initialized: false },
  },
  {
    name: 'init container still running: wait',
    pod: pod({ initContainers: [{ name: 'init-a', image: 'img' }] }),
    state: { sandboxes: [sandbox()], containers: [ctr('init-a')] },
    expect: { init: undefined, start: [], initialized: false },
  },
  {
    name: 'first init done: the second one next',
    pod: pod({
      initContainers: [
        { name: 'init-a', image: 'img' },
        { name: 'init-b', image: 'img' },
      ],
    }),
    state: { sandboxes: [sandbox()], containers: [exited('init-a', 0)] },
    expect: { init: 'init-b', start: [] },
  },
  {
    name: 'all init done: the containers start',
    pod: pod({ initContainers: [{ name: 'init-a', image: 'img' }] }),
    state: { sandboxes: [sandbox()], containers: [exited('init-a', 0)] },
    expect: { init: undefined, start: ['app'], initialized: true },
  },
  {
    name: 'failed init with restartPolicy Never: the pod fails',
    pod: pod({ restartPolicy: 'Never', initContainers: [{ name: 'init-a', image: 'img' }] }),
    state: { sandboxes: [sandbox()], containers: [exited('init-a', 1)] },
    expect: { initFailed: 'init-a', start: [] },
  },
  {
    name: 'failed init with Always: restarted',
    pod: pod({ initContainers: [{ name: 'init-a', image: 'img' }] }),
    state: { sandboxes: [sandbox()], containers: [exited('init-a', 1)] },
    expect: { init: 'init-a', start: [] },
  },
  {
    name: 'failed init in back-off: waits',
    pod: pod({ initContainers: [{ name: 'init-a', image: 'img' }] }),
    state: { sandboxes: [sandbox()], containers: [exited('init-a', 1)] },
    backoffUntil: NOW + 5000,
    expect: { init: undefined, backOff: ['init-a'] },
  },
  { name: 'Always: exited 0 restarts', pod: pod(), state: { sandboxes: [sandbox()], containers: [exited('app', 0)] }, expect: { start: ['app'] } },
  {
    name: 'OnFailure: exited 0 stays',
    pod: pod({ restartPolicy: 'OnFailure' }),
    state: { sandboxes: [sandbox()], containers: [exited('app', 0)] },
    expect: { start: [] },
  },
  {
    name: 'OnFailure: exited 2 restarts',
    pod: pod({ restartPolicy: 'OnFailure' }),
    state: { sandboxes: [sandbox()], containers: [exited('app', 2)] },
    expect: { start: ['app'] },
  },
  {
    name: 'Never: exited 2 stays',
    pod: pod({ restartPolicy: 'Never' }),
    state: { sandboxes: [sandbox()], containers: [exited('app', 2)] },
    expect: { start: [] },
  },
  {
    name: 'Never and finished with a dead sandbox: nothing is recreated',
    pod: pod({ restartPolicy: 'Never' }),
    state: { sandboxes: [sandbox({ state: 'notready', ip: undefined })], containers: [exited('app', 0)] },
    expect: { createSandbox: false, start: [] },
  },
  {
    name: 'crash loop: in back-off',
    pod: pod(),
    state: { sandboxes: [sandbox()], containers: [exited('app', 1, 3)] },
    backoffUntil: NOW + 1,
    expect: { start: [], backOff: ['app'] },
  },
  {
    name: 'crash loop: back-off over',
    pod: pod(),
    state: { sandboxes: [sandbox()], containers: [exited('app', 1, 3)] },
    backoffUntil: NOW - 1,
    expect: { start: ['app'] },
  },
  {
    name: 'liveness failed: killed and restarted',
    pod: pod(),
    state: { sandboxes: [sandbox()], containers: [ctr('app')] },
    unhealthy: new Map([['app-0', 'Container app failed liveness probe, will be restarted']]),
    expect: { kill: ['app'], start: ['app'] },
  },
  {
    name: 'liveness failed with Never: killed, not restarted',
    pod: pod({ restartPolicy: 'Never' }),
    state: { sandboxes: [sandbox()], containers: [ctr('app')] },
    unhealthy: new Map([['app-0', 'x']]),
    expect: { kill: ['app'], start: [] },
  },
  {
    name: 'image changed: killed and restarted',
    pod: pod({ containers: [{ name: 'app', image: 'img2' }] }),
    state: { sandboxes: [sandbox()], containers: [ctr('app')] },
    expect: { kill: ['app'], start: ['app'] },
  },
  {
    name: 'older instances removed, the previous kept for logs --previous',
    pod: pod(),
    state: { sandboxes: [sandbox()], containers: [exited('app', 1, 0), exited('app', 1, 1), ctr('app', { restartCount: 2 })] },
    expect: { start: [], remove: ['app-0'] },
  },
  {
    name: 'two containers: only the missing one starts',
    pod: pod({
      containers: [
        { name: 'app', image: 'img' },
        { name: 'side', image: 'img' },
      ],
    }),
    state: { sandboxes: [sandbox()], containers: [ctr('app')] },
    expect: { start: ['side'] },
  },
];

describe('computePodActions', () => {
  it.each(rows)('$name', (row) => {
    const a = computePodActions(row.pod, row.state, { now: NOW, unhealthy: row.unhealthy, backoffUntil: () => row.backoffUntil });
    const e = row.expect;
    if (e.createSandbox !== undefined) expect(a.createSandbox).toBe(e.createSandbox);
    if ('init' in e) expect(a.initContainerToStart?.name).toBe(e.init);
    if (e.initFailed) expect(a.initFailed?.name).toBe(e.initFailed);
    if (e.start) expect(a.containersToStart.map((s) => s.name)).toEqual(e.start);
    if (e.kill) expect(a.containersToKill.map((k) => k.name)).toEqual(e.kill);
    if (e.backOff) expect(a.backOff.map((b) => b.name)).toEqual(e.backOff);
    if (e.remove) expect(a.containersToRemove).toEqual(e.remove);
    if (e.initialized !== undefined) expect(a.initialized).toBe(e.initialized);
  });

  // What Docker users do behind the kubelet's back: instances and sandboxes that vanish.
  it.each([
    {
      name: 'sandbox removed, app still running: SandboxChanged, kill all, a new sandbox with the next attempt',
      state: { sandboxes: [], containers: [ctr('app')] },
      lastSandboxAttempt: 0,
      expect: { createSandbox: true, sandboxChanged: true, attempt: 1, kill: ['app'] },
    },
    {
      name: 'sandbox stopped: SandboxChanged, kill all, next attempt',
      state: { sandboxes: [sandbox({ attempt: 2, state: 'notready', ip: undefined })], containers: [ctr('app')] },
      lastSandboxAttempt: 2,
      expect: { createSandbox: true, sandboxChanged: true, attempt: 3, kill: ['app'] },
    },
    {
      name: 'sandbox removed with nothing left, but the kubelet recorded one: SandboxChanged',
      state: { sandboxes: [], containers: [] },
      lastSandboxAttempt: 0,
      expect: { createSandbox: true, sandboxChanged: true, attempt: 1, kill: [] },
    },
    {
      name: 'a brand new pod: a sandbox, no SandboxChanged',
      state: { sandboxes: [], containers: [] },
      lastSandboxAttempt: undefined,
      expect: { createSandbox: true, sandboxChanged: false, attempt: 0, kill: [] },
    },
    {
      name: 'healthy sandbox: no change',
      state: { sandboxes: [sandbox()], containers: [ctr('app')] },
      lastSandboxAttempt: 0,
      expect: { createSandbox: false, sandboxChanged: false, attempt: 0, kill: [] },
    },
  ])('$name', (row) => {
    const a = computePodActions(pod(), row.state, { now: NOW, lastSandboxAttempt: row.lastSandboxAttempt });
    expect(a.createSandbox).toBe(row.expect.createSandbox);
    expect(a.sandboxChanged).toBe(row.expect.sandboxChanged);
    expect(a.sandboxAttempt).toBe(row.expect.attempt);
    expect(a.containersToKill.map((k) => k.name)).toEqual(row.expect.kill);
  });

  it.each([
    {
      name: 'app instance removed after running: recreated with the recorded count + 1',
      pod: pod(),
      containers: [] as ContainerStatus[],
      recorded: 0,
      expect: { name: 'app', restartCount: 1, reason: 'restart' },
    },
    {
      name: 'app instance removed after 3 restarts: restart 4',
      pod: pod(),
      containers: [] as ContainerStatus[],
      recorded: 3,
      expect: { name: 'app', restartCount: 4, reason: 'restart' },
    },
    {
      name: 'never created: new, restart 0',
      pod: pod(),
      containers: [] as ContainerStatus[],
      recorded: undefined,
      expect: { name: 'app', restartCount: 0, reason: 'new' },
    },
  ])('$name', (row) => {
    const a = computePodActions(row.pod, { sandboxes: [sandbox()], containers: row.containers }, { now: NOW, lastRestartCount: () => row.recorded });
    expect(a.containersToStart[0]).toMatchObject(row.expect);
  });

  it('a new sandbox runs the init containers again, then the containers', () => {
    const p = pod({ initContainers: [{ name: 'init-a', image: 'img' }] });
    const oldInit = { ...exited('init-a', 0), sandboxId: 'sb0' };
    const oldApp = { ...exited('app', 137), sandboxId: 'sb0' };
    const fresh = sandbox({ id: 'sb1', attempt: 1 });
    const a = computePodActions(p, { sandboxes: [fresh], containers: [oldInit, oldApp] }, { now: NOW });
    expect(a.initContainerToStart).toMatchObject({ name: 'init-a', restartCount: 1 });
    expect(a.containersToStart).toEqual([]);
    const newInit = { ...exited('init-a', 0, 1), sandboxId: 'sb1' };
    const b = computePodActions(p, { sandboxes: [fresh], containers: [oldInit, newInit, oldApp] }, { now: NOW });
    expect(b.initContainerToStart).toBeUndefined();
    expect(b.containersToStart).toMatchObject([{ name: 'app', restartCount: 1, reason: 'restart' }]);
  });

  it('restart counts go up by one', () => {
    const a = computePodActions(pod(), { sandboxes: [sandbox()], containers: [exited('app', 1, 4)] }, { now: NOW });
    expect(a.containersToStart[0]).toMatchObject({ name: 'app', restartCount: 5, reason: 'restart' });
  });

  it('a new sandbox gets the next attempt number', () => {
    const a = computePodActions(pod(), { sandboxes: [sandbox({ attempt: 2, state: 'notready', ip: undefined })], containers: [] }, { now: NOW });
    expect(a.sandboxAttempt).toBe(3);
  });
});
