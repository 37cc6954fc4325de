// The Deployment controller's arithmetic as pure functions, after upstream's deployment/util.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
type IntOrString = number | string;
import { canonicalJSON, fnv32a, safeEncode } from '../common/names';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const hashLabel = 'pod-template-hash';

/** pod-template-hash: fnv32a over the template (plus collisionCount), as decimal text, safe-encoded. */
export function templateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let s = canonicalJSON(template ?? {});
  if (collisionCount !== undefined && collisionCount !== null) s += String(collisionCount);
  return safeEncode(String(fnv32a(s)));
}

/** Two templates equal ignoring the pod-template-hash label (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const c = structuredClone(t ?? {}) as { metadata?: { labels?: Record<string, string> } };
    if (c.metadata?.labels) {
      delete c.metadata.labels[hashLabel];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
    return canonicalJSON(c);
  };
  return strip(a) === strip(b);
}

/** int or "NN%" of total; percentages round up for surge, down for unavailable. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number(x) || 0;
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

/** upstream ResolveFenceposts: (maxSurge, maxUnavailable); both 0 would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, replicas, true, '25%');
  let maxUnavailable = scaledValue(ru?.maxUnavailable, replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export const maxUnavailableOf = (d: Deployment): number => {
  if (d.spec?.strategy?.type === 'Recreate') return 0;
  const replicas = d.spec?.replicas ?? 1;
  if (replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, replicas);
};

const reps = (rs: ReplicaSet) => rs.spec?.replicas ?? 0;
const avail = (rs: ReplicaSet) => rs.status?.availableReplicas ?? 0;

/**
 * The pods a ReplicaSet has or is about to have: its spec.replicas, or more while the ReplicaSet controller has not
 * yet carried out a scale-down (status.replicas, its count of active pods, still above the new spec).
 */
export const podsOf = (rs: ReplicaSet): number => Math.max(reps(rs), rs.status?.replicas ?? 0);

/**
 * upstream NewRSNewReplicas for RollingUpdate: how far the new ReplicaSet may grow now. Upstream counts spec.replicas
 * only, so right after an old set is scaled down the new one may grow before the old pod is deleted, one pod past
 * maxSurge for a moment; counting the pods a set still has beyond its spec (podsOf) waits for that delete instead.
 */
export function newRSReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec?.replicas ?? 1;
  const { maxSurge } = resolveFenceposts(d);
  const current = all.reduce((n, rs) => n + podsOf(rs), 0);
  const maxTotal = replicas + maxSurge;
  if (current >= maxTotal) return reps(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - reps(newRS));
  return reps(newRS) + Math.max(0, scaleUp);
}

/**
 * How old ReplicaSets shrink in a rolling update (upstream reconcileOldReplicaSets): first their
 * unhealthy pods, then healthy ones while availability stays at replicas - maxUnavailable.
 * Returns the new replica count for each old ReplicaSet (by index, oldest first as given).
 */
export function oldRSScaleDown(d: Deployment, oldRSs: ReplicaSet[], newRS: ReplicaSet): number[] {
  const out = oldRSs.map(reps);
  const oldCount = out.reduce((a, b) => a + b, 0);
  if (oldCount === 0) return out;
  const all = oldCount + reps(newRS);
  const minAvailable = (d.spec?.replicas ?? 1) - maxUnavailableOf(d);
  const newUnavailable = reps(newRS) - avail(newRS);
  let maxScaledDown = all - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  // 1. unhealthy replicas of old sets go first: they serve nothing
  let cleaned = 0;
  for (let i = 0; i < oldRSs.length && cleaned < maxScaledDown; i++) {
    const unhealthy = out[i] - Math.min(avail(oldRSs[i]), out[i]);
    const n = Math.min(unhealthy, maxScaledDown - cleaned);
    out[i] -= n;
    cleaned += n;
  }
  maxScaledDown -= cleaned;
  // 2. then healthy ones, keeping minAvailable available
  const available = oldRSs.reduce((n, rs, i) => n + Math.min(avail(rs), out[i]), 0) + avail(newRS);
  if (available <= minAvailable) return out;
  let total = available - minAvailable;
  for (let i = 0; i < oldRSs.length && total > 0; i++) {
    const n = Math.min(out[i], total);
    out[i] -= n;
    total -= n;
  }
  return out;
}

