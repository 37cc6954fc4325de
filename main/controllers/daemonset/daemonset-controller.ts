// DaemonSet controller (upstream pkg/controller/daemon): one pod per eligible node, placed through the
// scheduler with a required node affinity on metadata.name, following nodes as they come and go, rolling on template change.
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { objectKey, splitKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { EventRecorder } from '../../client/events';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import { now as nowISO } from '../../trace/types';
import type { Controller, ControllerContext } from '../common/context';
import { ControllerRefManager, newControllerRef, ownedObjectHandlers } from '../common/controller-ref-manager';
import { allOrThrow, errMessage, unlessGone } from '../common/context';
import { Expectations } from '../common/expectations';
import { canonicalJSON, generateName } from '../common/names';
import { isPodAvailable, isPodReady } from '../common/pods';
import { templateHash } from '../deployment/decisions';
import { daemonTolerations, podNodeName, rollingDeleteBudget, shouldRunOn, tolerates } from './daemonset-decisions';

const log = logger('daemonset-controller');
type DS = DaemonSet & KubeObject;
type P = Pod & KubeObject;
const hashLabel = 'controller-revision-hash';

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  private queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 60_000 });
  private expectations = new Expectations();
  private recorder: EventRecorder;
  private dsInf;
  private podInf;
  private nodeInf;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = new EventRecorder(ctx.client, { component: 'daemonset-controller' });
    this.dsInf = ctx.informers.for<DS>(R.daemonsets);
    this.podInf = ctx.informers.for<P>(R.pods);
    this.nodeInf = ctx.informers.for<Node & KubeObject>(R.nodes);
  }

  init(): void {
    this.dsInf.addHandlers({
      add: (d) => this.queue.add(objectKey(d)),
      update: (_o, d) => this.queue.add(objectKey(d)),
      delete: (d) => this.expectations.delete(objectKey(d)),
    });
    this.podInf.addHandlers(ownedObjectHandlers<DS, P>({ owners: this.dsInf, kind: 'DaemonSet', queue: this.queue, expectations: this.expectations }));
    const all = () => {
      for (const d of this.dsInf.list()) this.queue.add(objectKey(d));
    };
    this.nodeInf.addHandlers({
      add: all,
      update: (o, n) => {
        if (canonicalJSON([o.metadata.labels, o.spec]) !== canonicalJSON([n.metadata.labels, n.spec])) all();
      },
      delete: all,
    });
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
    const ds = this.dsInf.get(key);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const hash = templateHash(ds.spec?.template);
    // adopt orphan pods the selector matches, release those relabelled away; terminating pods no longer count
    const claimed = await new ControllerRefManager(this.ctx.client, ds, R.daemonsets, ds.spec?.selector).claim(R.pods, this.podInf.list(namespace));
    const pods = claimed.filter((p) => !p.metadata.deletionTimestamp);
    const byNode = new Map<string, P[]>();
    for (const p of pods) {
      const n = podNodeName(p) ?? '';
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const nodes = this.nodeInf.list();
    const toCreate: string[] = [];
    const toDelete: P[] = [];
    let desired = 0;
    for (const node of nodes) {
      const name = node.metadata.name!;
      const here = byNode.get(name) ?? [];
      byNode.delete(name);
      const verdict = shouldRunOn(node, ds.spec?.template);
      if (!verdict.run) {
        // a running daemon pod stays unless the node now has a NoExecute taint it does not tolerate
        const evict = (node.spec?.taints ?? []).some(
          (t) => t.effect === 'NoExecute' && !tolerates([...(ds.spec?.template?.spec?.tolerations ?? []), ...daemonTolerations], t),
        );
        const keepForNoSchedule = !evict && (verdict.reason ?? '').startsWith('untolerated taint');
        if (!keepForNoSchedule) toDelete.push(...here);
        continue;
      }
      desired++;
      const alive = here.filter((p) => p.status?.phase !== 'Failed');
      toDelete.push(...here.filter((p) => p.status?.phase === 'Failed')); // failed daemon pods are replaced
      if (alive.length === 0) toCreate.push(name);
      else if (alive.length > 1) toDelete.push(...alive.slice(1));
    }
    for (const orphaned of byNode.values()) toDelete.push(...orphaned); // nodes that are gone

    // rolling update: old-template pods go, at most maxUnavailable at a time
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const current = pods.filter((p) => !toDelete.includes(p));
      const unavailable = desired - current.filter((p) => isPodAvailable(p, ds.spec?.minReadySeconds ?? 0, new Date())).length;
      const old = current.filter((p) => p.metadata.labels?.[hashLabel] !== hash);
      // unavailable old pods first: replacing them costs nothing
      old.sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)));
      let budget = rollingDeleteBudget(ds, desired, unavailable);
      for (const p of old) {
        if (!isPodReady(p)) toDelete.push(p);
        else if (budget > 0) {
          toDelete.push(p);
          budget--;
        }
      }
    }

    if (this.expectations.satisfied(key)) {
      if (toCreate.length) {
        this.expectations.expect(key, toCreate.length);
        const res = await Promise.allSettled(toCreate.map((n) => this.createPod(ds, n, hash, desired)));
        const failed = res.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        for (let i = 0; i < failed.length; i++) this.expectations.creationFailed(key);
        if (failed.length) void this.recorder.warning(ds, 'FailedCreate', `Error creating: ${errMessage(failed[0].reason)}`);
      }
      await allOrThrow(
        [...new Set(toDelete)].map(async (p) => {
          if (await unlessGone(this.ctx.client.delete(R.pods, p.metadata.name!, { namespace, preconditions: { uid: p.metadata.uid } }))) {
            void this.recorder.normal(ds, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          }
        }),
      );
    }
    await this.updateStatus(
      ds,
      pods.filter((p) => !toDelete.includes(p)),
      desired,
      hash,
    );
  }

  private async createPod(ds: DS, nodeName: string, hash: string, desired: number): Promise<void> {
    const t = ds.spec!.template;
    const spec = structuredClone(t.spec!) as unknown as Record<string, unknown> & { tolerations?: unknown[]; affinity?: Record<string, unknown> };
    const tols = [...(t.spec?.tolerations ?? [])];
    for (const d of daemonTolerations) if (!tols.some((x) => x.key === d.key && x.effect === d.effect)) tols.push(d);
    spec.tolerations = tols;
    // upstream places daemon pods through the scheduler with this affinity, not by setting nodeName
    spec.affinity = {
      ...(spec.affinity ?? {}),
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
        },
      },
    };
    const name = generateName(ds.metadata.name!);
    const start = nowISO();
    const pod = await this.ctx.client.create<P>(
      R.pods,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          generateName: `${ds.metadata.name}-`,
          namespace: ds.metadata.namespace,
          labels: { ...(t.metadata?.labels ?? {}), [hashLabel]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
          annotations: t.metadata?.annotations,
          ownerReferences: [newControllerRef(ds, R.daemonsets)],
        },
        spec,
      },
      { namespace: ds.metadata.namespace },
    );
    void this.recorder.normal(ds, 'SuccessfulCreate', `Created pod: ${name}`);
    this.ctx.tracer.record(
      { namespace: pod.metadata.namespace!, name, uid: pod.metadata.uid },
      {
        component: 'controller-manager',
        action: 'daemonset-create-pod',
        start,
        end: nowISO(),
        outcome: 'success',
        message: `DaemonSet ${objectKey(ds)}: node ${nodeName} is eligible and has no daemon pod (${desired} nodes want one) -> create, pinned by node affinity`,
        details: { controller: 'daemonset', daemonSet: ds.metadata.name, node: nodeName },
      },
    );
  }

  private async updateStatus(ds: DS, pods: P[], desired: number, hash: string): Promise<void> {
    const now = new Date();
    const scheduled = pods.filter((p) => p.spec?.nodeName);
    const ready = pods.filter(isPodReady).length;
    const available = pods.filter((p) => isPodAvailable(p, ds.spec?.minReadySeconds ?? 0, now)).length;
    const status = {
      ...(ds.status ?? {}),
      desiredNumberScheduled: desired,
      currentNumberScheduled: Math.min(scheduled.length, desired),
      numberMisscheduled: Math.max(0, scheduled.length - desired),
      numberReady: ready,
      numberAvailable: available || undefined,
      numberUnavailable: Math.max(0, desired - available) || undefined,
      updatedNumberScheduled: scheduled.filter((p) => p.metadata.labels?.[hashLabel] === hash).length,
      observedGeneration: ds.metadata.generation ?? 1,
    };
    if (canonicalJSON(ds.status ?? {}) === canonicalJSON(status)) return;
    try {
      await this.ctx.client.update(R.daemonsets, { ...ds, status } as KubeObject, { namespace: ds.metadata.namespace, subresource: 'status' });
    } catch (e) {
      if (isStatusError(e, 'Conflict'))
        this.queue.addRateLimited(objectKey(ds)); // let the watch bring the newer object first
      else if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
