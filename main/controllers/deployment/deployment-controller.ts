// Deployment controller (upstream pkg/controller/deployment): one ReplicaSet per template
// (`<deploy>-<pod-template-hash>`), rolled with RollingUpdate or Recreate, revisions kept for rollout history/undo.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { KubeObject } from '../../api/object';
import { controllerOf, objectKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { EventRecorder } from '../../client/events';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { allOrThrow, errMessage, unlessGone } from '../common/context';
import { canonicalJSON } from '../common/names';
import { ControllerRefManager, newControllerRef, ownedObjectHandlers } from '../common/controller-ref-manager';
import {
  calculateStatus,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  hashLabel,
  historyToClean,
  maxReplicasAnnotation,
  newRSReplicas,
  oldRSScaleDown,
  onlyScales,
  progressingCondition,
  proportionalScale,
  resolveFenceposts,
  revisionAnnotation,
  revisionHistoryAnnotation,
  setProgressingCondition,
  templateHash,
} from './decisions';

const log = logger('deployment-controller');

type D = Deployment & KubeObject;
type RS = ReplicaSet & KubeObject;

const reps = (rs: ReplicaSet) => rs.spec?.replicas ?? 0;
const revOf = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.[revisionAnnotation] ?? 0);
const byCreation = (a: RS, b: RS) =>
  String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) || a.metadata.name!.localeCompare(b.metadata.name!);
