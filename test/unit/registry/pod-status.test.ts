import { describe, expect, it } from 'vitest';
import { humanDuration, podStatusCells } from '../../../main/api/pod-status';

const now = new Date('2026-01-01T01:00:00Z');
const spec = (containers = ['app'], init: string[] = [], sidecars: string[] = []) => ({
  containers: containers.map((name) => ({ name, image: 'x' })),
  initContainers: [...init.map((name) => ({ name, image: 'x' })), ...sidecars.map((name) => ({ name, image: 'x', restartPolicy: 'Always' }))],
});
const running = (name: string, ready = true, restartCount = 0, extra = {}) => ({
  name,
  ready,
  restartCount,
  state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
  ...extra,
});
const waiting = (name: string, reason: string, restartCount = 0) => ({ name, ready: false, restartCount, state: { waiting: { reason } } });
const terminated = (name: string, exitCode: number, reason?: string, extra = {}) => ({
  name,
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode, ...(reason ? { reason } : {}), ...extra } },
});

const rows: [string, Record<string, any>, string, string, string][] = [
  ['pending unscheduled', { spec: spec(), status: { phase: 'Pending' } }, '0/1', 'Pending', '0'],
  [
    'container creating',
    { spec: spec(), status: { phase: 'Pending', containerStatuses: [waiting('app', 'ContainerCreating')] } },
    '0/1',
    'ContainerCreating',
    '0',
  ],
  ['running ready', { spec: spec(['a', 'b']), status: { phase: 'Running', containerStatuses: [running('a'), running('b')] } }, '2/2', 'Running', '0'],
  ['running not ready', { spec: spec(), status: { phase: 'Running', containerStatuses: [running('app', false)] } }, '0/1', 'Running', '0'],
  ['image pull error', { spec: spec(), status: { phase: 'Pending', containerStatuses: [waiting('app', 'ErrImagePull')] } }, '0/1', 'ErrImagePull', '0'],
  [
    'image pull backoff',
    { spec: spec(), status: { phase: 'Pending', containerStatuses: [waiting('app', 'ImagePullBackOff')] } },
    '0/1',
    'ImagePullBackOff',
    '0',
  ],
  [
    'crash loop with last restart',
    {
      spec: spec(),
      status: {
        phase: 'Running',
        containerStatuses: [
          { ...waiting('app', 'CrashLoopBackOff', 3), lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:58:00Z' } } },
        ],
      },
    },
    '0/1',
    'CrashLoopBackOff',
    '3 (2m ago)',
  ],
  ['completed', { spec: spec(), status: { phase: 'Succeeded', containerStatuses: [terminated('app', 0, 'Completed')] } }, '0/1', 'Completed', '0'],
  ['error', { spec: spec(), status: { phase: 'Failed', containerStatuses: [terminated('app', 1, 'Error')] } }, '0/1', 'Error', '0'],
  ['oom killed', { spec: spec(), status: { phase: 'Running', containerStatuses: [terminated('app', 137, 'OOMKilled')] } }, '0/1', 'OOMKilled', '0'],
  ['exit code without reason', { spec: spec(), status: { phase: 'Failed', containerStatuses: [terminated('app', 2)] } }, '0/1', 'ExitCode:2', '0'],
  [
    'signal without reason',
    { spec: spec(), status: { phase: 'Failed', containerStatuses: [terminated('app', 0, undefined, { signal: 9 })] } },
    '0/1',
    'Signal:9',
    '0',
  ],
  [
    'init 0/1 waiting',
    {
      spec: spec(['app'], ['init']),
      status: { phase: 'Pending', initContainerStatuses: [waiting('init', 'PodInitializing')], containerStatuses: [waiting('app', 'PodInitializing')] },
    },
    '0/1',
    'Init:0/1',
    '0',
  ],
  [
    'init 1/2 running',
    {
      spec: spec(['app'], ['i1', 'i2']),
      status: {
        phase: 'Pending',
        initContainerStatuses: [terminated('i1', 0, 'Completed'), running('i2', false)],
        containerStatuses: [waiting('app', 'PodInitializing')],
      },
    },
    '0/1',
    'Init:1/2',
    '0',
  ],
  [
    'init error',
    { spec: spec(['app'], ['init']), status: { phase: 'Pending', initContainerStatuses: [terminated('init', 1, 'Error')] } },
    '0/1',
    'Init:Error',
    '0',
  ],
  [
    'init exit code',
    { spec: spec(['app'], ['init']), status: { phase: 'Pending', initContainerStatuses: [terminated('init', 3)] } },
    '0/1',
    'Init:ExitCode:3',
    '0',
  ],
  [
    'init crash loop',
    { spec: spec(['app'], ['init']), status: { phase: 'Pending', initContainerStatuses: [waiting('init', 'CrashLoopBackOff', 2)] } },
    '0/1',
    'Init:CrashLoopBackOff',
    '2',
  ],
  [
    'pod initializing',
    {
      spec: spec(['app'], ['init']),
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [terminated('init', 0, 'Completed')],
        containerStatuses: [waiting('app', 'PodInitializing')],
      },
    },
    '0/1',
    'PodInitializing',
    '0',
  ],
  [
    'terminating',
    { metadata: { deletionTimestamp: '2026-01-01T00:59:00Z' }, spec: spec(), status: { phase: 'Running', containerStatuses: [running('app')] } },
    '1/1',
    'Terminating',
    '0',
  ],
  [
    'terminating but already done',
    {
      metadata: { deletionTimestamp: '2026-01-01T00:59:00Z' },
      spec: spec(),
      status: { phase: 'Succeeded', containerStatuses: [terminated('app', 0, 'Completed')] },
    },
    '0/1',
    'Completed',
    '0',
  ],
  [
    'node lost',
    { metadata: { deletionTimestamp: '2026-01-01T00:59:00Z' }, spec: spec(), status: { phase: 'Running', reason: 'NodeLost' } },
    '0/1',
    'Unknown',
    '0',
  ],
  ['node lost, not deleted', { spec: spec(), status: { phase: 'Running', reason: 'NodeLost' } }, '0/1', 'NodeLost', '0'],
  ['evicted', { spec: spec(), status: { phase: 'Failed', reason: 'Evicted' } }, '0/1', 'Evicted', '0'],
  [
    'scheduling gated',
    { spec: spec(), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } },
    '0/1',
    'SchedulingGated',
    '0',
  ],
  [
    'completed but one still running, ready',
    {
      spec: spec(['a', 'b']),
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [terminated('a', 0, 'Completed'), running('b')] },
    },
    '1/2',
    'Running',
    '0',
  ],
  [
    'completed but one still running, not ready',
    {
      spec: spec(['a', 'b']),
      status: { phase: 'Running', containerStatuses: [terminated('a', 0, 'Completed'), running('b')] },
    },
    '1/2',
    'NotReady',
    '0',
  ],
  [
    'sidecar counted and ready',
    {
      spec: spec(['app'], [], ['proxy']),
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ ...running('proxy'), started: true }],
        containerStatuses: [running('app')],
      },
    },
    '2/2',
    'Running',
    '0',
  ],
  [
    'restarts summed',
    { spec: spec(['a', 'b']), status: { phase: 'Running', containerStatuses: [running('a', true, 2), running('b', true, 1)] } },
    '2/2',
    'Running',
    '3',
  ],
];

describe('pod STATUS as kubectl prints it', () => {
  it.each(rows)('%s', (_, pod, ready, status, restarts) => {
    const cells = podStatusCells(pod, now);
    expect([cells.ready, cells.status, cells.restarts]).toEqual([ready, status, restarts]);
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [-1500, '0s'],
    [-3000, '<invalid>'],
    [59_000, '59s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [179 * 60_000, '179m'],
    [3 * 3600_000, '3h'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [8 * 3600_000, '8h'],
    [47 * 3600_000, '47h'],
    [48 * 3600_000, '2d'],
    [50 * 3600_000, '2d2h'],
    [8 * 86400_000, '8d'],
    [730 * 86400_000, '2y'],
    [731 * 86400_000, '2y1d'],
    [3000 * 86400_000, '8y'],
  ])('%s ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});
