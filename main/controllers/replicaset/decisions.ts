// The ReplicaSet controller's decisions as pure functions, as upstream's replica_set.go and controller_utils.go.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1';
import { isPodAvailable, isPodReady } from '../common/pods';

/** upstream's burstReplicas: at most this many creates/deletes per sync */
export const burstReplicas = 500;

/** slowStartBatch sizes: 1, 2, 4, ... summing to count, so a failing create (quota) fails fast. */
export function slowStartBatches(count: number, initial = 1): number[] {
  const out: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    out.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return out;
}

const phaseRank = (p?: string) => (p === 'Pending' ? 0 : p === 'Unknown' ? 1 : p === 'Running' ? 2 : 0);
const readyTime = (pod: Pod): number | undefined => {
  const c: PodCondition | undefined = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c?.lastTransitionTime ? new Date(c.lastTransitionTime).getTime() : undefined;
};
const restarts = (pod: Pod) => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const deletionCost = (pod: Pod) => Number(pod.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
const created = (pod: Pod) => (pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : undefined);

/**
 * Negative when a should be deleted before b: upstream's ActivePodsWithRanks.Less.
 * rank = how many related active pods share the pod's node (doubled-up pods go first).
 */
export function deletionOrder(a: Pod, ra: number, b: Pod, rb: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  // 1. unassigned < assigned
  if ((na === '') !== (nb === '')) return na === '' ? -1 : 1;
  // 2. Pending < Unknown < Running
  if (phaseRank(a.status?.phase) !== phaseRank(b.status?.phase)) return phaseRank(a.status?.phase) - phaseRank(b.status?.phase);
  // 3. not ready < ready
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
  // 4. lower pod-deletion-cost first
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  // 5. doubled up (higher rank) first
  if (ra !== rb) return rb - ra;
  // 6. ready for less time first (both ready)
  if (isPodReady(a) && isPodReady(b)) {
    const ta = readyTime(a);
    const tb = readyTime(b);
    if (ta !== tb) {
      if (ta === undefined) return -1;
      if (tb === undefined) return 1;
      return tb - ta;
    }
  }
  // 7. more restarts first
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  // 8. newer first (no timestamp first)
  const ca = created(a);
  const cb = created(b);
  if (ca !== cb) {
    if (ca === undefined) return -1;
    if (cb === undefined) return 1;
    return cb - ca;
  }
  return 0;
}

/** The `diff` pods to delete among `pods`; `related` are all active pods of related controllers (for the doubled-up rank). */
export function podsToDelete<P extends Pod>(pods: P[], related: Pod[], diff: number): P[] {
  if (diff >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: Pod) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => deletionOrder(a, rank(a), b, rank(b))).slice(0, diff);
}

/** What a sync should do: create or delete how many (bounded by burstReplicas). */
export function replicaDiff(active: number, desired: number): { create: number; delete: number } {
  const diff = active - desired;
  if (diff < 0) return { create: Math.min(-diff, burstReplicas), delete: 0 };
  if (diff > 0) return { create: 0, delete: Math.min(diff, burstReplicas) };
  return { create: 0, delete: 0 };
}

/** upstream calculateStatus: counts over the controller's active pods, plus the ReplicaFailure condition. */
export function calculateStatus(rs: ReplicaSet, active: Pod[], manageError: { reason: string; message: string } | undefined, now: Date): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of active) {
    if (Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const old = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageError) {
    conditions = [
      ...conditions,
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: manageError.reason,
        message: manageError.message,
        lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now.toISOString(),
      },
    ];
  }
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata?.generation ?? 1,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}
