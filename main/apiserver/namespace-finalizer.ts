// The `kubernetes` finalizer of namespaces (upstream's namespace controller): once a namespace is
// Terminating, delete everything in it, and when nothing is left, let the namespace go.
import type { KubeObject } from '../api/object';
import { isStatusError } from '../api/errors';
import { logger } from '../log';
import type { Store } from '../store/types';
import { apiserverUser } from './authn';
import type { Core } from './core';
import { storeKey, storePrefix, type ResourceRegistry } from './resources';

const log = logger('namespace-finalizer');

type Obj = Record<string, unknown>;

export class NamespaceFinalizer {
  private running = new Set<string>();
  private stopped = false;

  constructor(
    private readonly core: () => Core,
    private readonly registry: ResourceRegistry,
    private readonly store: Store,
    private readonly retryMs = 500,
  ) {}

  /** Start (or keep) finalizing a namespace marked for deletion. */
  finalize(name: string): void {
    if (this.running.has(name) || this.stopped) return;
    this.running.add(name);
    void this.run(name).finally(() => this.running.delete(name));
  }

  /** Pick up namespaces a previous run left Terminating. */
  resume(): void {
    const ns = this.registry.find('', 'v1', 'namespaces');
    if (!ns) return;
    for (const { value } of this.store.list(storePrefix(ns.strategy)).items) {
      if (value.metadata.deletionTimestamp) this.finalize(value.metadata.name!);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(name: string): Promise<void> {
    while (!this.stopped) {
      try {
        if (await this.step(name)) return;
      } catch (e) {
        log.warn('namespace cleanup failed, retrying', { namespace: name, error: e instanceof Error ? e.message : String(e) });
      }
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  /** One pass: delete what remains; true once the namespace is gone. */
  private async step(name: string): Promise<boolean> {
    const ns = this.registry.find('', 'v1', 'namespaces')!;
    const key = storeKey(ns.strategy, undefined, name);
    const cur = this.store.get(key);
    if (!cur || !cur.value.metadata.deletionTimestamp) return true;
    let remaining = 0;
    for (const { strategy: s, storage } of this.registry.all()) {
      if (!s.namespaced || storage) continue;
      for (const item of this.store.list(storePrefix(s, name)).items) {
        remaining++;
        if (item.value.metadata.deletionTimestamp) continue;
        try {
          await this.core().handle({
            verb: 'delete',
            group: s.group,
            version: s.version,
            resource: s.resource,
            namespace: name,
            name: item.value.metadata.name,
            query: {},
            body: { propagationPolicy: 'Background' },
            user: apiserverUser,
            userAgent: 'kube-apiserver/namespace-controller',
          });
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
      }
    }
    if (remaining > 0) return false;
    const obj = structuredClone(cur.value) as KubeObject & { spec?: Obj };
    const finalizers = ((obj.spec?.finalizers as string[] | undefined) ?? []).filter((f) => f !== 'kubernetes');
    if (finalizers.length === 0 && (obj.metadata.finalizers ?? []).length === 0) {
      await this.store.delete(key, cur.modRevision);
      return true;
    }
    obj.spec = { ...(obj.spec ?? {}), finalizers };
    await this.store.update(key, obj, cur.modRevision);
    return false;
  }
}
