// Node health and NoExecute eviction as upstream's node lifecycle controller and taint manager decide them (pure).
import type { Node, NodeCondition, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';

export const unreachableTaint = 'node.kubernetes.io/unreachable';
export const notReadyTaint = 'node.kubernetes.io/not-ready';
export const unschedulableTaint = 'node.kubernetes.io/unschedulable';
/** what upstream's DefaultTolerationSeconds admission plugin gives every pod */
export const admissionDefaultSeconds = 300;

/** The newest sign of life: the node Lease's renewTime or the Ready condition's heartbeat. */
export function lastHeartbeatMs(node: Node, leaseRenewTime?: string): number | undefined {
  const times = [leaseRenewTime, node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime]
    .filter((x): x is string => !!x)
    .map((t) => new Date(t).getTime())
    .filter((n) => !Number.isNaN(n));
  return times.length ? Math.max(...times) : undefined;
}

export type Readiness = 'True' | 'False' | 'Unknown';

/** Ready as the controller sees it: Unknown once nothing was heard for the grace period. */
export function observedReadiness(node: Node, heartbeatMs: number | undefined, nowMs: number, graceMs: number, createdMs: number): Readiness {
  const since = heartbeatMs ?? createdMs;
  if (nowMs - since > graceMs) return 'Unknown';
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return ready === 'True' ? 'True' : ready === 'False' ? 'False' : 'Unknown';
}

/**
 * The taints a node should carry: NoSchedule+NoExecute for its readiness (TaintNodesByCondition, eviction), and
 * `node.kubernetes.io/unschedulable:NoSchedule` while it is cordoned, as upstream's doNoScheduleTaintingPass.
 */
export function wantedTaints(readiness: Readiness, unschedulable = false): Array<{ key: string; effect: 'NoSchedule' | 'NoExecute' }> {
  const out: Array<{ key: string; effect: 'NoSchedule' | 'NoExecute' }> = [];
  if (readiness !== 'True') {
    const key = readiness === 'Unknown' ? unreachableTaint : notReadyTaint;
    out.push({ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute' });
  }
  if (unschedulable) out.push({ key: unschedulableTaint, effect: 'NoSchedule' });
  return out;
}

/** The node's taints with the lifecycle ones replaced by those wanted (others kept as they are). */
export function reconcileTaints(current: Taint[], readiness: Readiness, nowISO: string, unschedulable = false): Taint[] {
  const ours = (t: Taint) => t.key === unreachableTaint || t.key === notReadyTaint || (t.key === unschedulableTaint && t.effect === 'NoSchedule');
  const want = wantedTaints(readiness, unschedulable);
  const keep = current.filter((t) => !ours(t) || want.some((w) => w.key === t.key && w.effect === t.effect));
  for (const w of want) {
    if (!keep.some((t) => t.key === w.key && t.effect === w.effect))
      keep.push({ key: w.key, effect: w.effect, ...(w.effect === 'NoExecute' ? { timeAdded: nowISO } : {}) });
  }
  return keep;
}

/** Conditions the controller posts for a node it no longer hears from. */
export function unknownConditions(conds: NodeCondition[], nowISO: string): NodeCondition[] {
  const types = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
  const out = conds.map((c) =>
    types.includes(c.type) && c.status !== 'Unknown'
      ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: nowISO }
      : c,
  );
  if (!out.some((c) => c.type === 'Ready'))
    out.push({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastTransitionTime: nowISO,
      lastHeartbeatTime: nowISO,
    });
  return out;
}

const matches = (tol: Toleration, taint: Taint) => {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.operator === 'Exists') return !tol.key || tol.key === taint.key;
  return tol.key === taint.key && (tol.value ?? '') === (taint.value ?? '');
};

/**
 * When the taint manager evicts a pod from a node with NoExecute taints: `now` (0), after some ms, or never.
 * Pods without a not-ready/unreachable toleration get `defaultTolerationSeconds` for those taints, as the
 * DefaultTolerationSeconds admission plugin would have given them; the 300 s ones it gave are read as that setting too.
 */
export function evictionDelayMs(pod: Pod, taints: Taint[], nowMs: number, defaultTolerationSeconds: number): number | 'never' {
  const noExec = taints.filter((t) => t.effect === 'NoExecute');
  if (noExec.length === 0) return 'never';
  // the 300 s tolerations the DefaultTolerationSeconds admission plugin adds follow the lab's setting
  const tols = (pod.spec?.tolerations ?? []).map((t) =>
    (t.key === notReadyTaint || t.key === unreachableTaint) &&
    t.operator === 'Exists' &&
    t.effect === 'NoExecute' &&
    t.tolerationSeconds === admissionDefaultSeconds
      ? { ...t, tolerationSeconds: defaultTolerationSeconds }
      : t,
  );
  for (const key of [notReadyTaint, unreachableTaint]) {
    if (!tols.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'))) {
      tols.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultTolerationSeconds });
    }
  }
  let at = Infinity;
  for (const taint of noExec) {
    const used = tols.filter((t) => matches(t, taint));
    if (used.length === 0) return 0;
    const secs = used.map((t) => t.tolerationSeconds).filter((s): s is number => s !== undefined && s !== null);
    if (secs.length === 0) continue; // tolerated forever
    const added = taint.timeAdded ? new Date(taint.timeAdded).getTime() : nowMs;
    at = Math.min(at, added + Math.max(0, Math.min(...secs)) * 1000);
  }
  if (at === Infinity) return 'never';
  return Math.max(0, at - nowMs);
}
