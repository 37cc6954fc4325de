// ResourceQuota: refuse what would exceed a namespace's quota, with upstream's message, and keep each
// quota's status (hard, used) current. Usage is computed from the API at admission (no quota controller):
// objects already stored plus those admitted moments ago and not yet visible.
import { objectKey, type KubeObject } from '../../api/object';
import { addQuantity, compareQuantity, formatQuantity, isQuantity, parseQuantity, type Quantity } from '../../api/quantity';
import { R, type ResourceType } from '../../client/types';
import { forbidden } from './forbidden';
import { NamespacedLister } from './lister';
import type { AdmissionAttributes, AdmissionPlugin } from './types';

type Obj = Record<string, any>;
export type Usage = Record<string, Quantity>;

const one = () => parseQuantity('1');
const computeResources = ['cpu', 'memory', 'ephemeral-storage'];

/** Pod requests or limits: sum over containers, or the largest init container when larger (PodRequests). */
function podResources(spec: Obj, kind: 'requests' | 'limits'): Usage {
  const sum: Usage = {};
  for (const c of (spec.containers ?? []) as Obj[]) {
    for (const [k, v] of Object.entries((c.resources?.[kind] ?? {}) as Obj)) if (isQuantity(v)) sum[k] = sum[k] ? addQuantity(sum[k], v) : parseQuantity(v);
  }
  for (const c of (spec.initContainers ?? []) as Obj[]) {
    for (const [k, v] of Object.entries((c.resources?.[kind] ?? {}) as Obj)) {
      if (isQuantity(v) && (!sum[k] || compareQuantity(v, sum[k]) > 0)) sum[k] = parseQuantity(v);
    }
  }
  if (spec.overhead) for (const [k, v] of Object.entries(spec.overhead as Obj)) if (isQuantity(v) && sum[k]) sum[k] = addQuantity(sum[k], v);
  return sum;
}

const podCounts = (pod: KubeObject) => {
  const phase = (pod.status as Obj | undefined)?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
};

/** What one object uses, by quota resource name. */
export function usageOf(group: string, resource: string, obj: KubeObject): Usage {
  const count = `count/${group ? `${resource}.${group}` : resource}`;
  const u: Usage = { [count]: one() };
  if (group !== '') return u;
  if (resource === 'pods') {
    if (!podCounts(obj)) return {};
    u.pods = one();
    const spec = (obj.spec ?? {}) as Obj;
    const req = podResources(spec, 'requests');
    const lim = podResources(spec, 'limits');
    for (const r of computeResources) {
      if (req[r]) u[`requests.${r}`] = req[r];
      if (req[r] && r !== 'ephemeral-storage') u[r] = req[r];
      if (lim[r]) u[`limits.${r}`] = lim[r];
    }
    if (req['ephemeral-storage']) u['ephemeral-storage'] = req['ephemeral-storage'];
    return u;
  }
  if (resource === 'services') {
    u.services = one();
    const spec = (obj.spec ?? {}) as Obj;
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') u['services.nodeports'] = parseQuantity(String((spec.ports ?? []).length));
    if (spec.type === 'LoadBalancer') u['services.loadbalancers'] = one();
    return u;
  }
  if (['configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'].includes(resource)) u[resource] = one();
  return u;
}

/** The resource type whose objects a quota key counts. */
function typeOfKey(key: string): ResourceType | undefined {
  if (key.startsWith('count/')) {
    const [res, ...g] = key.slice(6).split('.');
    const group = g.join('.');
    return Object.values(R).find((t) => t.resource === res && t.group === group);
  }
  if (key === 'pods' || key.startsWith('requests.') || key.startsWith('limits.') || computeResources.includes(key)) return R.pods;
  if (key.startsWith('services')) return R.services;
  if (key === 'configmaps') return R.configmaps;
  if (key === 'secrets') return R.secrets;
  if (key === 'resourcequotas') return R.resourcequotas;
  return undefined;
}

