// Node figures for the Overview and `kubectl describe node`: capacity, allocatable, what pods request.
import type { KubeObject } from '../../main/api/object';
import { addQuantity, formatQuantity, toMilli } from '../../main/api/quantity';

type Obj = Record<string, any>;

const active = (p: Obj) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export function podsOnNode(pods: KubeObject[], node: string): KubeObject[] {
  return pods.filter((p) => (p as Obj).spec?.nodeName === node && active(p as Obj));
}

/** Sum of container requests/limits (init containers: the max, as the scheduler counts). */
export function podTotals(pods: KubeObject[]): { requests: Record<string, string>; limits: Record<string, string> } {
  const sum = (field: 'requests' | 'limits') => {
    const acc: Record<string, ReturnType<typeof addQuantity>> = {};
    for (const p of pods as Obj[]) {
      for (const c of p.spec?.containers ?? []) {
        for (const [k, v] of Object.entries(c.resources?.[field] ?? {})) acc[k] = acc[k] ? addQuantity(acc[k], v as string) : addQuantity(0, v as string);
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

/** Percent of allocatable that the requests use (0 if unknown). */
export function percentOf(used: string | undefined, total: string | undefined): number {
  if (!used || !total) return 0;
  try {
    const t = Number(toMilli(total));
    return t > 0 ? Math.round((Number(toMilli(used)) / t) * 100) : 0;
  } catch {
    return 0;
  }
}
