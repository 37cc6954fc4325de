// EndpointSlice controller (upstream pkg/controller/endpointslice): discovery.k8s.io/v1 EndpointSlices for every
// Service with a selector, owned by the Service (GC removes them with it), kept current as pods change.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { objectKey, splitKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage } from '../common/context';
import { mapSelectorMatches } from '../common/selector';
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
  /** per Service: slices we wrote (name -> resourceVersion, null when deleted) the cache may not show yet (upstream's endpointSliceTracker) */
  private written = new Map<string, Map<string, { rv: string | null; at: number }>>();

  constructor(private readonly ctx: ControllerContext) {
    this.svcInf = ctx.informers.for<Svc>(R.services);
    this.podInf = ctx.informers.for<P>(R.pods);
    this.sliceInf = ctx.informers.for<EndpointSlice>(R.endpointslices);
  }

  init(): void {
    const onSvc = (s: Svc) => this.queue.add(objectKey(s));
    this.svcInf.addHandlers({ add: onSvc, update: (_o, s) => onSvc(s), delete: onSvc });
    const onPod = (p: P) => {
      for (const s of this.svcInf.list(p.metadata.namespace)) if (mapSelectorMatches(s.spec?.selector, p.metadata.labels)) this.queue.add(objectKey(s));
    };
    this.podInf.addHandlers({ add: onPod, update: (o, p) => { onPod(o); onPod(p); }, delete: onPod });
    // our slices changed or deleted by someone else: converge their Service again
    const onSlice = (e: EndpointSlice) => {
      const svc = e.metadata.labels?.[LABEL_SERVICE_NAME];
      if (svc && e.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME) this.queue.add(`${e.metadata.namespace}/${svc}`);
    };
    this.sliceInf.addHandlers({ add: onSlice, update: (_o, e) => onSlice(e), delete: onSlice });
  }

  run(): void {
    void this.queue.run((k) => this.sync(k), 2, (key, err) => log.warn('sync failed', { key, error: errMessage(err) }));
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Our own writes not yet in the cache: deciding now would create duplicates or undo them. */
  private cacheIsBehind(key: string, namespace: string): boolean {
    const w = this.written.get(key);
    if (!w) return false;
    for (const [name, { rv, at }] of w) {
      const cached = this.sliceInf.get(`${namespace}/${name}`);
      // a watch past our write has shown it even if the slice is gone since; a write unseen for 10 s is given up on
      const caughtUp = rv === null
        ? !cached
        : (!!cached && Number(cached.metadata.resourceVersion) >= Number(rv)) || Number(this.sliceInf.lastSyncResourceVersion) >= Number(rv);
      if (!caughtUp && Date.now() - at < 10_000) return true;
      w.delete(name);
    }
    this.written.delete(key);
    return false;
  }

  private remember(key: string, name: string, rv: string | null): void {
    let w = this.written.get(key);
    if (!w) this.written.set(key, (w = new Map()));
    w.set(name, { rv, at: Date.now() });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.svcInf.get(key);
    if (!svc) {
      // the garbage collector deletes the slices through their ownerReference
      this.written.delete(key);
      return;
    }
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return; // endpoints managed by hand
    if (this.cacheIsBehind(key, namespace!)) {
      this.queue.addAfter(key, 50);
      return;
    }
    const pods = this.podInf.list(namespace).filter((p) => mapSelectorMatches(svc.spec?.selector, p.metadata.labels));
    const existing = this.sliceInf.list(namespace).filter((s) =>
      s.metadata.labels?.[LABEL_SERVICE_NAME] === name && s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME && s.addressType === 'IPv4');
    const plan = reconcileSlices(svc, pods, existing);
    try {
      for (const s of plan.delete) {
        await this.ctx.client.delete(R.endpointslices, s.metadata.name!, { namespace }).catch((e) => {
          if (!isStatusError(e, 'NotFound')) throw e;
        });
        this.remember(key, s.metadata.name!, null);
      }
      for (const s of plan.update) {
        const out = await this.ctx.client.update<EndpointSlice>(R.endpointslices, s, { namespace });
        this.remember(key, out.metadata.name!, out.metadata.resourceVersion!);
      }
      for (const s of plan.create) {
        const out = await this.ctx.client.create<EndpointSlice>(R.endpointslices, s, { namespace });
        this.remember(key, out.metadata.name!, out.metadata.resourceVersion!);
      }
    } catch (e) {
      // a stale cache (someone else wrote): decide again once it catches up
      if (isStatusError(e, 'Conflict') || isStatusError(e, 'NotFound')) this.queue.addAfter(key, 50);
      else throw e;
    }
  }
}
