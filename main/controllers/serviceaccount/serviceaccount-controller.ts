// ServiceAccount controller (upstream serviceaccounts-controller): every active namespace has `default`.
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage } from '../common/context';

const log = logger('serviceaccount-controller');

export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount';
  private queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 10_000 });
  private nsInf;
  private saInf;

  constructor(private readonly ctx: ControllerContext) {
    this.nsInf = ctx.informers.for<Namespace & KubeObject>(R.namespaces);
    this.saInf = ctx.informers.for<ServiceAccount & KubeObject>(R.serviceaccounts);
  }

  init(): void {
    this.nsInf.addHandlers({ add: (ns) => this.queue.add(ns.metadata.name!), update: (_o, ns) => this.queue.add(ns.metadata.name!) });
    this.saInf.addHandlers({ delete: (sa) => sa.metadata.name === 'default' && this.queue.add(sa.metadata.namespace!) });
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

  async sync(namespace: string): Promise<void> {
    const ns = this.nsInf.getByName(namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.saInf.getByName('default', namespace)) return;
    try {
      await this.ctx.client.create(R.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } }, { namespace });
      log.debug('created default service account', { namespace });
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists') && !isStatusError(e, 'Forbidden')) throw e;
    }
  }
}
