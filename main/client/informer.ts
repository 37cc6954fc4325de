// An informer as in client-go: list at a resourceVersion, watch from it, relist on 410 Expired,
// keep a cache (lister) with a namespace index, and tell handlers what changed.
import type { KubeObject } from '../api/object';
import { objectKey } from '../api/object';
import type { ApiWatch } from '../apiserver/types';
import type { Client, ListOptions, ResourceType } from './types';

export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** delay before re-listing after a watch ends with an error */
  retryDelayMs?: number;
}

export class Informer<T extends KubeObject = KubeObject> {
  private cache = new Map<string, T>();
  private byNamespace = new Map<string, Map<string, T>>();
  private handlers: InformerHandlers<T>[] = [];
  private watch?: ApiWatch;
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private resourceVersion = '';

  constructor(
    private readonly client: Client,
    readonly type: ResourceType,
    private readonly opts: InformerOptions = {},
  ) {}

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.cache.values()) h.add?.(obj);
  }

  /** Start list+watch; resolves once the first list has been delivered (cache synced). */
  async start(): Promise<void> {
    void this.runLoop();
    await this.waitForSync();
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
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
    return this.resourceVersion;
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.listAndWatch();
      } catch {
        // list failed (apiserver not ready, transient): retry below
      }
      if (this.stopped) return;
      await new Promise((r) => setTimeout(r, this.opts.retryDelayMs ?? 200));
    }
  }

  private listOptions(): ListOptions {
    return { namespace: this.opts.namespace, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  private async listAndWatch(): Promise<void> {
    const list = await this.client.list<T>(this.type, this.listOptions());
    this.replace(list.items);
    this.resourceVersion = list.metadata.resourceVersion ?? '';
    this.markSynced();
    // Watch until it ends; a 410 Expired (ERROR event) or a closed stream sends us back to list.
    for (;;) {
      if (this.stopped) return;
      let expired = false;
      this.watch = await this.client.watch(
        this.type,
        { ...this.listOptions(), resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
        (ev) => {
          const rv = ev.object.metadata?.resourceVersion;
          switch (ev.type) {
            case 'ADDED':
            case 'MODIFIED':
              this.upsert(ev.object as T);
              break;
            case 'DELETED':
              this.remove(ev.object as T);
              break;
            case 'ERROR':
              expired = true;
              return;
            case 'BOOKMARK':
              break;
          }
          if (rv) this.resourceVersion = rv;
        },
      );
      await this.watch.done;
      if (expired) return; // relist
    }
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
