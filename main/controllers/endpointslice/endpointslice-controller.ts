// EndpointSlice controller (upstream pkg/controller/endpointslice): discovery.k8s.io/v1 EndpointSlices for every
// Service with a selector, owned by the Service (GC removes them with it), kept current as pods change.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { splitKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { serviceHasSelector } from '../../api/selectors';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage } from '../common/context';
import { podsOfService, queueServicesOnPodChanges } from '../common/services';
import { SliceTracker } from './slice-tracker';
import { CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, reconcileSlices, type EndpointSlice } from './endpointslice-decisions';

const log = logger('endpointslice-controller');
type Svc = Service & KubeObject;
type P = Pod & KubeObject;

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  private queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 30_000 });
  private svcInf;
  private podInf;
  private sliceInf;
  private tracker;

  constructor(private readonly ctx: ControllerContext) {
    this.svcInf = ctx.informers.for<Svc>(R.services);
    this.podInf = ctx.informers.for<P>(R.pods);
    this.sliceInf = ctx.informers.for<EndpointSlice>(R.endpointslices);
    this.tracker = new SliceTracker(this.sliceInf);
  }

  init(): void {
    queueServicesOnPodChanges(this.svcInf, this.podInf, this.queue);
    // our slices changed or deleted by someone else: converge their Service again
    const onSlice = (e: EndpointSlice) => {
      const svc = e.metadata.labels?.[LABEL_SERVICE_NAME];
      if (svc && e.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME) this.queue.add(`${e.metadata.namespace}/${svc}`);
    };
    this.sliceInf.addHandlers({ add: onSlice, update: (_o, e) => onSlice(e), delete: onSlice });
  }

  run(): void {
    void this.queue.run(
      (k) => this.sync(k),
      2,
      (key, err) => log.warn('sync failed', { key, error: errMessage(err) }),
    );
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.svcInf.get(key);
    if (!svc) {
      // the garbage collector deletes the slices through their ownerReference
      this.tracker.forget(key);
      return;
    }
    if (!serviceHasSelector(svc.spec?.selector)) return; // endpoints managed by hand
    if (this.tracker.cacheIsBehind(key, namespace!)) {
      this.queue.addAfter(key, 50);
      return;
    }
    const pods = podsOfService(svc, this.podInf);
    const existing = this.sliceInf
      .list(namespace)
      .filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === name && s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME && s.addressType === 'IPv4');
    const plan = reconcileSlices(svc, pods, existing);
    try {
      await this.tracker.apply(key, plan, this.ctx.client, namespace);
    } catch (e) {
      // a stale cache (someone else wrote): decide again once it catches up
      if (isStatusError(e, 'Conflict') || isStatusError(e, 'NotFound')) this.queue.addAfter(key, 50);
      else throw e;
    }
  }
}