/** annotations a ReplicaSet must not copy from its Deployment */
const skipAnnotations = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
]);

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private queue = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 60_000 });
  private recorder: EventRecorder;
  private dInf;
  private rsInf;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = new EventRecorder(ctx.client, { component: 'deployment-controller' });
    this.dInf = ctx.informers.for<D>(R.deployments);
    this.rsInf = ctx.informers.for<RS>(R.replicasets);
  }

  init(): void {
    this.dInf.addHandlers({
      add: (d) => this.queue.add(objectKey(d)),
      update: (_o, d) => this.queue.add(objectKey(d)),
      delete: (d) => this.queue.add(objectKey(d)),
    });
    this.rsInf.addHandlers(ownedObjectHandlers<D, RS>({ owners: this.dInf, kind: 'Deployment', queue: this.queue }));
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
    const d = this.dInf.get(key);
    if (!d) return;
    const rsList = await new ControllerRefManager(this.ctx.client, d, R.deployments, d.spec?.selector).claim(
      R.replicasets,
      this.rsInf.list(d.metadata.namespace),
    );
    if (d.metadata.deletionTimestamp) return;
    let newRS = rsList.filter((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template)).sort(byCreation)[0];
    const oldRSs = rsList.filter((rs) => rs !== newRS).sort(byCreation);
    const before = { created: false, scaled: false };

    const want = d.spec?.replicas ?? 1;
    const active = rsList.filter((rs) => reps(rs) > 0);
    if (onlyScales(d, active)) {
      // a scale, not a rollout (also whenever paused, as upstream sync() does): resize the active sets in proportion
      // mid-rollout, no new ReplicaSet yet
      const plan = proportionalScale(d, newRS, oldRSs);
      for (const rs of new Set([...active, ...plan.keys()])) {
        const to = plan.get(rs) ?? reps(rs);
        if (to !== reps(rs) || rs.metadata.annotations?.[desiredReplicasAnnotation] !== String(want)) {
          await this.scale(
            d,
            rs,
            to,
            d.spec?.paused
              ? `paused: scaled to ${want} replicas, shared in proportion among the active ReplicaSets`
              : `scaled to ${want} replicas, shared in proportion among the active ReplicaSets`,
          );
        }
      }
      if (d.spec?.paused) await this.cleanup(d, oldRSs);
      await this.syncStatus(d, rsList, newRS, plan.size > 0);
      return;
    }

    const maxOld = Math.max(0, ...oldRSs.map(revOf));
    if (!newRS) {
      const created = await this.createNewRS(d, rsList, maxOld + 1);
      if (!created) return;
      newRS = created;
      before.created = true;
      rsList.push(created);
    } else if (revOf(newRS) !== maxOld + 1 && revOf(newRS) <= maxOld) {
      // an old template came back (rollout undo): it becomes the newest revision
      const history = [newRS.metadata.annotations?.[revisionHistoryAnnotation], String(revOf(newRS))].filter(Boolean).join(',');
      newRS = await this.ctx.client.patch<RS>(
        R.replicasets,
        newRS.metadata.name!,
        'application/merge-patch+json',
        { metadata: { annotations: { [revisionAnnotation]: String(maxOld + 1), [revisionHistoryAnnotation]: history } } },
        { namespace: d.metadata.namespace },
      );
      rsList.splice(
        rsList.findIndex((r) => r.metadata.name === newRS!.metadata.name),
        1,
        newRS,
      );
    }
    if (d.metadata.annotations?.[revisionAnnotation] !== newRS.metadata.annotations?.[revisionAnnotation]) {
      await this.ctx.client.patch(
        R.deployments,
        d.metadata.name!,
        'application/merge-patch+json',
        { metadata: { annotations: { [revisionAnnotation]: newRS.metadata.annotations?.[revisionAnnotation] } } },
        { namespace: d.metadata.namespace },
      );
    }

    if (d.spec?.strategy?.type === 'Recreate') {
      for (const rs of oldRSs)
        if (reps(rs) > 0) {
          await this.scale(d, rs, 0, 'Recreate: old pods go first');
          before.scaled = true;
        }
      const oldRunning = oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0 || reps(rs) > 0);
      if (!oldRunning && reps(newRS) !== want) {
        await this.scale(d, newRS, want, 'Recreate: old pods gone');
        before.scaled = true;
      }
    } else {
      const { maxSurge, maxUnavailable } = resolveFenceposts(d);
      const why = `RollingUpdate maxSurge ${maxSurge}, maxUnavailable ${maxUnavailable}`;
      let target = reps(newRS);
      if (target > want) target = want;
      else if (target < want) target = newRSReplicas(d, rsList, newRS);
      if (target !== reps(newRS)) {
        newRS = await this.scale(d, newRS, target, `replicas ${want}, ${why}`);
        before.scaled = true;
      } else {
        const counts = oldRSScaleDown(d, oldRSs, newRS);
        for (let i = 0; i < oldRSs.length; i++) {
          if (counts[i] !== reps(oldRSs[i])) {
            await this.scale(d, oldRSs[i], counts[i], why);
            before.scaled = true;
          }
        }
      }
    }
    await this.cleanup(d, oldRSs);
    await this.syncStatus(d, rsList, newRS, before.created || before.scaled, before.created);
  }

  private async createNewRS(d: D, all: RS[], revision: number): Promise<RS | undefined> {
    const collision = d.status?.collisionCount;
    const hash = templateHash(d.spec?.template, collision);
    const name = `${d.metadata.name}-${hash}`;
    const template = structuredClone(d.spec!.template!);
    const tm = (template.metadata ?? {}) as { labels?: Record<string, string> };
    tm.labels = { ...(tm.labels ?? {}), [hashLabel]: hash };
    (template as { metadata?: unknown }).metadata = tm;
    const want = d.spec?.replicas ?? 1;
    const { maxSurge } = resolveFenceposts(d);
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!skipAnnotations.has(k)) annotations[k] = v;
    annotations[revisionAnnotation] = String(revision);
    annotations[desiredReplicasAnnotation] = String(want);
    annotations[maxReplicasAnnotation] = String(want + (d.spec?.strategy?.type === 'Recreate' ? 0 : maxSurge));
    const selector = structuredClone(d.spec!.selector!);
    (selector as { matchLabels?: Record<string, string> }).matchLabels = { ...(selector.matchLabels ?? {}), [hashLabel]: hash };
    const initial = d.spec?.strategy?.type === 'Recreate' ? 0 : newRSReplicas(d, all, { spec: { replicas: 0, selector } });
    const body = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: d.metadata.namespace, labels: tm.labels, annotations, ownerReferences: [newControllerRef(d, R.deployments)] },
      spec: { replicas: initial, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    try {
      const rs = await this.ctx.client.create<RS>(R.replicasets, body, { namespace: d.metadata.namespace });
      log.info('created replica set', { deployment: objectKey(d), replicaset: name, revision });
      const note = `new template (revision ${revision}): created ReplicaSet ${name} with ${initial} replicas`;
      this.ctx.chain.set(objectKey(rs), note);
      if (initial > 0) void this.recorder.normal(d, 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${initial}`);
      return rs;
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
      const existing = await this.ctx.client.get<RS>(R.replicasets, name, d.metadata.namespace);
      if (controllerOf(existing)?.uid === d.metadata.uid && equalIgnoreHash(existing.spec?.template, d.spec?.template)) return existing;
      // a hash collision: another template owns that name; try the next hash
      await this.ctx.client.update(R.deployments, { ...d, status: { ...(d.status ?? {}), collisionCount: (collision ?? 0) + 1 } } as KubeObject, {
        namespace: d.metadata.namespace,
        subresource: 'status',
      });
      return undefined;
    }
  }

  private async scale(d: D, rs: RS, to: number, why: string): Promise<RS> {
    const from = reps(rs);
    const want = d.spec?.replicas ?? 1;
    const { maxSurge } = resolveFenceposts(d);
    const out = await this.ctx.client.patch<RS>(
      R.replicasets,
      rs.metadata.name!,
      'application/merge-patch+json',
      {
        metadata: { annotations: { [desiredReplicasAnnotation]: String(want), [maxReplicasAnnotation]: String(want + maxSurge) } },
        spec: { replicas: to },
      },
      { namespace: rs.metadata.namespace },
    );
    if (from !== to) {
      const dir = to > from ? 'up' : 'down';
      this.ctx.chain.set(objectKey(rs), `scaled ${dir} from ${from} to ${to} (revision ${revOf(rs)}; ${why})`);
      void this.recorder.normal(d, 'ScalingReplicaSet', `Scaled ${dir} replica set ${rs.metadata.name} from ${from} to ${to}`);
      log.info(`scaled ${dir} replica set`, { replicaset: objectKey(rs), from, to });
    }
    return out;
  }

  private async cleanup(d: D, oldRSs: RS[]): Promise<void> {
    await allOrThrow(
      historyToClean(d, oldRSs).map((rs) =>
        unlessGone(
          this.ctx.client.delete(R.replicasets, rs.metadata.name!, {
            namespace: rs.metadata.namespace,
            propagationPolicy: 'Background',
            preconditions: { uid: rs.metadata.uid },
          }),
        ),
      ),
    );
  }

  private async syncStatus(d: D, all: RS[], newRS: RS | undefined, progressed: boolean, created = false): Promise<void> {
    const now = new Date();
    const cur = this.rsInf.list(d.metadata.namespace);
    const fresh = all.map((rs) => cur.find((c) => c.metadata.uid === rs.metadata.uid) ?? rs);
    const freshNew = newRS && (cur.find((c) => c.metadata.uid === newRS.metadata.uid) ?? newRS);
    const status = calculateStatus(d, fresh, freshNew, now.toISOString());
    const old = d.status ?? {};
    const moved =
      progressed ||
      (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
      (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0) ||
      (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0);
    let p = progressingCondition(d, status, freshNew, moved, now.getTime());
    if (created && freshNew)
      p = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${freshNew.metadata.name}"` };
    if (p) status.conditions = setProgressingCondition(status.conditions ?? [], p, moved, now.toISOString());
    // conditions sorted as upstream shows them: Available, then Progressing
    status.conditions = [...(status.conditions ?? [])].sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));
    const deadline = d.spec?.progressDeadlineSeconds ?? 600;
    if (!d.spec?.paused && p?.reason !== 'NewReplicaSetAvailable' && p?.reason !== 'ProgressDeadlineExceeded')
      this.queue.addAfter(objectKey(d), deadline * 1000 + 100);
    if (canonicalJSON(old) === canonicalJSON(status)) return;
    try {
      await this.ctx.client.update(R.deployments, { ...d, status } as KubeObject, { namespace: d.metadata.namespace, subresource: 'status' });
    } catch (e) {
      // our cache was behind: retry after a backoff, so the watch can deliver the newer object first
      if (isStatusError(e, 'Conflict')) this.queue.addRateLimited(objectKey(d));
      else if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
