// Resource arithmetic the scheduler needs: quantities to numbers, and a pod's effective request
// computed as upstream's resourcehelper.PodRequests (init containers, sidecars, overhead).
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { toMilli, toValue } from '../api/quantity';

export interface Resources {
  /** millicores */
  cpu: number;
  /** bytes */
  memory: number;
  /** bytes */
  ephemeralStorage: number;
}

/** Always build Resources here, so every one has the same shape (hot in Filter and Score). */
export function resources(cpu = 0, memory = 0, ephemeralStorage = 0): Resources {
  return { cpu, memory, ephemeralStorage };
}

export const zero = (): Resources => resources();

/** Requests counted for scoring when a container names none (upstream's DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DefaultMilliCPURequest = 100;
export const DefaultMemoryRequest = 200 * 1024 * 1024;

// A cluster uses few distinct quantity strings ("100m", "500Mi"), and every pod update re-reads them.
const memo = new Map<string, number>();

function cached(kind: 'm' | 'v', q: string | number | undefined): number {
  if (q === undefined) return 0;
  const key = kind + q;
  let v = memo.get(key);
  if (v === undefined) {
    try {
      v = Number(kind === 'm' ? toMilli(q) : toValue(q));
    } catch {
      v = 0; // malformed: validation rejects it before it gets here
    }
    if (memo.size > 10_000) memo.clear();
    memo.set(key, v);
  }
  return v;
}

/** Value in milli-units rounded up (upstream's MilliValue). */
export const milli = (q: string | number | undefined) => cached('m', q);

/** Value rounded up (upstream's Value). */
export const whole = (q: string | number | undefined) => cached('v', q);

export function fromList(list: Record<string, string | number> | undefined): Resources {
  return resources(
    list?.cpu !== undefined ? milli(list.cpu) : 0,
    list?.memory !== undefined ? whole(list.memory) : 0,
    list?.['ephemeral-storage'] !== undefined ? whole(list['ephemeral-storage']) : 0,
  );
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const req = c.resources?.requests as Record<string, string> | undefined;
  // Upstream defaults requests to limits when only limits are set (API defaulting); do the same here.
  const lim = c.resources?.limits as Record<string, string> | undefined;
  const r = fromList({ ...(lim ?? {}), ...(req ?? {}) });
  if (nonZero) {
    const has = (k: string) => (req && req[k] !== undefined) || (lim && lim[k] !== undefined);
    if (!has('cpu')) r.cpu = DefaultMilliCPURequest;
    if (!has('memory')) r.memory = DefaultMemoryRequest;
  }
  return r;
}

const add = (a: Resources, b: Resources) => {
  a.cpu += b.cpu;
  a.memory += b.memory;
  a.ephemeralStorage += b.ephemeralStorage;
};
const max = (a: Resources, b: Resources) => {
  a.cpu = Math.max(a.cpu, b.cpu);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
};

/**
 * max(sum(containers) + sidecars, max over init containers of (init + sidecars started before it)) + overhead.
 * `nonZero` counts containers without requests as 100m / 200Mi, as upstream does for scoring.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const reqs = zero();
  for (const c of pod.spec?.containers ?? []) add(reqs, containerRequests(c, nonZero));
  const restartable = zero();
  const initMax = zero();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    let effective: Resources;
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running: it adds to the long-running sum and to every later init container.
      add(reqs, r);
      add(restartable, r);
      effective = resources(restartable.cpu, restartable.memory, restartable.ephemeralStorage);
    } else {
      effective = resources(r.cpu, r.memory, r.ephemeralStorage);
      add(effective, restartable);
    }
    max(initMax, effective);
  }
  max(reqs, initMax);
  if (pod.spec?.overhead) add(reqs, fromList(pod.spec.overhead as Record<string, string>));
  return reqs;
}

export function formatCpu(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

export function formatMemory(b: number): string {
  for (const [s, v] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (b >= v && b % v === 0) return `${b / v}${s}`;
  }
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)}Mi`;
  return String(b);
}
