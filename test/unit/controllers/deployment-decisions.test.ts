import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import {
  equalIgnoreHash,
  historyToClean,
  newRSReplicas,
  oldRSScaleDown,
  onlyScales,
  progressingCondition,
  proportionalScale,
  resolveFenceposts,
  setProgressingCondition,
  templateHash,
} from '../../../main/controllers/deployment/decisions';

const dep = (replicas: number, maxSurge?: number | string, maxUnavailable?: number | string, extra: Partial<Deployment['spec']> = {}): Deployment => ({
  metadata: { name: 'd', generation: 1 },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'd' } },
    template: {},
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
    ...extra,
  },
});
const rs = (name: string, replicas: number, available = replicas, revision = 1): ReplicaSet => ({
  metadata: { name, annotations: { 'deployment.kubernetes.io/revision': String(revision) } },
  spec: { replicas, selector: {} },
  status: { replicas, availableReplicas: available },
});

describe('templateHash', () => {
  const t = { metadata: { labels: { app: 'k8s-nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } };
  it('is safe-encoded text from the upstream alphabet, stable under key order', () => {
    const h = templateHash(t);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash({ spec: { containers: [{ image: 'nginx', name: 'nginx' }] }, metadata: { labels: { app: 'k8s-nginx' } } })).toBe(h);
  });
  it('changes with the template and with collisionCount', () => {
    const other = { ...t, spec: { containers: [{ name: 'nginx', image: 'nginx:1.22' }] } };
    expect(templateHash(other)).not.toBe(templateHash(t));
    expect(templateHash(t, 1)).not.toBe(templateHash(t));
  });
  it('equalIgnoreHash ignores only the pod-template-hash label', () => {
    expect(equalIgnoreHash({ metadata: { labels: { app: 'a', 'pod-template-hash': 'x' } } }, { metadata: { labels: { app: 'a' } } })).toBe(true);
    expect(equalIgnoreHash({ metadata: { labels: { app: 'a' } } }, { metadata: { labels: { app: 'b' } } })).toBe(false);
    // kubectl rollout undo sends `creationTimestamp: null` in the template: the same as absent
    expect(
      equalIgnoreHash({ metadata: { labels: { app: 'a' }, creationTimestamp: null } } as never, {
        metadata: { labels: { app: 'a', 'pod-template-hash': 'x' } },
      }),
    ).toBe(true);
  });
});

describe('resolveFenceposts', () => {
  it.each([
    [3, undefined, undefined, { maxSurge: 1, maxUnavailable: 0 }], // 25% of 3: surge rounds up, unavailable down
    [10, undefined, undefined, { maxSurge: 3, maxUnavailable: 2 }],
    [4, 1, 0, { maxSurge: 1, maxUnavailable: 0 }],
    [4, 0, 0, { maxSurge: 0, maxUnavailable: 1 }], // both zero would never progress
    [10, '50%', '10%', { maxSurge: 5, maxUnavailable: 1 }],
  ])('replicas %i surge %s unavailable %s', (r, s, u, out) => expect(resolveFenceposts(dep(r, s, u))).toEqual(out));
});

describe('rolling update steps', () => {
  it.each([
    // replicas, surge, unavail, old(rs replicas, available), new(replicas, available), want new, want old
    ['first step adds maxSurge pods', 3, 1, 0, [3, 3], [0, 0], 1, [3]],
    ['no surge room while over the top', 3, 1, 0, [3, 3], [1, 0], 1, [3]],
    ['old shrinks once the new pod is available', 3, 1, 0, [3, 3], [1, 1], 1, [2]],
    ['maxUnavailable lets old shrink before new is up', 4, 0, 1, [4, 4], [0, 0], 0, [3]],
    ['unhealthy old pods go first, within maxUnavailable', 3, 1, 1, [3, 1], [1, 0], 1, [2]],
    ['done', 3, 1, 0, [0, 0], [3, 3], 3, [0]],
  ] as const)('%s', (_n, replicas, surge, unavail, [or, oa], [nr, na], wantNew, wantOld) => {
    const d = dep(replicas, surge, unavail);
    const oldRS = rs('old', or, oa);
    const newRS = rs('new', nr, na, 2);
    expect(newRSReplicas(d, [oldRS, newRS], newRS)).toBe(wantNew);
    expect(oldRSScaleDown(d, [oldRS], newRS)).toEqual(wantOld);
  });

  it('the new set does not grow while an old set still has the pod its scale-down has not deleted yet', () => {
    const d = dep(3, 1, 0);
    const newRS = rs('new', 2, 2, 2);
    // old was just scaled 2 -> 1; the ReplicaSet controller still counts 2 active pods
    const pending: ReplicaSet = { ...rs('old', 1), status: { replicas: 2, availableReplicas: 2 } };
    expect(newRSReplicas(d, [pending, newRS], newRS)).toBe(2);
    // once the pod is gone (status.replicas 1) the surge room is back
    expect(newRSReplicas(d, [rs('old', 1), newRS], newRS)).toBe(3);
  });
});

describe('progressing condition', () => {
  const d = dep(3, 1, 0, { progressDeadlineSeconds: 10 });
  it('reports success when every replica is updated and available', () => {
    const c = progressingCondition(d, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, rs('d-abc', 3), false, 0);
    expect(c).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "d-abc" has successfully progressed.' });
  });
  it('times out after progressDeadlineSeconds without progress', () => {
    const stuck = {
      ...d,
      status: { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: new Date(0).toISOString() }] },
    };
    const c = progressingCondition(stuck, { observedGeneration: 1, replicas: 3, updatedReplicas: 1, availableReplicas: 2 }, rs('d-abc', 1), false, 11_000);
    expect(c).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "d-abc" has timed out progressing.' });
  });
  it('is Unknown while paused', () => {
    expect(progressingCondition({ ...d, spec: { ...d.spec!, paused: true } }, {}, undefined, false, 0)).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
    });
  });
});

