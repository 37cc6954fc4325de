// An informer as in client-go: a Reflector (list, watch, relist on 410 Expired) feeds a cache (lister) with a
// namespace index, and handlers are told what changed.
import type { KubeObject } from '../api/object';
import { objectKey } from '../api/object';
import { Reflector } from './reflector';
import type { Client, ResourceType } from './types';

export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** first delay before retrying a failed list or watch (then doubled, up to 30 s) */
  retryDelayMs?: number;
}

export class Informer<T extends KubeObject = KubeObject> {
  private cache = new Map<string, T>();
  private byNamespace = new Map<string, Map<string, T>>();
  private handlers: InformerHandlers<T>[] = [];
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private readonly reflector: Reflector<T>;

  constructor(
    client: Client,
    readonly type: ResourceType,
    opts: InformerOptions = {},
  ) {
    this.reflector = new Reflector<T>(client, type, opts, {
      replace: (items) => {
        this.replace(items);
        this.markSynced();
      },
      event: (ev) => (ev.type === 'DELETED' ? this.remove(ev.object as T) : this.upsert(ev.object as T)),
    });
  }

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.cache.values()) h.add?.(obj);
  }

  /** Start list+watch; resolves once the first list has been delivered (cache synced). */
  async start(): Promise<void> {
    void this.reflector.run();
    await this.waitForSync();
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  stop(): void {
    this.reflector.stop();
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  getByName(name: string, namespace?: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.cache.values()];
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  /** the resourceVersion the cache is at */
  get lastSyncResourceVersion(): string {
    return this.reflector.resourceVersion;
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const k = objectKey(item);
      seen.add(k);
      this.upsert(item);
    }
    for (const [k, old] of [...this.cache]) if (!seen.has(k)) this.remove(old);
  }

  private upsert(obj: T): void {
    const k = objectKey(obj);
    const old = this.cache.get(k);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.set(k, obj);
    const ns = obj.metadata.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map()));
    m.set(k, obj);
    for (const h of this.handlers) {
      if (old) h.update?.(old, obj);
      else h.add?.(obj);
    }
  }

  private remove(obj: T): void {
    const k = objectKey(obj);
    const old = this.cache.get(k);
    if (!old) return;
    this.cache.delete(k);
    this.byNamespace.get(obj.metadata.namespace ?? '')?.delete(k);
    for (const h of this.handlers) h.delete?.(obj);
  }
}
