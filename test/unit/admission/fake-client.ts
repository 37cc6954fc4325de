// A fake in-memory Client for admission unit tests: get, list and update over plain maps.
import { errors } from '../../../main/api/errors';
import type { KubeList, KubeObject } from '../../../main/api/object';
import type { AdmissionAttributes, AdmissionOperation } from '../../../main/apiserver/admission/types';
import type { ApiWatch, ApiWatchEvent } from '../../../main/apiserver/types';
import type { Client, ListOptions, ResourceType, WatchOptions, WriteOptions } from '../../../main/client/types';

export class FakeClient implements Client {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: { type: string; obj: KubeObject; opts?: WriteOptions }[] = [];
  /** resources listed, in order (to see what a cache saves) */
  readonly lists: string[] = [];
  private readonly watchers = new Set<{ t: ResourceType; onEvent: (ev: ApiWatchEvent) => void }>();
  private revision = 0;

  /** open watches (a lister that was stopped holds none) */
  get watching(): number {
    return this.watchers.size;
  }

  private notify(t: ResourceType, type: 'ADDED' | 'MODIFIED', obj: KubeObject): void {
    for (const w of this.watchers) if (w.t.group === t.group && w.t.resource === t.resource) w.onEvent({ type, object: structuredClone(obj) });
  }

  private key(t: ResourceType, name: string, ns?: string) {
    return `${t.group}/${t.resource}/${t.namespaced ? (ns ?? '') : ''}/${name}`;
  }

  add(t: ResourceType, obj: KubeObject): this {
    const k = this.key(t, obj.metadata.name!, obj.metadata.namespace);
    const type = this.objects.has(k) ? 'MODIFIED' : 'ADDED';
    this.objects.set(k, { ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata), resourceVersion: String(++this.revision) } });
    this.notify(t, type, this.objects.get(k)!);
    return this;
  }

  async get<T extends KubeObject = KubeObject>(t: ResourceType, name: string, ns?: string): Promise<T> {
    const o = this.objects.get(this.key(t, name, ns));
    if (!o) throw errors.notFound({ kind: t.resource, name, group: t.group || undefined });
    return structuredClone(o) as T;
  }

  async list<T extends KubeObject = KubeObject>(t: ResourceType, opts: ListOptions = {}): Promise<KubeList<T>> {
    this.lists.push(t.resource);
    const prefix = `${t.group}/${t.resource}/${opts.namespace ?? ''}`;
    const items = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(opts.namespace ? `${prefix}/` : `${t.group}/${t.resource}/`))
      .map(([, v]) => structuredClone(v));
    return { apiVersion: 'v1', kind: 'List', metadata: {}, items: items as T[] };
  }

  async update<T extends KubeObject = KubeObject>(t: ResourceType, obj: KubeObject, opts?: WriteOptions): Promise<T> {
    this.writes.push({ type: t.resource, obj: structuredClone(obj), opts });
    const k = this.key(t, obj.metadata.name!, opts?.namespace ?? obj.metadata.namespace);
    const old = this.objects.get(k);
    if (!old) throw errors.notFound({ kind: t.resource, name: obj.metadata.name });
    const next = opts?.subresource === 'status' ? { ...old, status: structuredClone(obj.status) } : structuredClone(obj);
    this.objects.set(k, { ...next, metadata: { ...next.metadata, resourceVersion: String(++this.revision) } });
    this.notify(t, 'MODIFIED', this.objects.get(k)!);
    return structuredClone(this.objects.get(k)!) as T;
  }

  async create<T extends KubeObject = KubeObject>(): Promise<T> {
    throw new Error('FakeClient.create is not used by admission');
  }

  async patch<T extends KubeObject = KubeObject>(): Promise<T> {
    throw new Error('FakeClient.patch is not used by admission');
  }

  async delete<T extends KubeObject = KubeObject>(): Promise<T> {
    throw new Error('FakeClient.delete is not used by admission');
  }

  /** a watch from now on (the quota lister's informer); events are delivered as add() and update() happen */
  async watch(t: ResourceType, _opts: WatchOptions, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch> {
    const w = { t, onEvent };
    this.watchers.add(w);
    let stop!: () => void;
    const done = new Promise<void>((r) => (stop = () => (this.watchers.delete(w), r())));
    return { stop, done };
  }
}

/** Attributes of a request as the API server builds them; `notes` collects what plugins report, `warnings` what the client is told. */
export function attrs(client: FakeClient, over: Partial<AdmissionAttributes> & { operation: AdmissionOperation }) {
  const notes: string[] = [];
  const warnings: string[] = [];
  const a: AdmissionAttributes = {
    user: { username: 'admin', groups: ['system:masters'] },
    namespace: 'default',
    name: over.object?.metadata.name ?? over.oldObject?.metadata.name ?? '',
    group: '',
    version: 'v1',
    resource: 'pods',
    subresource: '',
    kind: 'Pod',
    dryRun: false,
    client,
    note: (m) => notes.push(m),
    warn: (m) => warnings.push(m),
    ...over,
  };
  return { a, notes, warnings };
}
