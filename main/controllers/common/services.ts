// What the Endpoints and EndpointSlice controllers share: a Service is resynced when it or a pod it selects changes.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { objectKey, type KubeObject } from '../../api/object';
import type { Informer } from '../../client/informer';
import type { WorkQueue } from '../../client/workqueue';
import { serviceSelectorMatches } from '../../api/selectors';

type Svc = Service & KubeObject;
type P = Pod & KubeObject;

/** Queues a Service on its own changes and on changes of any pod it selects (before and after an update). */
export function queueServicesOnPodChanges(services: Informer<Svc>, pods: Informer<P>, queue: WorkQueue): void {
  const onSvc = (s: Svc) => queue.add(objectKey(s));
  services.addHandlers({ add: onSvc, update: (_o, s) => onSvc(s), delete: onSvc });
  const onPod = (p: P) => {
    for (const s of services.list(p.metadata.namespace)) if (serviceSelectorMatches(s.spec?.selector, p.metadata.labels)) queue.add(objectKey(s));
  };
  pods.addHandlers({
    add: onPod,
    update: (o, p) => {
      onPod(o);
      onPod(p);
    },
    delete: onPod,
  });
}

/** The pods a Service's selector picks, from the pod informer's cache. */
export function podsOfService(svc: Svc, pods: Informer<P>): P[] {
  return pods.list(svc.metadata.namespace).filter((p) => serviceSelectorMatches(svc.spec?.selector, p.metadata.labels));
}
