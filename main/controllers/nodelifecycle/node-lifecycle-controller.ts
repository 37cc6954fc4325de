// Node lifecycle controller with its taint manager (upstream pkg/controller/nodelifecycle): a node whose
// Lease is not renewed for the grace period turns Ready=Unknown and gets unreachable taints; pods that
// don't tolerate them are evicted after tolerationSeconds, so their controllers recreate them elsewhere.
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { EventRecorder } from '../../client/events';
import { R } from '../../client/types';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { allOrThrow, errMessage, unlessGone } from '../common/context';
import { canonicalJSON } from '../common/names';
import { evictionDelayMs, lastHeartbeatMs, observedReadiness, reconcileTaints, unknownConditions, type Readiness } from './node-lifecycle-decisions';

const log = logger('node-lifecycle-controller');
type N = Node & KubeObject;
type P = Pod & KubeObject;

export interface NodeLifecycleOptions {
  nodeMonitorGracePeriodSeconds: number;
  podEvictionTimeoutSeconds: number;
  nodeMonitorPeriodSeconds: number;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  private recorder: EventRecorder;
  private nodeInf;
  private leaseInf;
  private podInf;
  private timer?: NodeJS.Timeout;
  private running = false;
  private last = new Map<string, Readiness>();
  /** pods already marked for eviction, so each is evicted once */
  private evicted = new Set<string>();
  /** nodes gone Unknown whose Ready pods are still to be marked not ready (retried each pass until done) */
  private podsToMarkNotReady = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: NodeLifecycleOptions,
  ) {
    this.recorder = new EventRecorder(ctx.client, { component: 'node-controller' });
    this.nodeInf = ctx.informers.for<N>(R.nodes);
    this.leaseInf = ctx.informers.for<Lease & KubeObject>(R.leases);
    this.podInf = ctx.informers.for<P>(R.pods);
  }

  init(): void {}

  run(): void {
    const period = Math.max(100, this.opts.nodeMonitorPeriodSeconds * 1000);
    const tick = async () => {
      if (this.running) return;
      this.running = true;
      try {
        await this.monitor();
      } catch (e) {
        log.warn('monitor failed', { error: errMessage(e) });
      } finally {
        this.running = false;
      }
    };
    this.timer = setInterval(() => void tick(), period);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over every node (upstream monitorNodeHealth), then the taint manager's evictions. */
  async monitor(): Promise<void> {
    const nowMs = Date.now();
    const nowISO = new Date(nowMs).toISOString();
    const graceMs = this.opts.nodeMonitorGracePeriodSeconds * 1000;
    for (const node of this.nodeInf.list()) {
      const name = node.metadata.name!;
      const lease = this.leaseInf.getByName(name, 'kube-node-lease');
      const hb = lastHeartbeatMs(node, lease?.spec?.renewTime);
      const created = node.metadata.creationTimestamp ? new Date(node.metadata.creationTimestamp).getTime() : nowMs;
      const readiness = observedReadiness(node, hb, nowMs, graceMs, created);
      const before = this.last.get(name);
      this.last.set(name, readiness);
      let current = node;
      if (readiness === 'Unknown' && node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'Unknown') {
        log.warn('node stopped posting status', { node: name, silentForSeconds: hb ? Math.round((nowMs - hb) / 1000) : undefined });
        // a failed write is tried again on the next pass (the condition is still not Unknown then)
        current = await this.ctx.client
          .update<N>(
            R.nodes,
            { ...node, status: { ...(node.status ?? {}), conditions: unknownConditions(node.status?.conditions ?? [], nowISO) } } as KubeObject,
            { subresource: 'status' },
          )
          .catch((e) => {
            log.warn('node status update failed; retried next pass', { node: name, error: errMessage(e) });
            return node;
          });
        this.podsToMarkNotReady.add(name);
      }
      if (readiness !== 'Unknown') this.podsToMarkNotReady.delete(name);
      if (this.podsToMarkNotReady.has(name)) {
        // upstream retries a node whose pods could not all be marked on its next pass (nodesToRetry)
        try {
          await this.markPodsNotReady(name, nowISO);
          this.podsToMarkNotReady.delete(name);
        } catch (e) {
          log.warn('marking pods not ready failed; retried next pass', { node: name, error: errMessage(e) });
        }
      }
      if (before !== undefined && before !== readiness) {
        if (readiness === 'True') void this.recorder.normal(current, 'NodeReady', `Node ${name} status is now: NodeReady`);
        else void this.recorder.normal(current, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
      const taints = reconcileTaints(current.spec?.taints ?? [], readiness, nowISO, !!current.spec?.unschedulable);
      if (canonicalJSON(taints) !== canonicalJSON(current.spec?.taints ?? [])) {
        await this.ctx.client
          .patch(R.nodes, name, 'application/merge-patch+json', { spec: { taints: taints.length ? taints : null } })
          .catch((e) => log.warn('taint update failed', { node: name, error: errMessage(e) }));
        log.info('node taints', { node: name, readiness, taints: taints.map((t) => `${t.key}:${t.effect}`).join(',') || 'none' });
      }
      await this.evictFrom(current, taints, nowMs);
    }
  }

  /** upstream MarkPodsNotReady: pods on a silent node stop counting as Ready (Endpoints drop them). */
  private async markPodsNotReady(nodeName: string, nowISO: string): Promise<void> {
    const writes: Array<Promise<unknown>> = [];
    for (const pod of this.podInf.list().filter((p) => p.spec?.nodeName === nodeName)) {
      const conds = pod.status?.conditions ?? [];
      if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: nowISO } : c));
      writes.push(
        unlessGone(
          this.ctx.client.update(R.pods, { ...pod, status: { ...(pod.status ?? {}), conditions: next } } as KubeObject, {
            namespace: pod.metadata.namespace,
            subresource: 'status',
          }),
        ),
      );
    }
    await allOrThrow(writes);
  }

  /** The taint manager: evict pods that don't tolerate the node's NoExecute taints, after tolerationSeconds. */
  private async evictFrom(
    node: N,
    taints: Node['spec'] extends infer S ? (S extends { taints?: infer T } ? NonNullable<T> : never) : never,
    nowMs: number,
  ): Promise<void> {
    if (!taints.some((t) => t.effect === 'NoExecute')) return;
    for (const pod of this.podInf.list().filter((p) => p.spec?.nodeName === node.metadata.name && !p.metadata.deletionTimestamp)) {
      const key = pod.metadata.uid!;
      if (this.evicted.has(key)) continue;
      const delay = evictionDelayMs(pod, taints, nowMs, this.opts.podEvictionTimeoutSeconds);
      if (delay === 'never' || delay > 0) continue;
      this.evicted.add(key);
      if (this.evicted.size > 10_000) this.evicted.delete(this.evicted.values().next().value as string);
      void this.recorder.normal(pod, 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      log.info('evicting pod from tainted node', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node: node.metadata.name });
      try {
        await this.ctx.client.delete(R.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) this.evicted.delete(key);
      }
    }
  }
}
