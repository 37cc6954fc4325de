// A namespaced lister for admission plugins (upstream's quota and limit-range listers): an informer over
// one resource, started on first use, so a namespace without such objects costs a map lookup, not a list.
import type { KubeObject } from '../../api/object';
import { Informer } from '../../client/informer';
import type { Client, ResourceType } from '../../client/types';

/**
 * Until the first list arrived it answers from a live list. The in-process watch delivers a committed
 * object before its creator even sees the response, so the cache is never behind what a client knows.
 */
export class NamespacedLister {
  private informer?: Informer;

  constructor(
    private readonly client: Client,
    private readonly type: ResourceType,
  ) {}

  async list(namespace: string): Promise<KubeObject[]> {
    if (!this.informer) {
      this.informer = new Informer(this.client, this.type);
      this.informer.start().catch(() => undefined);
    }
    if (this.informer.hasSynced()) return this.informer.list(namespace);
    return (await this.client.list(this.type, { namespace })).items;
  }

  /** true once answers come from the cache */
  get cached(): boolean {
    return this.informer?.hasSynced() ?? false;
  }

  stop(): void {
    this.informer?.stop();
  }
}
