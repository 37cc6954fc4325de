// Which pods a workload runs: its label selector as kubectl writes it (`-l app=web,tier in (a,b)`). Pure.
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { KubeObject } from '../../main/api/object';
import { specSelectorString } from '../../main/api/selectors';

/** The selector string of a Deployment, ReplicaSet, StatefulSet, DaemonSet or Job (spec.selector), or a Service (a plain map). */
export function selectorOf(o: KubeObject | undefined): string | undefined {
  try {
    return specSelectorString((o as { spec?: { selector?: LabelSelector | Record<string, string> } } | undefined)?.spec?.selector) || undefined;
  } catch {
    return undefined; // an operator the API would have refused: no pods to follow
  }
}

/** Kinds whose pods the logs pane can follow together. */
export const WORKLOADS = new Set(['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'services']);
