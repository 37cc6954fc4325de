// Which pods a workload runs: its label selector as kubectl writes it (`-l app=web,tier in (a,b)`). Pure.
import type { KubeObject } from '../../main/api/object';

interface Expr { key: string; operator: string; values?: string[] }
interface Sel { matchLabels?: Record<string, string>; matchExpressions?: Expr[] }

/** The selector string of a Deployment, ReplicaSet, StatefulSet, DaemonSet or Job (spec.selector), or a Service (a plain map). */
export function selectorOf(o: KubeObject | undefined): string | undefined {
  const sel = (o as { spec?: { selector?: Sel | Record<string, string> } } | undefined)?.spec?.selector;
  if (!sel || typeof sel !== 'object') return undefined;
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
  const labels = (isLabelSelector ? (sel as Sel).matchLabels : (sel as Record<string, string>)) ?? {};
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of (isLabelSelector ? (sel as Sel).matchExpressions : undefined) ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : undefined;
}

/** Kinds whose pods the logs pane can follow together. */
export const WORKLOADS = new Set(['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'services']);
