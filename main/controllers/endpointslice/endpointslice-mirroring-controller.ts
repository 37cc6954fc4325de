// EndpointSlice mirroring controller (upstream pkg/controller/endpointslicemirroring): a Service without a
// selector whose Endpoints a user wrote by hand gets the same addresses as EndpointSlices, so kubectl shows them.
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { objectKey, splitKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { serviceHasSelector } from '../../api/selectors';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage } from '../common/context';
import {
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SKIP_MIRROR,
  MIRRORING_CONTROLLER_NAME,
  desiredFromEndpoints,
  mirroredSliceLabels,
  reconcileDesired,
  type EndpointSlice,
  type SlicePlan,
} from './endpointslice-decisions';
import { SliceTracker } from './slice-tracker';

const log = logger('endpointslice-mirroring-controller');
type Svc = Service & KubeObject;
type Ep = Endpoints & KubeObject;
/** upstream --mirroring-max-endpoints-per-subset default */
const MAX_MIRRORED_PER_SLICE = 1000;

export class EndpointSliceMirroringController implements Controller {
  readonly name = 'endpointslicemirroring';
  private queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 30_000 });
  private svcInf;
  private epInf;
  private sliceInf;
  private tracker;

  constructor(private readonly ctx: ControllerContext) {
    this.svcInf = ctx.informers.for<Svc>(R.services);
    this.epInf = ctx.informers.for<Ep>(R.endpoints);
    this.sliceInf = ctx.informers.for<EndpointSlice>(R.endpointslices);
    this.tracker = new SliceTracker(this.sliceInf);
  }

  init(): void {
    const enqueue = (o: KubeObject) => this.queue.add(objectKey(o));
    this.svcInf.addHandlers({ add: enqueue, update: (_o, s) => enqueue(s), delete: enqueue });
    this.epInf.addHandlers({ add: enqueue, update: (_o, e) => enqueue(e), delete: enqueue });
    const onSlice = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
      if (svc && s.metadata.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    this.sliceInf.addHandlers({ add: onSlice, update: (_o, s) => onSlice(s), delete: onSlice });
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

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.svcInf.get(key);
    const ep = this.epInf.get(key);
    if (this.tracker.cacheIsBehind(key, namespace!)) {
      this.queue.addAfter(key, 50);
      return;
    }
    const existing = this.sliceInf
      .list(namespace)
      .filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === name && s.metadata.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME);
    // only Endpoints of a selector-less Service are mirrored: the endpointslice controller owns the rest
    const mirror = svc && ep && !serviceHasSelector(svc.spec?.selector) && ep.metadata.labels?.[LABEL_SKIP_MIRROR] !== 'true';
    const plan: SlicePlan = mirror
      ? reconcileDesired(svc, desiredFromEndpoints(ep), existing, mirroredSliceLabels(ep), { maxPerSlice: MAX_MIRRORED_PER_SLICE, placeholder: false })
      : { create: [], update: [], delete: existing };
    try {
      await this.tracker.apply(key, plan, this.ctx.client, namespace);
    } catch (e) {
      if (isStatusError(e, 'Conflict') || isStatusError(e, 'NotFound')) this.queue.addAfter(key, 50);
      else throw e;
    }
  }
}
