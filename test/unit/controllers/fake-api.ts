// A fake API server for controller tests: an in-memory Client with resourceVersions, watch,
// merge/JSON patches, generation bumps, and deletion as the API core does it (finalizers,
// propagationPolicy -> foregroundDeletion/orphan finalizers). Used only where the real one isn't needed.
import { applyPatch } from 'fast-json-patch';
import { dropEmptyMetaLists } from '../../../main/api/object';
import { applyStrategicMergePatch } from '../../../main/api/patch';
// the served kinds' schemas declare which lists a strategic merge patch merges by key
import '../../../main/apiserver/registry';
import type { KubeList, KubeObject } from '../../../main/api/object';
import { errors } from '../../../main/api/errors';
import type { ApiWatch, ApiWatchEvent, PatchType } from '../../../main/apiserver/types';
import type { Client, DeleteOptions, ListOptions, PatchOptions, ResourceType, WatchOptions, WriteOptions } from '../../../main/client/types';
import { apiVersionOf } from '../../../main/client/types';

type Meta = { -readonly [K in keyof KubeObject['metadata']]: KubeObject['metadata'][K] };
type Listener = { type: ResourceType; ns?: string; fn: (ev: ApiWatchEvent) => void };

const mergePatch = (target: any, patch: any): any => {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
};

function parseSelector(s?: string): Array<[string, string]> {
  if (!s) return [];
  return s
    .split(',')
    .filter(Boolean)
    .map((p) => p.split('=') as [string, string]);
}

export class FakeApi implements Client {
  rv = 1;
  private objs = new Map<string, KubeObject>();
  private listeners = new Set<Listener>();
  private uidSeq = 0;
  /** every write, for assertions: `create pods default/x` */
  readonly writes: string[] = [];
  /** make the next create of this resource fail, as a quota or webhook would */
  failCreates = new Map<string, number>();
  /** make the next deletes of this resource fail, as an unavailable API server would (503) */
  failDeletes = new Map<string, number>();

  private k(t: ResourceType, ns: string | undefined, name: string) {
    return `${t.group}/${t.resource}/${t.namespaced ? (ns ?? 'default') : ''}/${name}`;
  }

  private emit(t: ResourceType, type: ApiWatchEvent['type'], obj: KubeObject) {
    for (const l of this.listeners) {
      if (l.type.resource !== t.resource || l.type.group !== t.group) continue;
      if (l.ns && obj.metadata.namespace !== l.ns) continue;
      l.fn({ type, object: structuredClone(obj) });
    }
  }

  /** all objects of a type, straight from the fake's memory */
  all<T extends KubeObject = KubeObject>(t: ResourceType, ns?: string): T[] {
    const pre = `${t.group}/${t.resource}/`;
    return [...this.objs.entries()]
      .filter(([k, o]) => k.startsWith(pre) && (ns === undefined || o.metadata.namespace === ns))
      .map(([, o]) => structuredClone(o) as T);
  }

  async get<T extends KubeObject = KubeObject>(t: ResourceType, name: string, namespace?: string): Promise<T> {
    const o = this.objs.get(this.k(t, namespace, name));
    if (!o) throw errors.notFound({ group: t.group, kind: t.resource, name });
    return structuredClone(o) as T;
  }