/** A scale event: some active ReplicaSet was sized for another spec.replicas (upstream isScalingEvent). */
export function isScalingEvent(d: Deployment, active: ReplicaSet[]): boolean {
  const want = String(d.spec?.replicas ?? 1);
  return active.some(
    (rs) => rs.metadata?.annotations?.[desiredReplicasAnnotation] !== undefined && rs.metadata.annotations[desiredReplicasAnnotation] !== want,
  );
}

/** Whether a sync only resizes ReplicaSets (upstream syncDeployment: paused, or a scale event) rather than rolls out. */
export function onlyScales(d: Deployment, active: ReplicaSet[]): boolean {
  return !!d.spec?.paused || isScalingEvent(d, active);
}

const created = (rs: ReplicaSet) => String(rs.metadata?.creationTimestamp ?? '');
const maxReplicasBefore = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.[maxReplicasAnnotation] ?? 0);

/**
 * Replica counts after a scale event (upstream DeploymentController.scale): one active set takes spec.replicas;
 * a saturated new set empties the old ones; in a rolling update the change is shared among the active sets in
 * proportion to their size, larger first, so a scale-up mid-rollout also grows the old pods that still serve.
 * Returns the new count for each ReplicaSet it changes.
 */
export function proportionalScale<T extends ReplicaSet>(d: Deployment, newRS: T | undefined, oldRSs: T[]): Map<T, number> {
  const out = new Map<T, number>();
  const want = d.spec?.replicas ?? 1;
  const active = [...(newRS ? [newRS] : []), ...oldRSs].filter((rs) => reps(rs) > 0);
  if (active.length <= 1) {
    const target = active[0] ?? newRS ?? [...oldRSs].sort((a, b) => created(b).localeCompare(created(a)))[0];
    if (target && reps(target) !== want) out.set(target, want);
    return out;
  }
  const saturated = newRS && reps(newRS) === want && newRS.metadata?.annotations?.[desiredReplicasAnnotation] === String(want) && avail(newRS) === want;
  if (saturated) {
    for (const rs of active) if (rs !== newRS) out.set(rs, 0);
    return out;
  }
  if (d.spec?.strategy?.type === 'Recreate') return out;
  const maxSurge = resolveFenceposts(d).maxSurge;
  const allowed = want > 0 ? want + maxSurge : 0;
  const toAdd = allowed - active.reduce((n, rs) => n + reps(rs), 0);
  if (toAdd === 0) return out;
  // larger first; on a tie newer first when growing, older first when shrinking (ReplicaSetsBySizeNewer/Older)
  const sorted = [...active].sort((a, b) => reps(b) - reps(a) || (toAdd > 0 ? created(b).localeCompare(created(a)) : created(a).localeCompare(created(b))));
  let added = 0;
  const size = new Map<T, number>();
  for (const rs of sorted) {
    let fraction: number;
    if (want === 0) fraction = -reps(rs);
    else {
      const before = maxReplicasBefore(rs) || (d.status?.replicas ?? 0);
      fraction = before ? Math.round(reps(rs) * (allowed / before)) - reps(rs) : 0;
    }
    const left = toAdd - added;
    const proportion = left === 0 ? 0 : toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
    size.set(rs, reps(rs) + proportion);
    added += proportion;
  }
  // leftovers go to the largest set
  size.set(sorted[0], Math.max(0, size.get(sorted[0])! + toAdd - added));
  for (const [rs, n] of size) if (n !== reps(rs)) out.set(rs, n);
  return out;
}

