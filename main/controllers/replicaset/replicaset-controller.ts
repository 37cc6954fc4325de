// ReplicaSet controller (upstream pkg/controller/replicaset): keeps `replicas` pods matching the
// selector, adopting orphans and releasing pods that stopped matching; handlers only enqueue keys.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { KubeObject, OwnerReference } from '../../api/object';
import { controllerOf, objectKey, splitKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { EventRecorder } from '../../client/events';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import { now as nowISO } from '../../trace/types';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage } from '../common/context';
import { Expectations } from '../common/expectations';
import { canonicalJSON, generateName } from '../common/names';
import { isPodActive, secondsUntilAvailable } from '../common/pods';
import { controllerSelectorMatches } from '../../api/selectors';
import { calculateStatus, podsToDelete, replicaDiff, slowStartBatches } from './decisions';

const log = logger('replicaset-controller');

export function ownerRefFor(obj: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: obj.metadata.name!, uid: obj.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  private queue = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 60_000 });
  readonly expectations = new Expectations();
  private recorder: EventRecorder;
  private rsInf;
  private podInf;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = new EventRecorder(ctx.client, { component: 'replicaset-controller' });
    this.rsInf = ctx.informers.for<ReplicaSet & KubeObject>(R.replicasets);
    this.podInf = ctx.informers.for<Pod & KubeObject>(R.pods);
  }

  init(): void {
    this.rsInf.addHandlers({
      add: (rs) => this.queue.add(objectKey(rs)),
      update: (_o, rs) => this.queue.add(objectKey(rs)),
      delete: (rs) => {
        this.expectations.delete(objectKey(rs));
        this.queue.add(objectKey(rs));
      },
    });
    this.podInf.addHandlers({
      add: (pod) => {
        const ref = controllerOf(pod);
        if (ref) {
          const rs = this.resolve(pod, ref);
          if (rs) {
            this.expectations.creationObserved(objectKey(rs));
            this.queue.add(objectKey(rs));
          }
          return;
        }
        for (const rs of this.matchingRS(pod)) this.queue.add(objectKey(rs));
      },
      update: (old, pod) => {
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.podGone(pod);
        const oldRef = controllerOf(old);
        const ref = controllerOf(pod);
        if (oldRef && oldRef.uid !== ref?.uid) {
          const rs = this.resolve(old, oldRef);
          if (rs) this.queue.add(objectKey(rs));
        }
        if (ref) {
          const rs = this.resolve(pod, ref);
          if (rs) this.queue.add(objectKey(rs));
        } else {
          for (const rs of this.matchingRS(pod)) this.queue.add(objectKey(rs));
        }
        // a pod turning ready becomes available minReadySeconds later: look again then
        if (ref) {
          const rs = this.resolve(pod, ref);
          const wait = rs && secondsUntilAvailable(pod, rs.spec?.minReadySeconds ?? 0, new Date());
          if (rs && wait) this.queue.addAfter(objectKey(rs), wait * 1000 + 50);
        }
      },
      delete: (pod) => this.podGone(pod),
    });
  }

  private podGone(pod: Pod & KubeObject): void {
    const ref = controllerOf(pod);
    if (!ref) return;
    const rs = this.resolve(pod, ref);
    if (!rs) return;
    this.expectations.deletionObserved(objectKey(rs), objectKey(pod));
    this.queue.add(objectKey(rs));
  }

  private resolve(pod: KubeObject, ref: OwnerReference): (ReplicaSet & KubeObject) | undefined {
    if (ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInf.getByName(ref.name, pod.metadata.namespace);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  private matchingRS(pod: KubeObject): Array<ReplicaSet & KubeObject> {
    return this.rsInf.list(pod.metadata.namespace).filter((rs) => controllerSelectorMatches(rs.spec?.selector, pod.metadata.labels));
  }

  run(): void {
    void this.queue.run((k) => this.sync(k), 2, (key, err) => log.warn('sync failed', { key, error: errMessage(err) }));
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** One idempotent step toward spec.replicas for one ReplicaSet. */
  async sync(key: string): Promise<void> {
    const rs = this.rsInf.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const { namespace } = splitKey(key);
    const pods = await this.claimPods(rs, this.podInf.list(namespace));
    const active = pods.filter(isPodActive);
    let manageError: { reason: string; message: string } | undefined;
    if (this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(rs, active);
      } catch (e) {
        manageError = { reason: (e as { failReason?: string }).failReason ?? 'FailedCreate', message: errMessage(e) };
      }
    }
    await this.updateStatus(rs, calculateStatus(rs, active, manageError, new Date()));
    if (manageError) throw new Error(manageError.message);
  }

  /** Adopt matching orphans, release owned pods that no longer match (upstream PodControllerRefManager). */
  private async claimPods(rs: ReplicaSet & KubeObject, pods: Array<Pod & KubeObject>): Promise<Array<Pod & KubeObject>> {
    const out: Array<Pod & KubeObject> = [];
    for (const pod of pods) {
      const ref = controllerOf(pod);
      const matches = controllerSelectorMatches(rs.spec?.selector, pod.metadata.labels);
      if (ref) {
        if (ref.uid !== rs.metadata.uid) continue;
        if (matches || rs.metadata.deletionTimestamp) {
          out.push(pod);
          continue;
        }
        if (pod.metadata.deletionTimestamp) continue;
        try {
          const refs = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
          await this.ctx.client.patch(R.pods, pod.metadata.name!, 'application/merge-patch+json',
            { metadata: { ownerReferences: refs.length ? refs : null, uid: pod.metadata.uid } }, { namespace: pod.metadata.namespace });
          log.info('released pod', { pod: objectKey(pod), replicaset: objectKey(rs) });
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
        continue;
      }
      if (!matches || pod.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      try {
        const refs = [...(pod.metadata.ownerReferences ?? []), ownerRefFor(rs, 'apps/v1', 'ReplicaSet')];
        const adopted = await this.ctx.client.patch<Pod & KubeObject>(R.pods, pod.metadata.name!, 'application/merge-patch+json',
          { metadata: { ownerReferences: refs, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion } }, { namespace: pod.metadata.namespace });
        log.info('adopted pod', { pod: objectKey(pod), replicaset: objectKey(rs) });
        out.push(adopted);
      } catch (e) {
        if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
      }
    }
    return out;
  }

  private async manageReplicas(rs: ReplicaSet & KubeObject, active: Array<Pod & KubeObject>): Promise<void> {
    const key = objectKey(rs);
    const desired = rs.spec?.replicas ?? 1;
    const { create, delete: del } = replicaDiff(active.length, desired);
    if (create > 0) {
      this.expectations.expect(key, create);
      let had = active.length;
      let created = 0;
      for (const batch of slowStartBatches(create)) {
        const results = await Promise.allSettled(Array.from({ length: batch }, () => this.createPod(rs, desired, had++)));
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        created += batch - failed.length;
        if (failed.length) {
          // the failed ones and every batch never tried will not be observed
          for (let i = 0; i < create - created; i++) this.expectations.creationFailed(key);
          const err = failed[0].reason;
          const msg = errMessage(err);
          void this.recorder.warning(rs, 'FailedCreate', `Error creating: ${msg}`);
          throw Object.assign(new Error(msg), { failReason: 'FailedCreate' });
        }
      }
    } else if (del > 0) {
      const victims = podsToDelete(active, active, del);
      this.expectations.expect(key, 0, victims.map((p) => objectKey(p)));
      await Promise.all(victims.map(async (pod) => {
        try {
          await this.ctx.client.delete(R.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
          void this.recorder.normal(rs, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          log.info('deleted pod', { replicaset: key, pod: pod.metadata.name, replicas: desired, had: active.length });
        } catch (e) {
          this.expectations.deletionObserved(key, objectKey(pod));
          if (!isStatusError(e, 'NotFound')) {
            void this.recorder.warning(rs, 'FailedDelete', `Error deleting: ${errMessage(e)}`);
            throw Object.assign(e as Error, { failReason: 'FailedDelete' });
          }
        }
      }));
    }
  }

  private async createPod(rs: ReplicaSet & KubeObject, desired: number, had: number): Promise<void> {
    const t = rs.spec!.template!;
    const start = nowISO();
    for (let attempt = 0; ; attempt++) {
      const name = generateName(rs.metadata.name!);
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          generateName: `${rs.metadata.name}-`,
          namespace: rs.metadata.namespace,
          labels: { ...(t.metadata?.labels ?? {}) },
          annotations: t.metadata?.annotations ? { ...t.metadata.annotations } : undefined,
          ownerReferences: [ownerRefFor(rs, 'apps/v1', 'ReplicaSet')],
        },
        spec: structuredClone(t.spec),
      };
      try {
        const created = await this.ctx.client.create<Pod & KubeObject>(R.pods, pod, { namespace: rs.metadata.namespace });
        void this.recorder.normal(rs, 'SuccessfulCreate', `Created pod: ${name}`);
        this.traceCreate(rs, created, desired, had, start);
        return;
      } catch (e) {
        if (isStatusError(e, 'AlreadyExists') && attempt < 3) continue; // random name collided: pick another
        throw e;
      }
    }
  }

  /** The controller-manager part of the pod's flow: Deployment -> ReplicaSet -> Pod, and why. */
  private traceCreate(rs: ReplicaSet & KubeObject, pod: Pod & KubeObject, desired: number, had: number, start: string): void {
    const ref = { namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid };
    const rsName = `${rs.metadata.namespace}/${rs.metadata.name}`;
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment') {
      const note = this.ctx.chain.get(objectKey(rs));
      this.ctx.tracer.record(ref, {
        component: 'controller-manager', action: 'deployment-sync', start, end: start, outcome: 'info',
        message: `Deployment ${rs.metadata.namespace}/${owner.name} -> ReplicaSet ${rsName}${note ? `: ${note}` : ''}`,
        details: { controller: 'deployment', deployment: owner.name, replicaSet: rs.metadata.name, revision: rs.metadata.annotations?.['deployment.kubernetes.io/revision'], reason: note },
      });
    }
    this.ctx.tracer.record(ref, {
      component: 'controller-manager', action: 'replicaset-create-pod', start, end: nowISO(), outcome: 'success',
      message: `ReplicaSet ${rsName}: replicas ${desired}, had ${had} -> create ${pod.metadata.name}`,
      details: { controller: 'replicaset', replicaSet: rs.metadata.name, desired, had, pod: pod.metadata.name, owner: owner ? `${owner.kind}/${owner.name}` : undefined },
    });
  }

  private async updateStatus(rs: ReplicaSet & KubeObject, status: ReturnType<typeof calculateStatus>): Promise<void> {
    if (canonicalJSON(rs.status ?? {}) === canonicalJSON(status)) return;
    try {
      await this.ctx.client.update(R.replicasets, { ...rs, status } as KubeObject, { namespace: rs.metadata.namespace, subresource: 'status' });
    } catch (e) {
      if (isStatusError(e, 'Conflict')) {
        // our cache was behind: try again from the newer object, after a backoff that lets the watch deliver it
        this.queue.addRateLimited(objectKey(rs));
        return;
      }
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
