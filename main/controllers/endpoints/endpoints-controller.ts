// Endpoints controller (upstream pkg/controller/endpoint): one Endpoints per Service with a selector,
// holding the ready pod IPs and target ports (not-ready ones apart), kept current as pods change.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { objectKey, splitKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { serviceHasSelector } from '../../api/selectors';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import { now } from '../../trace/types';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage, unlessGone } from '../common/context';
import { canonicalJSON } from '../common/names';
import { podsOfService, queueServicesOnPodChanges } from '../common/services';
import { computeSubsets } from './endpoints-decisions';

const log = logger('endpoints-controller');
type Svc = Service & KubeObject;
type P = Pod & KubeObject;

export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  private queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 30_000 });
  private svcInf;
  private podInf;
  private epInf;
  /** `svcKey|podUid` -> 'ready' | 'notready', to trace only changes */
  private traced = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {
    this.svcInf = ctx.informers.for<Svc>(R.services);
    this.podInf = ctx.informers.for<P>(R.pods);
    this.epInf = ctx.informers.for<Endpoints & KubeObject>(R.endpoints);
  }

  init(): void {
    queueServicesOnPodChanges(this.svcInf, this.podInf, this.queue);
    // someone changed or deleted our Endpoints: put them back
    this.epInf.addHandlers({ update: (_o, e) => this.queue.add(objectKey(e)), delete: (e) => this.queue.add(objectKey(e)) });
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
    const cur = this.epInf.get(key);
    if (!svc) {
      // the Endpoints go with their Service
      if (cur) await unlessGone(this.ctx.client.delete(R.endpoints, name, { namespace, preconditions: { uid: cur.metadata.uid } }));
      for (const k of this.traced.keys()) if (k.startsWith(key + '|')) this.traced.delete(k);
      return;
    }
    if (!serviceHasSelector(svc.spec?.selector)) return; // managed by hand
    const pods = podsOfService(svc, this.podInf);
    const subsets = computeSubsets(svc, pods);
    this.trace(svc, pods, subsets);
    const labels = { ...(svc.metadata.labels ?? {}), 'service.kubernetes.io/headless': svc.spec.clusterIP === 'None' ? '' : undefined };
    if (svc.spec.clusterIP !== 'None') delete labels['service.kubernetes.io/headless'];
    if (cur && canonicalJSON(cur.subsets ?? []) === canonicalJSON(subsets) && canonicalJSON(cur.metadata.labels ?? {}) === canonicalJSON(labels)) return;
    const body = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets };
    try {
      if (cur) await this.ctx.client.update(R.endpoints, { ...cur, metadata: { ...cur.metadata, labels }, subsets } as KubeObject, { namespace });
      else await this.ctx.client.create(R.endpoints, body, { namespace });
    } catch (e) {
      if (isStatusError(e, 'Conflict') || isStatusError(e, 'AlreadyExists')) this.queue.addAfter(key, 20);
      else throw e;
    }
  }

  /** The pod's flow gets a step when a Service starts (or stops) routing to it. */
  private trace(svc: Svc, pods: P[], subsets: ReturnType<typeof computeSubsets>): void {
    const key = objectKey(svc);
    for (const pod of pods) {
      const uid = pod.metadata.uid!;
      const sub = subsets.find((s) => s.addresses?.some((a) => a.targetRef?.uid === uid) || s.notReadyAddresses?.some((a) => a.targetRef?.uid === uid));
      const state = !sub ? 'none' : sub.addresses?.some((a) => a.targetRef?.uid === uid) ? 'ready' : 'notready';
      const tk = `${key}|${uid}`;
      if ((this.traced.get(tk) ?? 'none') === state) continue;
      this.traced.set(tk, state);
      if (state === 'none') continue;
      const ports = (sub?.ports ?? []).map((p) => p.port).join(',');
      const t = now();
      this.ctx.tracer.record(
        { namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid },
        {
          component: 'controller-manager',
          action: 'endpoints',
          start: t,
          end: t,
          outcome: state === 'ready' ? 'success' : 'info',
          message:
            state === 'ready'
              ? `Endpoints ${key}: ${pod.status?.podIP}:${ports} ready, Service ${svc.metadata.name} (${svc.spec?.clusterIP}) routes to it`
              : `Endpoints ${key}: ${pod.status?.podIP}:${ports} listed under notReadyAddresses until the pod is Ready`,
          details: { service: svc.metadata.name, clusterIP: svc.spec?.clusterIP, ports, ready: state === 'ready' },
        },
      );
    }
  }
}