export function setCondition(conds: DeploymentCondition[], c: DeploymentCondition, now: string): DeploymentCondition[] {
  const old = conds.find((x) => x.type === c.type);
  if (old && old.status === c.status && old.reason === c.reason) {
    return conds.map((x) => (x.type === c.type ? { ...x, message: c.message } : x));
  }
  const next: DeploymentCondition = {
    ...c,
    lastUpdateTime: now,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now,
  };
  return [...conds.filter((x) => x.type !== c.type), next];
}

/**
 * Sets Progressing as upstream syncRolloutStatus does: progress under the same reason (ReplicaSetUpdated) still
 * moves lastUpdateTime, since progressDeadlineSeconds counts from the last progress, not from the rollout's start.
 */
export function setProgressingCondition(conds: DeploymentCondition[], c: DeploymentCondition, progressed: boolean, now: string): DeploymentCondition[] {
  const cur = conds.find((x) => x.type === 'Progressing');
  if (!(progressed && c.reason === 'ReplicaSetUpdated' && cur)) return setCondition(conds, c, now);
  const next: DeploymentCondition = { ...c, lastUpdateTime: now, lastTransitionTime: cur.status === 'True' ? cur.lastTransitionTime : now };
  return [...conds.filter((x) => x.type !== 'Progressing'), next];
}

/** Status over all ReplicaSets, with the Available condition (upstream calculateStatus). */
export function calculateStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, now: string): DeploymentStatus {
  const replicas = all.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
  const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  const ready = all.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
  const want = d.spec?.replicas ?? 1;
  const status: DeploymentStatus = {
    ...(d.status ?? {}),
    observedGeneration: d.metadata?.generation ?? 1,
    replicas,
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: ready,
    availableReplicas: available,
    unavailableReplicas: Math.max(want - available, 0),
  };
  const conds = d.status?.conditions ?? [];
  status.conditions =
    available >= want - maxUnavailableOf(d)
      ? setCondition(conds, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now)
      : setCondition(
          conds,
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
          now,
        );
  return status;
}

/** Rollout finished: every replica updated and available, no old ones left (upstream DeploymentComplete). */
export function rolloutComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = d.spec?.replicas ?? 1;
  return (
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1)
  );
}

/** Progressing condition (upstream syncRolloutStatus), given whether the rollout moved since last time. */
export function progressingCondition(
  d: Deployment,
  s: DeploymentStatus,
  newRS: ReplicaSet | undefined,
  progressed: boolean,
  nowMs: number,
): DeploymentCondition | undefined {
  const name = newRS?.metadata?.name ?? '';
  if (d.spec?.paused) return { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' };
  const cur = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (rolloutComplete(d, s))
    return { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` };
  if (progressed || cur?.reason === 'DeploymentPaused' || !cur) {
    return {
      type: 'Progressing',
      status: 'True',
      reason: cur?.reason === 'DeploymentPaused' ? 'DeploymentResumed' : 'ReplicaSetUpdated',
      message: cur?.reason === 'DeploymentPaused' ? 'Deployment is resumed' : `ReplicaSet "${name}" is progressing.`,
    };
  }
  const deadline = d.spec?.progressDeadlineSeconds ?? 600;
  const since = cur.lastUpdateTime ? new Date(cur.lastUpdateTime).getTime() : nowMs;
  if (cur.reason !== 'NewReplicaSetAvailable' && nowMs - since > deadline * 1000) {
    return { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` };
  }
  return undefined;
}

/** Old ReplicaSets to delete beyond revisionHistoryLimit: oldest revisions first, only empty ones. */
export function historyToClean<T extends ReplicaSet>(d: Deployment, oldRSs: T[]): T[] {
  const limit = d.spec?.revisionHistoryLimit ?? 10;
  const empty = oldRSs.filter((rs) => reps(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata?.deletionTimestamp);
  const diff = empty.length - limit;
  if (diff <= 0) return [];
  const rev = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.[revisionAnnotation] ?? 0);
  return [...empty].sort((a, b) => rev(a) - rev(b)).slice(0, diff);
}