  async list<T extends KubeObject = KubeObject>(t: ResourceType, opts: ListOptions = {}): Promise<KubeList<T>> {
    const sel = parseSelector(opts.labelSelector);
    const items = this.all<T>(t, t.namespaced ? opts.namespace : undefined).filter((o) => sel.every(([k, v]) => o.metadata.labels?.[k] === v));
    return { apiVersion: apiVersionOf(t), kind: `${t.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  async watch(t: ResourceType, opts: WatchOptions, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch> {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const l: Listener = { type: t, ns: t.namespaced ? opts.namespace : undefined, fn: onEvent };
    this.listeners.add(l);
    return {
      stop: () => {
        this.listeners.delete(l);
        resolve();
      },
      done,
    };
  }

  async create<T extends KubeObject = KubeObject>(t: ResourceType, body: KubeObject | Record<string, unknown>, opts: WriteOptions = {}): Promise<T> {
    const obj = structuredClone(body) as KubeObject;
    const ns = t.namespaced ? (obj.metadata.namespace ?? opts.namespace ?? 'default') : undefined;
    const fails = this.failCreates.get(t.resource) ?? 0;
    if (fails > 0) {
      this.failCreates.set(t.resource, fails - 1);
      throw errors.forbidden(`${t.resource} is forbidden: exceeded quota`);
    }
    if (!obj.metadata.name && obj.metadata.generateName) (obj.metadata as Meta).name = obj.metadata.generateName + Math.random().toString(36).slice(2, 7);
    const key = this.k(t, ns, obj.metadata.name!);
    if (this.objs.has(key)) throw errors.alreadyExists({ group: t.group, kind: t.resource, name: obj.metadata.name });
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    (obj.metadata as Meta).namespace = ns;
    (obj.metadata as Meta).uid = `uid-${++this.uidSeq}`;
    (obj.metadata as Meta).creationTimestamp = new Date().toISOString();
    (obj.metadata as Meta).resourceVersion = String(++this.rv);
    if (obj.spec !== undefined) (obj.metadata as Meta).generation = 1;
    this.objs.set(key, obj);
    this.writes.push(`create ${t.resource} ${ns ? ns + '/' : ''}${obj.metadata.name}`);
    this.emit(t, 'ADDED', obj);
    return structuredClone(obj) as T;
  }

  private store(t: ResourceType, old: KubeObject, obj: KubeObject, subresource?: string): KubeObject {
    if (subresource === 'status') obj = { ...old, status: obj.status };
    else if (subresource === 'finalize')
      obj = { ...old, spec: { ...(old.spec as object), finalizers: (obj.spec as { finalizers?: string[] })?.finalizers ?? [] } };
    else if (old.status !== undefined && subresource !== 'status') obj.status = obj.status ?? old.status;
    if (JSON.stringify(old.spec) !== JSON.stringify(obj.spec)) (obj.metadata as Meta).generation = (old.metadata.generation ?? 1) + 1;
    dropEmptyMetaLists(obj.metadata as Meta);
    (obj.metadata as Meta).uid = old.metadata.uid;
    (obj.metadata as Meta).creationTimestamp = old.metadata.creationTimestamp;
    (obj.metadata as Meta).resourceVersion = String(++this.rv);
    const key = this.k(t, old.metadata.namespace, old.metadata.name!);
    // an object being deleted goes once its last finalizer is gone
    const specFinalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length && !(t.resource === 'namespaces' && specFinalizers.length)) {
      this.objs.delete(key);
      this.writes.push(`delete ${t.resource} ${old.metadata.namespace ? old.metadata.namespace + '/' : ''}${old.metadata.name}`);
      this.emit(t, 'DELETED', obj);
      return obj;
    }
    this.objs.set(key, obj);
    this.emit(t, 'MODIFIED', obj);
    return obj;
  }

  async update<T extends KubeObject = KubeObject>(t: ResourceType, body: KubeObject, opts: WriteOptions = {}): Promise<T> {
    const obj = structuredClone(body);
    const old = this.objs.get(this.k(t, obj.metadata.namespace ?? opts.namespace, obj.metadata.name!));
    if (!old) throw errors.notFound({ group: t.group, kind: t.resource, name: obj.metadata.name });
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict({ group: t.group, kind: t.resource, name: obj.metadata.name });
    }
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    this.writes.push(`update${opts.subresource ? '/' + opts.subresource : ''} ${t.resource} ${obj.metadata.name}`);
    return structuredClone(this.store(t, old, obj, opts.subresource)) as T;
  }

  async patch<T extends KubeObject = KubeObject>(t: ResourceType, name: string, patchType: PatchType, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    const old = this.objs.get(this.k(t, opts.namespace, name));
    if (!old) throw errors.notFound({ group: t.group, kind: t.resource, name });
    let obj: KubeObject;
    if (patchType === 'application/json-patch+json') obj = applyPatch(structuredClone(old), patch as any, false, false).newDocument as KubeObject;
    else if (patchType === 'application/strategic-merge-patch+json') obj = applyStrategicMergePatch(structuredClone(old), patch) as KubeObject;
    else obj = mergePatch(structuredClone(old), patch) as KubeObject;
    this.writes.push(`patch${opts.subresource ? '/' + opts.subresource : ''} ${t.resource} ${name}`);
    return structuredClone(this.store(t, old, obj, opts.subresource)) as T;
  }

  async delete<T extends KubeObject = KubeObject>(t: ResourceType, name: string, opts: DeleteOptions = {}): Promise<T> {
    const key = this.k(t, opts.namespace, name);
    const fails = this.failDeletes.get(t.resource) ?? 0;
    if (fails > 0) {
      this.failDeletes.set(t.resource, fails - 1);
      throw errors.unavailable('etcdserver: request timed out');
    }
    const old = this.objs.get(key);
    if (!old) throw errors.notFound({ group: t.group, kind: t.resource, name });
    if (opts.preconditions?.uid && opts.preconditions.uid !== old.metadata.uid) {
      throw errors.conflict({ group: t.group, kind: t.resource, name }, 'Precondition failed: UID in precondition does not match UID in object');
    }
    const obj = structuredClone(old);
    const fin = new Set(obj.metadata.finalizers ?? []);
    if (opts.propagationPolicy === 'Foreground') fin.add('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan') fin.add('orphan');
    // a namespace with spec.finalizers waits, Terminating, for the namespace controller
    if (t.resource === 'namespaces' && ((old.spec as { finalizers?: string[] })?.finalizers ?? []).length) {
      if (old.metadata.deletionTimestamp) return structuredClone(old) as T;
      (obj.metadata as Meta).deletionTimestamp = new Date().toISOString();
      obj.status = { phase: 'Terminating' };
      this.writes.push(`delete(terminating) ${t.resource} ${name}`);
      return structuredClone(this.store(t, old, obj)) as T;
    }
    if (fin.size > 0) {
      if (old.metadata.deletionTimestamp) return structuredClone(old) as T;
      (obj.metadata as Meta).finalizers = [...fin];
      (obj.metadata as Meta).deletionTimestamp = new Date().toISOString();
      this.writes.push(`delete(finalizers) ${t.resource} ${name}`);
      return structuredClone(this.store(t, old, obj)) as T;
    }
    this.objs.delete(key);
    (obj.metadata as Meta).resourceVersion = String(++this.rv);
    this.writes.push(`delete ${t.resource} ${old.metadata.namespace ? old.metadata.namespace + '/' : ''}${name}`);
    this.emit(t, 'DELETED', obj);
    return structuredClone(obj) as T;
  }
}

/** Poll until fn returns a truthy value (tests poll for state, never sleep-and-hope). */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ': ' + String(last) : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A fake kubelet for controller tests: every new pod gets a node and turns Running and Ready
 * after `delayMs`, as a healthy node would report it. Returns a stop function.
 */
export async function fakeKubelet(api: FakeApi, delayMs = 5, node = 'node-1'): Promise<() => void> {
  const { R } = await import('../../../main/client/types');
  const timers = new Set<NodeJS.Timeout>();
  const w = await api.watch(R.pods, {}, (ev) => {
    if (ev.type !== 'ADDED' || ev.object.metadata.deletionTimestamp) return;
    const { name, namespace } = ev.object.metadata;
    const t = setTimeout(() => {
      timers.delete(t);
      const ts = new Date().toISOString();
      void api
        .patch(
          R.pods,
          name!,
          'application/merge-patch+json',
          {
            spec: { nodeName: node },
            status: {
              phase: 'Running',
              podIP: '10.244.0.' + (1 + Math.floor(Math.random() * 250)),
              conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ts }],
            },
          },
          { namespace },
        )
        .catch(() => {});
    }, delayMs);
    timers.add(t);
  });
  return () => {
    w.stop();
    for (const t of timers) clearTimeout(t);
  };
}
