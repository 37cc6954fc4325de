// ReplicaSet controller (upstream pkg/controller/replicaset): keeps `replicas` pods matching the
// selector, adopting orphans and releasing pods that stopped matching; handlers only enqueue keys.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { KubeObject } from '../../api/object';
import { controllerOf, objectKey, splitKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { EventRecorder } from '../../client/events';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import { now as nowISO } from '../../trace/types';
import type { Controller, ControllerContext } from '../common/context';
import { ControllerRefManager, newControllerRef, ownedObjectHandlers } from '../common/controller-ref-manager';
import { errMessage } from '../common/context';
import { Expectations } from '../common/expectations';
import { canonicalJSON, generateName } from '../common/names';
import { isPodActive, secondsUntilAvailable } from '../common/pods';
import { calculateStatus, podsToDelete, replicaDiff, slowStartBatches } from './decisions';

const log = logger('replicaset-controller');

type RS = ReplicaSet & KubeObject;

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  private queue = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 60_000 });
  readonly expectations = new Expectations();
  private recorder: EventRecorder;
  private rsInf;
  private podInf;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = new EventRecorder(ctx.client, { component: 'replicaset-controller' });
    this.rsInf = ctx.informers.for<RS>(R.replicasets);
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
    this.podInf.addHandlers(
      ownedObjectHandlers<RS, Pod & KubeObject>({
        owners: this.rsInf,
        kind: 'ReplicaSet',
        queue: this.queue,
        expectations: this.expectations,
        // a pod turning ready becomes available minReadySeconds later: look again then
        updated: (rs, pod) => {
          const wait = secondsUntilAvailable(pod, rs.spec?.minReadySeconds ?? 0, new Date());
          if (wait) this.queue.addAfter(objectKey(rs), wait * 1000 + 50);
        },
      }),
    );
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

  /** One idempotent step toward spec.replicas for one ReplicaSet. */
  async sync(key: string): Promise<void> {
    const rs = this.rsInf.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const { namespace } = splitKey(key);
    // as upstream syncReplicaSet: expectations first, then the pod list. Satisfied now means the cache has every pod we
    // created or deleted, so the list taken next is at least that fresh; checked after the (async) claim instead, a
    // create observed meanwhile would satisfy them while the list still lacked that pod, and the sync would create it twice
    const needsSync = this.expectations.satisfied(key);
    // upstream claims only active pods: a finished or terminating pod is neither adopted nor released
    const active = await new ControllerRefManager(this.ctx.client, rs, R.replicasets, rs.spec?.selector).claim(
      R.pods,
      this.podInf.list(namespace).filter(isPodActive),
    );
    let manageError: { reason: string; message: string } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(rs, active);
      } catch (e) {
        manageError = { reason: (e as { failReason?: string }).failReason ?? 'FailedCreate', message: errMessage(e) };
      }
    }
    await this.updateStatus(rs, calculateStatus(rs, active, manageError, new Date()));
    if (manageError) throw new Error(manageError.message);
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
      this.expectations.expect(
        key,
        0,
        victims.map((p) => objectKey(p)),
      );
      await Promise.all(
        victims.map(async (pod) => {
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
        }),
      );
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
          ownerReferences: [newControllerRef(rs, R.replicasets)],
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
        component: 'controller-manager',
        action: 'deployment-sync',
        start,
        end: start,
        outcome: 'info',
        message: `Deployment ${rs.metadata.namespace}/${owner.name} -> ReplicaSet ${rsName}${note ? `: ${note}` : ''}`,
        details: {
          controller: 'deployment',
          deployment: owner.name,
          replicaSet: rs.metadata.name,
          revision: rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
          reason: note,
        },
      });
    }
    this.ctx.tracer.record(ref, {
      component: 'controller-manager',
      action: 'replicaset-create-pod',
      start,
      end: nowISO(),
      outcome: 'success',
      message: `ReplicaSet ${rsName}: replicas ${desired}, had ${had} -> create ${pod.metadata.name}`,
      details: {
        controller: 'replicaset',
        replicaSet: rs.metadata.name,
        desired,
        had,
        pod: pod.metadata.name,
        owner: owner ? `${owner.kind}/${owner.name}` : undefined,
      },
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
