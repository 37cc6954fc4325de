import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import { calculateStatus, podsToDelete, replicaDiff, slowStartBatches } from '../../../main/controllers/replicaset/decisions';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000).toISOString();

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    ready?: boolean;
    readySince?: number;
    restarts?: number;
    created?: number;
    cost?: number;
    labels?: Record<string, string>;
  } = {},
): Pod {
  return {
    metadata: {
      name,
      labels: o.labels ?? { app: 'web' },
      creationTimestamp: at(o.created ?? 0),
      annotations: o.cost !== undefined ? { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } : undefined,
    },
    spec: { nodeName: o.node, containers: [] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: at(o.readySince ?? 0) }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('slowStartBatches', () => {
  it.each([
    [0, []],
    [1, [1]],
    [3, [1, 2]],
    [7, [1, 2, 4]],
    [10, [1, 2, 4, 3]],
  ])('%i pods are created in batches %j', (n, batches) => {
    expect(slowStartBatches(n)).toEqual(batches);
  });
});

describe('replicaDiff', () => {
  it.each([
    [2, 3, { create: 1, delete: 0 }],
    [3, 3, { create: 0, delete: 0 }],
    [5, 3, { create: 0, delete: 2 }],
    [0, 900, { create: 500, delete: 0 }],
  ])('had %i, want %i', (had, want, out) => expect(replicaDiff(had, want)).toEqual(out));
});

describe('podsToDelete ranks as upstream', () => {
  const cases: Array<[string, Pod[], number, string[]]> = [
    ['unscheduled before scheduled', [pod('sched', { node: 'n1', ready: true }), pod('unsched', { phase: 'Pending' })], 1, ['unsched']],
    [
      'pending before unknown before running',
      [pod('run', { node: 'n1' }), pod('unk', { node: 'n1', phase: 'Unknown' }), pod('pend', { node: 'n1', phase: 'Pending' })],
      2,
      ['pend', 'unk'],
    ],
    ['not ready before ready', [pod('ready', { node: 'n1', ready: true }), pod('notready', { node: 'n1' })], 1, ['notready']],
    ['lower deletion cost first', [pod('cheap', { node: 'n1', ready: true, cost: -5 }), pod('dear', { node: 'n2', ready: true, cost: 10 })], 1, ['cheap']],
    [
      'doubled-up node first',
      [pod('a', { node: 'n1', ready: true, created: 9 }), pod('b', { node: 'n2', ready: true }), pod('c', { node: 'n2', ready: true, created: 5 })],
      1,
      ['c'],
    ],
    [
      'ready for less time first',
      [pod('old', { node: 'n1', ready: true, readySince: 10 }), pod('young', { node: 'n2', ready: true, readySince: 100 })],
      1,
      ['young'],
    ],
    ['more restarts first', [pod('calm', { node: 'n1', restarts: 0 }), pod('crashy', { node: 'n2', restarts: 4 })], 1, ['crashy']],
    ['newer first', [pod('older', { node: 'n1', created: 1 }), pod('newer', { node: 'n2', created: 50 })], 1, ['newer']],
    ['everything when diff covers all', [pod('x'), pod('y')], 5, ['x', 'y']],
  ];
  it.each(cases)('%s', (_name, pods, diff, want) => {
    expect(podsToDelete(pods, pods, diff).map((p) => p.metadata!.name)).toEqual(want);
  });
});

describe('calculateStatus', () => {
  const rs: ReplicaSet = {
    metadata: { name: 'rs', generation: 4 },
    spec: { replicas: 3, minReadySeconds: 30, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } },
  };
  it('counts fully labeled, ready and available (minReadySeconds) pods', () => {
    const now = new Date(t0.getTime() + 60_000);
    const pods = [pod('a', { ready: true, readySince: 0, labels: { app: 'web', tier: 'fe' } }), pod('b', { ready: true, readySince: 50 }), pod('c')];
    const s = calculateStatus(rs, pods, undefined, now);
    expect(s).toEqual({ replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
  });
  it('sets ReplicaFailure when creating failed, and clears it after', () => {
    const s = calculateStatus(rs, [], { reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota' }, t0);
    expect(s.conditions).toEqual([
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: 'pods "x" is forbidden: exceeded quota',
        lastTransitionTime: t0.toISOString(),
      },
    ]);
    const cleared = calculateStatus({ ...rs, status: s }, [], undefined, t0);
    expect(cleared.conditions).toBeUndefined();
  });
});
