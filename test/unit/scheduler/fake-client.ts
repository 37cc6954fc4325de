// FakeClient: an in-memory stand-in for the API server's client, enough for the scheduler's
// unit tests and benchmark (list, watch, create, pods/binding, merge patch of pods/status).
import type { KubeList, KubeObject } from '../../../main/api/object';
import { errors } from '../../../main/api/errors';
import type { ApiWatch, ApiWatchEvent } from '../../../main/apiserver/types';
import type { Client, ListOptions, ResourceType, WatchOptions, WriteOptions } from '../../../main/client/types';

type Watcher = { type: string; ns?: string; fn: (ev: ApiWatchEvent) => void; stop: () => void };

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeClient implements Client {
  readonly objects = new Map<string, Map<string, KubeObject>>();
  private rv = 1;
  private watchers = new Set<Watcher>();
  /** every write, for assertions: `create pods/binding default/web` */
  readonly writes: string[] = [];
  /** make the next binding of this pod name fail with this error */
  failBinding = new Map<string, Error>();
  /** delay before watch events are delivered, like a real watch */
  eventDelayMs = 0;

  private bucket(type: ResourceType): Map<string, KubeObject> {
    let m = this.objects.get(type.resource);
    if (!m) this.objects.set(type.resource, (m = new Map()));
    return m;
  }

  private key(type: ResourceType, name: string, ns?: string) {
    return type.namespaced ? `${ns ?? 'default'}/${name}` : name;
  }

  private emit(type: ResourceType, ev: ApiWatchEvent) {
    const deliver = () => {
      for (const w of this.watchers) {
        if (w.type === type.resource && (!w.ns || w.ns === ev.object.metadata.namespace)) w.fn(ev); // stored objects are never mutated in place, so sharing is safe
      }
    };
    if (this.eventDelayMs > 0) setTimeout(deliver, this.eventDelayMs);
    else queueMicrotask(deliver);
  }

  /** Seed or replace an object directly (as if another component wrote it). */
  put<T extends KubeObject>(type: ResourceType, obj: T): T {
    const o = structuredClone(obj) as KubeObject;
    const meta = o.metadata as Record<string, unknown>;
    o.apiVersion ??= type.group ? `${type.group}/${type.version}` : type.version;
    o.kind ??= type.kind;
    if (type.namespaced) o.metadata.namespace ??= 'default';
    meta.uid ??= `uid-${o.metadata.name}-${this.rv}`;
    meta.creationTimestamp ??= new Date().toISOString();
    meta.resourceVersion = String(++this.rv);
    const k = this.key(type, o.metadata.name!, o.metadata.namespace);
    const existed = this.bucket(type).has(k);
    this.bucket(type).set(k, o);
    this.emit(type, { type: existed ? 'MODIFIED' : 'ADDED', object: o });
    return structuredClone(o) as T;
  }

  remove(type: ResourceType, name: string, ns?: string): void {
    const k = this.key(type, name, ns);
    const o = this.bucket(type).get(k);
    if (!o) return;
    this.bucket(type).delete(k);
    (o.metadata as Record<string, unknown>).resourceVersion = String(++this.rv);
    this.emit(type, { type: 'DELETED', object: o });
  }

  getObject<T extends KubeObject>(type: ResourceType, name: string, ns?: string): T | undefined {
    const o = this.bucket(type).get(this.key(type, name, ns));
    return o ? (structuredClone(o) as T) : undefined;
  }

  listObjects<T extends KubeObject>(type: ResourceType): T[] {
    return [...this.bucket(type).values()].map((o) => structuredClone(o) as T);
  }

  async get<T extends KubeObject>(type: ResourceType, name: string, namespace?: string): Promise<T> {
    const o = this.getObject<T>(type, name, namespace);
    if (!o) throw errors.notFound({ kind: type.resource, name });
    return o;
  }

  async list<T extends KubeObject>(type: ResourceType, opts: ListOptions = {}): Promise<KubeList<T>> {
    const items = this.listObjects<T>(type).filter((o) => !opts.namespace || o.metadata.namespace === opts.namespace);
    return { apiVersion: 'v1', kind: `${type.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  async watch(type: ResourceType, opts: WatchOptions, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch> {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const w: Watcher = {
      type: type.resource,
      ns: opts.namespace,
      fn: onEvent,
      stop: () => {
        this.watchers.delete(w);
        resolve();
      },
    };
    this.watchers.add(w);
    return { stop: w.stop, done };
  }

  async create<T extends KubeObject>(type: ResourceType, obj: KubeObject | Record<string, unknown>, opts: WriteOptions = {}): Promise<T> {
    const o = obj as KubeObject;
    this.writes.push(`create ${type.resource}${opts.subresource ? '/' + opts.subresource : ''} ${opts.namespace ?? ''}/${opts.name ?? o.metadata?.name}`);
    if (opts.subresource === 'binding') {
      const name = opts.name!;
      const failure = this.failBinding.get(name);
      if (failure) {
        this.failBinding.delete(name);
        throw failure;
      }
      const pod = this.getObject<KubeObject>(type, name, opts.namespace);
      if (!pod) throw errors.notFound({ kind: 'pods', name });
      const spec = pod.spec as { nodeName?: string };
      if (spec.nodeName) throw errors.conflict({ kind: 'pods', name }, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = (o.target as { name: string }).name;
      const status = (pod.status ?? {}) as { conditions?: unknown[] };
      status.conditions = [...(status.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True' }];
      pod.status = status;
      this.put(type, pod);
      return o as T;
    }
    if (this.bucket(type).has(this.key(type, o.metadata.name!, opts.namespace ?? o.metadata.namespace))) {
      throw errors.alreadyExists({ kind: type.resource, name: o.metadata.name });
    }
    return this.put(type, { ...o, metadata: { ...o.metadata, namespace: type.namespaced ? (opts.namespace ?? o.metadata.namespace) : undefined } }) as T;
  }

  async update<T extends KubeObject>(type: ResourceType, obj: KubeObject): Promise<T> {
    this.writes.push(`update ${type.resource} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    return this.put(type, obj) as T;
  }

  async patch<T extends KubeObject>(type: ResourceType, name: string, _pt: string, patch: unknown, opts: WriteOptions = {}): Promise<T> {
    this.writes.push(`patch ${type.resource}${opts.subresource ? '/' + opts.subresource : ''} ${opts.namespace ?? ''}/${name}`);
    const cur = this.getObject<KubeObject>(type, name, opts.namespace);
    if (!cur) throw errors.notFound({ kind: type.resource, name });
    return this.put(type, mergePatch(cur, patch)) as T;
  }

  async delete<T extends KubeObject>(type: ResourceType, name: string, opts: { namespace?: string } = {}): Promise<T> {
    const cur = this.getObject<T>(type, name, opts.namespace);
    if (!cur) throw errors.notFound({ kind: type.resource, name });
    this.remove(type, name, opts.namespace);
    return cur;
  }
}
