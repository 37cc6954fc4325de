// Namespace controller (upstream pkg/controller/namespace): a namespace being deleted is Terminating
// while everything in it is deleted; then its `kubernetes` finalizer goes and the API removes it.
import type { Namespace } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage, unlessGone } from '../common/context';
import { namespacedContent } from '../common/kinds';

const log = logger('namespace-controller');
type NS = Namespace & KubeObject;

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 5_000 });
  private nsInf;

  constructor(private readonly ctx: ControllerContext) {
    this.nsInf = ctx.informers.for<NS>(R.namespaces);
  }

  init(): void {
    this.nsInf.addHandlers({
      add: (ns) => ns.metadata.deletionTimestamp && this.queue.add(ns.metadata.name!),
      update: (_o, ns) => ns.metadata.deletionTimestamp && this.queue.add(ns.metadata.name!),
    });
  }

  run(): void {
    void this.queue.run(
      (k) => this.sync(k),
      1,
      (key, err) => log.warn('sync failed', { key, error: errMessage(err) }),
    );
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(name: string): Promise<void> {
    const ns = this.nsInf.getByName(name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      await unlessGone(
        this.ctx.client.update(R.namespaces, { ...ns, status: { ...(ns.status ?? {}), phase: 'Terminating' } } as KubeObject, { subresource: 'status' }),
      );
    }
    let remaining = 0;
    for (const type of namespacedContent) {
      let items: KubeObject[];
      try {
        items = (await this.ctx.client.list(type, { namespace: name })).items;
      } catch (e) {
        if (isStatusError(e, 'NotFound')) continue; // a type this API does not serve
        throw e;
      }
      for (const o of items) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue;
        await this.ctx.client.delete(type, o.metadata.name!, { namespace: name, propagationPolicy: 'Background' }).catch((e) => {
          if (!isStatusError(e, 'NotFound')) throw e;
        });
      }
    }
    if (remaining > 0) {
      this.queue.addAfter(name, 250); // wait for graceful pod deletion and finalizers
      return;
    }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes');
    const body = { ...ns, spec: { ...(ns.spec ?? {}), finalizers } } as KubeObject;
    try {
      await this.ctx.client.update(R.namespaces, body, { subresource: 'finalize' });
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      throw e;
    }
    log.info('namespace emptied and finalized', { namespace: name });
  }
}
