// Which nodes a DaemonSet's pod belongs on, and what its rolling update may replace (pure).
import type { Node, Pod, PodTemplateSpec, Taint, Toleration } from 'kubernetes-types/core/v1';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import { nodeSelectorTermsMatch, setSelectorMatches } from '../../api/selectors';
import { scaledValue } from '../deployment/decisions';

/** Tolerations every daemon pod gets, as upstream's daemonset util adds them. */
export const daemonTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

export function tolerates(tols: Toleration[], taint: Taint): boolean {
  return tols.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** upstream NodeShouldRunDaemonPod: node selector, required node affinity on labels, taints. */
export function shouldRunOn(node: Node, template: PodTemplateSpec | undefined): { run: boolean; reason?: string } {
  const labels = node.metadata?.labels ?? {};
  const sel = template?.spec?.nodeSelector;
  if (!setSelectorMatches(sel, labels)) {
    const [k, v] = Object.entries(sel!).find(([k, v]) => labels[k] !== v)!;
    return { run: false, reason: `node selector ${k}=${v} does not match` };
  }
  const required = template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], labels, node.metadata?.name ?? '')) {
    return { run: false, reason: 'node affinity does not match' };
  }
  const tols = [...(template?.spec?.tolerations ?? []), ...daemonTolerations];
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(tols, taint)) return { run: false, reason: `untolerated taint ${taint.key}${taint.value ? '=' + taint.value : ''}:${taint.effect}` };
  }
  return { run: true };
}

/** How many old pods a rolling update may delete now: maxUnavailable minus those already unavailable. */
export function rollingDeleteBudget(ds: DaemonSet, desired: number, unavailable: number): number {
  const maxUnavailable = Math.max(1, scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, desired, true, '1'));
  return Math.max(0, maxUnavailable - unavailable);
}

export const podNodeName = (p: Pod): string | undefined =>
  p.spec?.nodeName ||
  p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.find((f) => f.key === 'metadata.name')
    ?.values?.[0];
