// Node figures for the Overview and `kubectl describe node`: capacity, allocatable, what pods request.
import type { AnyObject } from './objects';
import type { NodeSystemInfo, Pod } from 'kubernetes-types/core/v1';
import { addQuantity, formatQuantity, toMilli } from '../../main/api/quantity';
import { fromList, podRequests, formatCpu, formatMemory, type Resources } from '../../main/scheduler/resources';

const active = (p: Pod) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export function podsOnNode<T extends Pod>(pods: T[], node: string): T[] {
  return pods.filter((p) => p.spec?.nodeName === node && active(p));
}

/** Sum of container requests/limits (init containers: the max, as the scheduler counts). */
export function podTotals(pods: Pod[]): { requests: Record<string, string>; limits: Record<string, string> } {
  const sum = (field: 'requests' | 'limits') => {
    const acc: Record<string, ReturnType<typeof addQuantity>> = {};
    for (const p of pods) {
      for (const c of p.spec?.containers ?? []) {
        for (const [k, v] of Object.entries(c.resources?.[field] ?? {})) acc[k] = acc[k] ? addQuantity(acc[k], v) : addQuantity(0, v);
      }
    }
    return Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, formatQuantity(v)]));
  };
  return { requests: sum('requests'), limits: sum('limits') };
}

/** Memory for people: `1.25Gi`, `640Mi` (quantities sum to plain bytes). */
export function formatBytes(q: string | undefined): string {
  if (!q) return '0';
  let bytes: number;
  try {
    bytes = Number(toMilli(q)) / 1000;
  } catch {
    return q;
  }
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${Number.isInteger(bytes) ? bytes : bytes.toFixed(bytes < 10 ? 2 : 1).replace(/\.?0+$/, '')}${units[i]}`;
}

/** Percent of allocatable that the requests use (0 if unknown), truncated as `kubectl describe node` does. */
export function percentOf(used: string | undefined, total: string | undefined): number {
  if (!used || !total) return 0;
  try {
    const t = Number(toMilli(total));
    return t > 0 ? Math.trunc((Number(toMilli(used)) / t) * 100) : 0;
  } catch {
    return 0;
  }
}

/** `kubectl describe node`'s System Info: its order and its words for status.nodeInfo's fields. */
const SYSTEM_INFO: [keyof NodeSystemInfo, string][] = [
  ['machineID', 'Machine ID'],
  ['systemUUID', 'System UUID'],
  ['bootID', 'Boot ID'],
  ['kernelVersion', 'Kernel Version'],
  ['osImage', 'OS Image'],
  ['operatingSystem', 'Operating System'],
  ['architecture', 'Architecture'],
  ['containerRuntimeVersion', 'Container Runtime Version'],
  ['kubeletVersion', 'Kubelet Version'],
  ['kubeProxyVersion', 'Kube-Proxy Version'],
];

export function systemInfo(nodeInfo: Partial<NodeSystemInfo> | undefined): { label: string; value: string }[] {
  return SYSTEM_INFO.filter(([k]) => nodeInfo?.[k] !== undefined).map(([k, label]) => ({ label, value: String(nodeInfo![k]) }));
}

/** Limits as upstream's PodRequestsAndLimits counts them: max(sum of containers, largest init container) + overhead. */
function podLimits(pod: Pod): Resources {
  const sum = fromList({});
  for (const c of pod.spec?.containers ?? []) {
    const l = fromList(c.resources?.limits as Record<string, string> | undefined);
    sum.cpu += l.cpu;
    sum.memory += l.memory;
    sum.ephemeralStorage += l.ephemeralStorage;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const l = fromList(c.resources?.limits as Record<string, string> | undefined);
    sum.cpu = Math.max(sum.cpu, l.cpu);
    sum.memory = Math.max(sum.memory, l.memory);
    sum.ephemeralStorage = Math.max(sum.ephemeralStorage, l.ephemeralStorage);
  }
  const o = fromList(pod.spec?.overhead as Record<string, string> | undefined);
  return { cpu: sum.cpu + o.cpu, memory: sum.memory + o.memory, ephemeralStorage: sum.ephemeralStorage + o.ephemeralStorage };
}

export type DescribedResource = 'cpu' | 'memory' | 'ephemeral-storage';
const field = { cpu: 'cpu', memory: 'memory', 'ephemeral-storage': 'ephemeralStorage' } as const;

/** `100m (5%)`: an amount and its share of allocatable, in describe's words (cpu in millicores, the rest in bytes). */
export function describeAmount(resource: DescribedResource, amount: number, allocatable: Record<string, string> | undefined): string {
  const total = fromList(allocatable)[field[resource]];
  const pct = total > 0 ? Math.trunc((amount / total) * 100) : 0;
  return `${resource === 'cpu' ? formatCpu(amount) : formatMemory(amount)} (${pct}%)`;
}

/** One pod's row of describe's Non-terminated Pods: requests and limits with their share of allocatable. */
export function podResourceRow(pod: Pod, allocatable: Record<string, string> | undefined) {
  const req = podRequests(pod);
  const lim = podLimits(pod);
  return {
    cpuRequests: describeAmount('cpu', req.cpu, allocatable),
    cpuLimits: describeAmount('cpu', lim.cpu, allocatable),
    memoryRequests: describeAmount('memory', req.memory, allocatable),
    memoryLimits: describeAmount('memory', lim.memory, allocatable),
  };
}

/** describe's Allocated resources: the sums over the node's non-terminated pods, per resource. */
export function allocatedResources(pods: Pod[], allocatable: Record<string, string> | undefined): { resource: string; requests: string; limits: string }[] {
  const req = fromList({});
  const lim = fromList({});
  for (const p of pods) {
    const r = podRequests(p);
    const l = podLimits(p);
    for (const k of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      req[k] += r[k];
      lim[k] += l[k];
    }
  }
  const rows = (['cpu', 'memory', 'ephemeral-storage'] as const).map((k) => ({
    resource: k as string,
    requests: describeAmount(k, req[field[k]], allocatable),
    limits: describeAmount(k, lim[field[k]], allocatable),
  }));
  // hugepages: pods here never request them, so 0 (0%), as describe lists every hugepages size the node has
  for (const k of Object.keys(allocatable ?? {})
    .filter((x) => x.startsWith('hugepages-'))
    .sort())
    rows.push({ resource: k, requests: '0 (0%)', limits: '0 (0%)' });
  return rows;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/**
 * A `kubectl taint` argument applied to a node's taints: `key=value:Effect` adds (or replaces that key and effect),
 * `key:Effect-` removes that one, `key-` every taint with the key. The taints to write, or an Error for a bad argument.
 */
export function taintChange(taints: Taint[], change: string): Taint[] | Error {
  const rm = change.trim().match(/^([\w./-]+)(?::(NoSchedule|PreferNoSchedule|NoExecute))?-$/);
  if (rm) return taints.filter((x) => x.key !== rm[1] || (rm[2] !== undefined && x.effect !== rm[2]));
  const add = change.trim().match(/^([\w./-]+)(?:=([\w.-]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/);
  if (!add) return new Error(`invalid taint: ${change} (key=value:NoSchedule|PreferNoSchedule|NoExecute, or key- to remove)`);
  return [...taints.filter((x) => !(x.key === add[1] && x.effect === add[3])), { key: add[1], ...(add[2] ? { value: add[2] } : {}), effect: add[3] }];
}

/** A `kubectl label` argument as a merge patch of labels: `key=value` sets, `key-` removes (null); an Error if malformed. */
export function labelChange(change: string): Record<string, string | null> | Error {
  const m = change.trim().match(/^([\w./-]+)(?:(-)|=([\w.-]*))$/);
  if (!m) return new Error(`invalid label: ${change} (key=value, or key- to remove)`);
  return { [m[1]]: m[2] ? null : m[3] };
}

const controller = (p: AnyObject) => (p.metadata.ownerReferences ?? []).find((r) => r.controller) ?? p.metadata.ownerReferences?.[0];

/** The kind of what controls a pod (ReplicaSet, DaemonSet, Job...), or '' for a bare pod. */
export const controllerKind = (p: AnyObject): string => controller(p)?.kind ?? '';

/**
 * What `kubectl drain --ignore-daemonsets --delete-emptydir-data --force` does with a node's pods: DaemonSet pods stay,
 * every other pod is evicted; `unmanaged` are the evicted ones no controller recreates (drain refuses them without --force).
 */
export function drainPlan<T extends AnyObject>(pods: T[]): { evict: T[]; daemonSet: T[]; unmanaged: T[] } {
  const daemonSet = pods.filter((p) => controllerKind(p) === 'DaemonSet');
  const evict = pods.filter((p) => controllerKind(p) !== 'DaemonSet');
  return { evict, daemonSet, unmanaged: evict.filter((p) => !controller(p)) };
}

/** Conditions whose True is good (Ready, the lab's PodOverlay: pods reach other nodes); for the pressure ones True is bad. */
export const positiveCondition = (type: string | undefined): boolean => type === 'Ready' || type === 'PodOverlay';