describe('proportionalScale (a scale event mid-rollout)', () => {
  // a ReplicaSet sized for `desired` replicas (max = desired + surge), created at second `born`
  const sized = (name: string, replicas: number, available: number, desired: number, max: number, born: number): ReplicaSet => ({
    metadata: {
      name,
      creationTimestamp: new Date(born * 1000).toISOString(),
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(desired), 'deployment.kubernetes.io/max-replicas': String(max) },
    },
    spec: { replicas, selector: {} },
    status: { replicas, availableReplicas: available },
  });
  it.each([
    ['one active set takes spec.replicas', dep(5), undefined, [sized('old', 3, 3, 3, 4, 0)], { old: 5 }],
    ['a saturated new set empties the old ones', dep(2), sized('new', 2, 2, 2, 3, 1), [sized('old', 1, 1, 2, 3, 0)], { old: 0 }],
    ['stuck rollout 2 -> 4: the serving old set grows too', dep(4), sized('new', 1, 0, 2, 3, 1), [sized('old', 2, 2, 2, 3, 0)], { old: 3, new: 2 }],
    ['4 -> 2 mid-rollout shrinks both, older first on a tie', dep(2), sized('new', 2, 0, 4, 5, 1), [sized('old', 3, 3, 4, 5, 0)], { old: 2, new: 1 }],
    ['to zero empties every set', dep(0), sized('new', 2, 0, 4, 5, 1), [sized('old', 3, 3, 4, 5, 0)], { old: 0, new: 0 }],
    [
      'Recreate with two active sets waits',
      dep(4, undefined, undefined, { strategy: { type: 'Recreate' } }),
      sized('new', 1, 0, 2, 2, 1),
      [sized('old', 2, 2, 2, 2, 0)],
      {},
    ],
  ])('%s', (_name, d, newRS, oldRSs, want) => {
    const out = proportionalScale(d, newRS, oldRSs);
    expect(Object.fromEntries([...out].map(([rs, n]) => [rs.metadata!.name, n]))).toEqual(want);
  });
});