/** Quota scopes a pod must match: BestEffort, NotBestEffort, Terminating, NotTerminating. */
function matchesScopes(quota: KubeObject, group: string, resource: string, obj: KubeObject): boolean {
  const scopes: string[] = ((quota.spec as Obj | undefined)?.scopes ?? []) as string[];
  if (!scopes.length) return true;
  if (group !== '' || resource !== 'pods') return false;
  const spec = (obj.spec ?? {}) as Obj;
  const req = podResources(spec, 'requests');
  const lim = podResources(spec, 'limits');
  const bestEffort = !['cpu', 'memory'].some((r) => req[r] || lim[r]);
  const terminating = spec.activeDeadlineSeconds != null;
  return scopes.every((s) =>
    s === 'BestEffort' ? bestEffort : s === 'NotBestEffort' ? !bestEffort : s === 'Terminating' ? terminating : s === 'NotTerminating' ? !terminating : true,
  );
}

const validationSet = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/** Upstream's pod Constraints: a quota on cpu/memory requires every container to state it. */
function podConstraintError(pod: KubeObject, hardKeys: string[]): string | undefined {
  const required = hardKeys.filter((k) => validationSet.includes(k));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const spec = (pod.spec ?? {}) as Obj;
  for (const c of [...((spec.containers ?? []) as Obj[]), ...((spec.initContainers ?? []) as Obj[])]) {
    const have = new Set<string>();
    for (const r of ['cpu', 'memory']) {
      if (c.resources?.requests?.[r] !== undefined) have.add(`requests.${r}`).add(r);
      if (c.resources?.limits?.[r] !== undefined) have.add(`limits.${r}`);
    }
    for (const k of required) if (!have.has(k)) (missing.get(k) ?? missing.set(k, new Set()).get(k)!).add(c.name);
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing.keys()]
    .sort()
    .map((k) => `${k} for: ${[...missing.get(k)!].sort().join(',')}`)
    .join('; ')}`;
}

const pretty = (u: Usage, keys: string[]) => keys.map((k) => `${k}=${formatQuantity(u[k] ?? parseQuantity('0'))}`).join(',');

interface Reservation {
  group: string;
  resource: string;
  obj: KubeObject;
  expires: number;
}

export function resourceQuota(opts: { reservationMs?: number } = {}): AdmissionPlugin & { lister?: NamespacedLister } {
  const reservationMs = opts.reservationMs ?? 30_000;
  let lister: NamespacedLister | undefined;
  const quotasIn = (a: AdmissionAttributes) => (lister ??= new NamespacedLister(a.client, R.resourcequotas)).list(a.namespace);
  /** admitted, not yet seen in the store: namespace -> key -> reservation */
  const reserved = new Map<string, Map<string, Reservation>>();
  /** one quota decision at a time per namespace, so concurrent creates cannot both take the last unit */
  const locks = new Map<string, Promise<unknown>>();

  async function withLock<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(ns) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    locks.set(
      ns,
      run.catch(() => undefined),
    );
    return run;
  }

  /** Current usage of the given keys in a namespace, leaving out `exclude` (the object being written or deleted). */
  async function usedIn(a: AdmissionAttributes, keys: string[], exclude?: string): Promise<Usage> {
    const used: Usage = {};
    const res = reserved.get(a.namespace) ?? new Map<string, Reservation>();
    const now = Date.now();
    for (const [k, r] of res) if (r.expires < now) res.delete(k);
    const types = new Map<string, ResourceType>();
    for (const k of keys) {
      const t = typeOfKey(k);
      if (t) types.set(`${t.group}/${t.resource}`, t);
    }
    for (const t of types.values()) {
      const list = await a.client.list(t, { namespace: a.namespace });
      const seen = new Set<string>();
      const add = (obj: KubeObject) => {
        const u = usageOf(t.group, t.resource, obj);
        for (const k of keys) if (u[k] && typeOfKey(k) === t) used[k] = used[k] ? addQuantity(used[k], u[k]) : u[k];
      };
      for (const obj of list.items) {
        const key = objectKey(obj);
        seen.add(key);
        res.delete(key);
        if (key !== exclude) add(obj);
      }
      for (const [key, r] of res) if (r.group === t.group && r.resource === t.resource && !seen.has(key) && key !== exclude) add(r.obj);
    }
    for (const k of keys) used[k] ??= parseQuantity('0');
    return used;
  }

  async function writeStatus(a: AdmissionAttributes, quota: KubeObject, used: Usage) {
    if (a.dryRun) return;
    const hard = ((quota.spec as Obj | undefined)?.hard ?? {}) as Obj;
    const status = {
      hard: { ...hard },
      used: Object.fromEntries(
        Object.keys(hard)
          .sort()
          .map((k) => [k, formatQuantity(used[k] ?? parseQuantity('0'))]),
      ),
    };
    if (JSON.stringify(status) === JSON.stringify(quota.status)) return;
    try {
      await a.client.update(R.resourcequotas, { ...quota, status }, { namespace: a.namespace, subresource: 'status' });
    } catch {
      // a concurrent writer won; the next admission recomputes from the store
    }
  }

  return {
    name: 'ResourceQuota',
    get lister() {
      return lister;
    },
    stop() {
      lister?.stop();
    },
    async admit(a: AdmissionAttributes) {
      // a quota written by a user starts with its status computed, as the quota controller would
      if (a.group !== '' || a.resource !== 'resourcequotas' || a.subresource !== '' || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const hard = ((a.object.spec as Obj | undefined)?.hard ?? {}) as Obj;
      const keys = Object.keys(hard).sort();
      const used = await usedIn(a, keys);
      a.object.status = { hard: { ...hard }, used: Object.fromEntries(keys.map((k) => [k, formatQuantity(used[k])])) };
    },
    async validate(a: AdmissionAttributes) {
      if (!a.namespace || a.subresource !== '') return;
      if (a.operation === 'DELETE') {
        if (!a.oldObject || !(await quotasIn(a)).length) return;
        await withLock(a.namespace, async () => {
          const quotas = await quotasIn(a);
          const u = usageOf(a.group, a.resource, a.oldObject!);
          for (const q of quotas) {
            const keys = Object.keys(((q.spec as Obj | undefined)?.hard ?? {}) as Obj);
            if (!keys.some((k) => u[k])) continue;
            await writeStatus(a, q, await usedIn(a, keys, objectKey(a.oldObject!)));
          }
        });
        return;
      }
      if (a.operation !== 'CREATE' || !a.object) return;
      const obj = a.object;
      const usage = usageOf(a.group, a.resource, obj);
      if (!Object.keys(usage).length || !(await quotasIn(a)).length) return;
      await withLock(a.namespace, async () => {
        const quotas = [...(await quotasIn(a))].sort((x, y) => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''));
        const key = objectKey({ metadata: { ...obj.metadata, namespace: a.namespace } });
        const updates: [KubeObject, Usage][] = [];
        for (const q of quotas) {
          const hard = ((q.spec as Obj | undefined)?.hard ?? {}) as Obj;
          const keys = Object.keys(hard);
          if (!matchesScopes(q, a.group, a.resource, obj)) continue;
          if (a.group === '' && a.resource === 'pods') {
            const err = podConstraintError(obj, keys);
            if (err) throw forbidden(a, `failed quota: ${q.metadata.name}: ${err}`);
          }
          const relevant = keys.filter((k) => usage[k]).sort();
          if (!relevant.length) continue;
          const used = await usedIn(a, keys, key);
          const exceeded = relevant.filter((k) => isQuantity(hard[k]) && compareQuantity(addQuantity(used[k], usage[k]), hard[k]) > 0);
          if (exceeded.length) {
            const limited = Object.fromEntries(exceeded.map((k) => [k, parseQuantity(hard[k])]));
            throw forbidden(
              a,
              `exceeded quota: ${q.metadata.name}, requested: ${pretty(usage, exceeded)}, used: ${pretty(used, exceeded)}, limited: ${pretty(limited, exceeded)}`,
            );
          }
          const after: Usage = { ...used };
          for (const k of relevant) after[k] = addQuantity(used[k], usage[k]);
          updates.push([q, after]);
        }
        if (!updates.length) return;
        if (!a.dryRun) {
          const ns = reserved.get(a.namespace) ?? reserved.set(a.namespace, new Map()).get(a.namespace)!;
          ns.set(key, { group: a.group, resource: a.resource, obj: structuredClone(obj), expires: Date.now() + reservationMs });
        }
        for (const [q, after] of updates) {
          await writeStatus(a, q, after);
          a.note(
            `charged quota ${q.metadata.name}: ${Object.keys(usage)
              .filter((k) => after[k] && ((q.spec as Obj).hard ?? {})[k] !== undefined)
              .sort()
              .map((k) => `${k}=${formatQuantity(after[k])}/${formatQuantity((q.spec as Obj).hard[k])}`)
              .join(', ')}`,
          );
        }
      });
    },
  };
}
