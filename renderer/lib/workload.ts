// Which pods a workload runs: its label selector as kubectl writes it (`-l app=web,tier in (a,b)`). Pure.
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Service } from 'kubernetes-types/core/v1';
import { specSelectorString } from '../../main/api/selectors';

/** The selector string of a Deployment, ReplicaSet, StatefulSet, DaemonSet or Job (spec.selector), or a Service (a plain map). */
/** The kinds whose pods the logs pane can follow together (WORKLOADS). */
export type Workload = Deployment | ReplicaSet | StatefulSet | DaemonSet | Job | Service;

export function selectorOf(o: Workload | undefined): string | undefined {
  try {
    return specSelectorString(o?.spec?.selector) || undefined;
  } catch {
    return undefined; // an operator the API would have refused: no pods to follow
  }
}

/** Kinds whose pods the logs pane can follow together. */
export const WORKLOADS = new Set(['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'services']);