describe('setProgressingCondition', () => {
  const T0 = '2026-01-01T00:00:00.000Z';
  const NOW = '2026-01-01T00:08:20.000Z';
  const cond = (status: string, reason: string) => ({ type: 'Progressing', status, reason, message: 'm', lastUpdateTime: T0, lastTransitionTime: T0 });
  it.each([
    [
      'progress under ReplicaSetUpdated moves lastUpdateTime only',
      cond('True', 'ReplicaSetUpdated'),
      'ReplicaSetUpdated',
      true,
      { lastUpdateTime: NOW, lastTransitionTime: T0 },
    ],
    ['no progress leaves both times', cond('True', 'ReplicaSetUpdated'), 'ReplicaSetUpdated', false, { lastUpdateTime: T0, lastTransitionTime: T0 }],
    [
      'a new reason with the same status keeps the transition time',
      cond('True', 'NewReplicaSetCreated'),
      'ReplicaSetUpdated',
      true,
      { lastUpdateTime: NOW, lastTransitionTime: T0 },
    ],
    [
      'back from a timeout is a transition',
      cond('False', 'ProgressDeadlineExceeded'),
      'ReplicaSetUpdated',
      true,
      { lastUpdateTime: NOW, lastTransitionTime: NOW },
    ],
  ])('%s', (_name, old, reason, progressed, want) => {
    const [c] = setProgressingCondition([old], { type: 'Progressing', status: 'True', reason, message: 'm2' }, progressed, NOW);
    expect(c).toMatchObject({ reason, ...want });
  });

  it('a rollout still progressing when progressDeadlineSeconds have passed since it began is not timed out', () => {
    const d = dep(3, 1, 0, { progressDeadlineSeconds: 600 });
    const at = (s: number) => new Date(s * 1000).toISOString();
    let conds = setProgressingCondition([], { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }, true, at(0));
    // a pod becomes ready at 500 s: progress
    conds = setProgressingCondition(conds, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }, true, at(500));
    const c = progressingCondition(
      { ...d, status: { conditions: conds } },
      { observedGeneration: 1, replicas: 4, updatedReplicas: 2, availableReplicas: 3 },
      rs('d-abc', 2),
      false,
      700_000,
    );
    expect(c).toBeUndefined();
  });
});

describe('historyToClean', () => {
  it('deletes the oldest empty revisions beyond revisionHistoryLimit', () => {
    const d = dep(1, 1, 0, { revisionHistoryLimit: 1 });
    const old = [rs('r1', 0, 0, 1), rs('r3', 0, 0, 3), rs('r2', 0, 0, 2), rs('busy', 1, 1, 4)];
    expect(historyToClean(d, old).map((r) => r.metadata!.name)).toEqual(['r1', 'r2']);
  });
});

describe('paused Deployments only scale, in proportion (upstream sync() calls scale() when paused)', () => {
  const sized = (name: string, replicas: number, desired: number, max: number, born: number): ReplicaSet => ({
    metadata: {
      name,
      creationTimestamp: new Date(born * 1000).toISOString(),
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(desired), 'deployment.kubernetes.io/max-replicas': String(max) },
    },
    spec: { replicas, selector: {} },
    status: { replicas, availableReplicas: replicas },
  });
  const paused = (replicas: number) => dep(replicas, 1, 0, { paused: true });
  it.each([
    ['paused, nothing changed: no rollout, nothing to resize', paused(3), [sized('a', 3, 3, 4, 0)], true],
    ['not paused, same size: a rollout may run', dep(3, 1, 0), [sized('a', 3, 3, 4, 0)], false],
    ['not paused, resized: a scale event', dep(5, 1, 0), [sized('a', 3, 3, 4, 0)], true],
  ])('onlyScales: %s', (_name, d, active, want) => {
    expect(onlyScales(d, active)).toBe(want);
  });
  it.each([
    // template edited while paused: no new ReplicaSet exists, the one serving set takes the new size
    ['new template pending, 3 -> 5: the serving set grows', paused(5), undefined, [sized('old', 3, 3, 4, 0)], { old: 5 }],
    // paused mid-rollout (3 + surge 1 = 4 pods), scaled 3 -> 7 (8 allowed): both sets grow by their share
    ['paused mid-rollout 3 -> 7: both sets grow in proportion', paused(7), sized('new', 2, 3, 4, 1), [sized('old', 2, 3, 4, 0)], { new: 4, old: 4 }],
    ['paused mid-rollout 3 -> 1: both sets shrink, older first on a tie', paused(1), sized('new', 2, 3, 4, 1), [sized('old', 2, 3, 4, 0)], { new: 1, old: 1 }],
    [
      'paused mid-rollout with a pending template: only old sets, in proportion',
      paused(7),
      undefined,
      [sized('r1', 1, 3, 4, 0), sized('r2', 3, 3, 4, 1)],
      { r1: 2, r2: 6 },
    ],
    ['paused and already sized: nothing moves', paused(3), undefined, [sized('old', 3, 3, 4, 0)], {}],
  ])('%s', (_name, d, newRS, oldRSs, want) => {
    const out = proportionalScale(d, newRS, oldRSs);
    expect(Object.fromEntries([...out].map(([rs, n]) => [rs.metadata!.name, n]))).toEqual(want);
  });
});
