// Usage for the charts: a series from the metrics server as chart lines, the units kubectl top prints, and the
// reference lines (limits of a pod, allocatable of a node) from quantities.
import type { UsageSeriesInfo } from '../../main/bridge/contract';
import { toMilli, toValue } from '../../main/api/quantity';

import type { Node, Pod } from 'kubernetes-types/core/v1';

export const cpuText = (cores: number) => (cores >= 1 ? `${Number(cores.toFixed(2))}` : `${Math.round(cores * 1000)}m`);
export const memoryText = (bytes: number) =>
  bytes >= 10 * 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)}Gi`
    : bytes >= 1024 ** 2 || bytes === 0
      ? `${Math.round(bytes / 1024 / 1024)}Mi`
      : `${Math.round(bytes / 1024)}Ki`;

export interface UsageLines {
  /** seconds */
  times: number[];
  cpu: { label: string; values: (number | null)[] }[];
  memory: { label: string; values: (number | null)[] }[];
}

/** One line per container for a pod (in the order the spec lists them), one for a node. */
export function usageLines(s: UsageSeriesInfo | undefined, containers?: string[]): UsageLines {
  const pts = s?.points ?? [];
  const times = pts.map((p) => p.t / 1000);
  if (!containers?.length) {
    return { times, cpu: [{ label: 'total', values: pts.map((p) => p.cpu) }], memory: [{ label: 'total', values: pts.map((p) => p.memory) }] };
  }
  const names = [...containers, ...new Set(pts.flatMap((p) => Object.keys(p.containers ?? {})).filter((n) => !containers.includes(n)))];
  return {
    times,
    cpu: names.map((n) => ({ label: n, values: pts.map((p) => p.containers?.[n]?.cpu ?? null) })),
    memory: names.map((n) => ({ label: n, values: pts.map((p) => p.containers?.[n]?.memory ?? null) })),
  };
}

const safe = <T>(fn: () => T): T | undefined => {
  try {
    return fn();
  } catch {
    return undefined;
  }
};

/** The pod's total CPU and memory limits, when every container has one (else there is no ceiling to draw). */
export function podLimits(pod: Pod | undefined): { cpu?: number; memory?: number } {
  const cs = pod?.spec?.containers ?? [];
  if (!cs.length) return {};
  const sum = (k: 'cpu' | 'memory') => {
    if (!cs.every((c) => c.resources?.limits?.[k] !== undefined)) return undefined;
    const vals = cs.map((c) => safe(() => (k === 'cpu' ? Number(toMilli(c.resources!.limits!.cpu)) / 1000 : Number(toValue(c.resources!.limits!.memory)))));
    return vals.every((v) => v !== undefined) ? (vals as number[]).reduce((a, b) => a + b, 0) : undefined;
  };
  return { cpu: sum('cpu'), memory: sum('memory') };
}

/** A node's allocatable CPU (cores) and memory (bytes). */
export function nodeAllocatable(node: Node | undefined): { cpu?: number; memory?: number } {
  const a: Record<string, string> = node?.status?.allocatable ?? {};
  return {
    cpu: a.cpu !== undefined ? safe(() => Number(toMilli(a.cpu)) / 1000) : undefined,
    memory: a.memory !== undefined ? safe(() => Number(toValue(a.memory))) : undefined,
  };
}
