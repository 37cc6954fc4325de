// kube-scheduler for the lab: watches pods and nodes through informers, runs the framework for
// each pending pod, binds through pods/binding, reports FailedScheduling / Scheduled events and the
// PodScheduled condition, and records every decision in the pod's trace.
import type { Namespace, Node, Pod, PodCondition } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../api/object';
import { StatusError } from '../api/errors';
import { EventRecorder } from '../client/events';
import { Informer } from '../client/informer';
import { R, type Client } from '../client/types';
import { logger } from '../log';
import { noopTracer, type PodRef, type TraceStep, type Tracer } from '../trace/types';
import { SchedulerCache } from './cache';
import { Framework, type ScheduleResult } from './framework';
import { newPodInfo } from './node-info';
import { defaultPlugins } from './plugins';
import { SchedulingQueue, type QueueOptions, type QueuedPodInfo } from './queue';
import type { ClusterEventKind, SchedulerProfile, SchedulingDetails } from './types';

export type { SchedulingDetails, NodeRow, FilterVerdict, PluginScore, SchedulerProfile } from './types';

const log = logger('scheduler');

export interface SchedulerOptions {
  client: Client;
  tracer?: Tracer;
  profile?: SchedulerProfile;
  /** pause this long before each visible step (filter, score, choice, bind), for learners */
  slowMotionMs?: number;
  queue?: QueueOptions;
  /** keep per-node tables for the trace (default true) */
  collectDetails?: boolean;
  /** tie-break source for equal scores (tests) */
  random?: () => number;
}

export interface SchedulerStatus {
  running: boolean;
  paused: boolean;
  slowMotionMs: number;
  queue: { active: number; backoff: number; unschedulable: number; inFlight: number };
  scheduled: number;
  failedAttempts: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function nodeSchedulingChanged(a: Node, b: Node): boolean {
  const pick = (n: Node) =>
    JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable, n.metadata?.deletionTimestamp, n.status?.images?.length]);
  return pick(a) !== pick(b);
}

export class Scheduler {
  readonly schedulerName: string;
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  slowMotionMs: number;
  private readonly client: Client;
  private readonly tracer: Tracer;
  private readonly recorder: EventRecorder;
  private readonly pods: Informer<Pod & KubeObject>;
  private readonly nodes: Informer<Node & KubeObject>;
  private readonly namespaces: Informer<Namespace & KubeObject>;
  private readonly pluginEvents = new Map<string, readonly string[]>();
  private running = false;
  private paused = false;
  private resumeWaiters: Array<() => void> = [];
  private loop?: Promise<void>;
  private bindings = new Set<Promise<void>>();
  private scheduled = 0;
  private failedAttempts = 0;

  constructor(opts: SchedulerOptions) {
    const profile = opts.profile ?? {};
    this.client = opts.client;
    this.tracer = opts.tracer ?? noopTracer;
    this.slowMotionMs = opts.slowMotionMs ?? 0;
    this.schedulerName = profile.schedulerName ?? 'default-scheduler';
    this.recorder = new EventRecorder(this.client, { component: this.schedulerName });
    this.queue = new SchedulingQueue(opts.queue);
    this.pods = new Informer(this.client, R.pods);
    this.nodes = new Informer(this.client, R.nodes);
    this.namespaces = new Informer(this.client, R.namespaces);
    const plugins = defaultPlugins(profile, {
      imageNodes: this.cache.imageNodes,
      affinityCounters: this.cache.affinityCounters,
      numNodes: () => this.cache.nodeList().length,
      namespaceLabels: (ns) => this.namespaces.getByName(ns)?.metadata.labels,
    });
    for (const { plugin } of plugins) this.pluginEvents.set(plugin.name, plugin.events ?? []);
    this.framework = new Framework(plugins, {
      schedulerName: this.schedulerName,
      percentageOfNodesToScore: profile.percentageOfNodesToScore,
      collectDetails: opts.collectDetails ?? true,
      random: opts.random,
    });
    this.wireInformers();
  }

  /** Lists and watches nodes, namespaces and pods, then starts scheduling. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await Promise.all([this.nodes.start(), this.namespaces.start()]);
    await this.pods.start();
    this.queue.start();
    this.loop = this.run();
    log.info('started', { schedulerName: this.schedulerName, nodes: this.cache.nodeList().length });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.pods.stop();
    this.nodes.stop();
    this.namespaces.stop();
    this.queue.close();
    this.resume();
    await this.loop;
    await Promise.allSettled([...this.bindings]);
  }

  /** Step mode: pending pods stay Pending until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  status(): SchedulerStatus {
    const c = this.queue.counts();
    return {
      running: this.running,
      paused: this.paused,
      slowMotionMs: this.slowMotionMs,
      queue: { active: c.active, backoff: c.backoff, unschedulable: c.unschedulable, inFlight: c['in-flight'] },
      scheduled: this.scheduled,
      failedAttempts: this.failedAttempts,
    };
  }

  private responsible(p: Pod): boolean {
    return (p.spec?.schedulerName ?? 'default-scheduler') === this.schedulerName;
  }

  private pending(p: Pod): boolean {
    // Pods with scheduling gates wait, as upstream's SchedulingGates plugin keeps them out of the queue.
    return !p.spec?.nodeName && !p.metadata?.deletionTimestamp && !isTerminal(p) && this.responsible(p) && !p.spec?.schedulingGates?.length;
  }

  private moveAll(event: ClusterEventKind): void {
    this.queue.moveAllToActiveOrBackoff(event, (plugin) => this.pluginEvents.get(plugin));
  }

  private wireInformers(): void {
    this.nodes.addHandlers({
      add: (n) => {
        this.cache.addNode(n);
        this.moveAll('NodeAdd');
      },
      update: (o, n) => {
        this.cache.updateNode(n);
        if (nodeSchedulingChanged(o, n)) this.moveAll('NodeUpdate');
      },
      delete: (n) => this.cache.removeNode(n.metadata.name!),
    });
    this.pods.addHandlers({
      add: (p) => {
        if (p.spec?.nodeName) {
          if (isTerminal(p)) return;
          this.cache.addPod(p);
          this.moveAll('AssignedPodAdd');
        } else if (this.pending(p)) {
          // traced first, so its time is never after the queue's own enqueue time (the queue step starts there)
          this.traceEnqueue(p);
          this.queue.add(p);
        }
      },
      update: (o, p) => {
        if (p.spec?.nodeName) {
          if (!o.spec?.nodeName) this.queue.delete(p);
          if (isTerminal(p)) {
            this.cache.removePod(p);
            this.moveAll('AssignedPodDelete');
            return;
          }
          this.cache.updatePod(p);
          if (JSON.stringify(o.metadata.labels) !== JSON.stringify(p.metadata.labels)) this.moveAll('AssignedPodUpdate');
        } else if (this.pending(p)) this.queue.update(o, p);
        else this.queue.delete(p);
      },
      delete: (p) => {
        if (p.spec?.nodeName) {
          this.cache.removePod(p);
          this.moveAll('AssignedPodDelete');
        } else this.queue.delete(p);
      },
    });
  }

  private async waitIfPaused(): Promise<void> {
    while (this.paused && this.running) await new Promise<void>((r) => this.resumeWaiters.push(r));
  }

  private async run(): Promise<void> {
    let n = 0;
    while (this.running) {
      await this.waitIfPaused();
      const qp = await this.queue.pop();
      if (!qp) return;
      if (this.paused) {
        // paused while we waited: the pod goes back and stays Pending in the queue
        this.queue.unpop(qp);
        continue;
      }
      try {
        await this.scheduleOne(qp);
      } catch (err) {
        log.error('scheduling cycle failed', { pod: qp.key, error: String(err) });
        this.queue.addBackoff(qp);
      }
      // let watch events (bindings coming back, new pods) in between decisions
      if (++n % 8 === 0 || this.queue.activeLength === 0) await yieldToEvents();
    }
  }

  private traceEnqueue(pod: Pod): void {
    if (this.tracer === noopTracer) return;
    const t = iso(Date.now());
    this.trace(pod, {
      component: 'scheduler',
      action: 'enqueue',
      start: t,
      end: t,
      outcome: 'info',
      message: `saw the pod through its watch (no spec.nodeName, schedulerName ${this.schedulerName}) and added it to the scheduling queue${this.paused ? '; the scheduler is paused' : ''}`,
      details: { queue: 'activeQ', paused: this.paused, priority: pod.spec?.priority ?? 0 },
    });
  }

  /** What an unschedulable pod now waits for, in words. */
  private traceWait(pod: Pod, rejectors: Set<string>, kind: 'unschedulable' | 'error'): void {
    if (this.tracer === noopTracer) return;
    const events = new Set<string>();
    for (const p of rejectors) for (const e of this.pluginEvents.get(p) ?? []) events.add(e);
    const words: Record<string, string> = {
      NodeAdd: 'a node is added',
      NodeUpdate: 'a node changes (labels, taints, capacity)',
      AssignedPodAdd: 'a pod is placed',
      AssignedPodUpdate: "a placed pod's labels change",
      AssignedPodDelete: 'a pod is deleted',
    };
    const t = iso(Date.now());
    const message =
      kind === 'error'
        ? 'will retry after its backoff (1 s, doubling up to 10 s)'
        : `waits in unschedulablePods until ${[...events].map((e) => words[e] ?? e).join(', or ') || 'the cluster changes'}, or 5 minutes pass; then retried after its backoff`;
    this.trace(pod, {
      component: 'scheduler',
      action: 'wait',
      start: t,
      end: t,
      outcome: 'pending',
      message,
      details: { queue: kind === 'error' ? 'backoffQ' : 'unschedulablePods', rejectedBy: [...rejectors], events: [...events] },
    });
  }

  private trace(pod: Pod, step: TraceStep): void {
    const ref: PodRef = { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid };
    this.tracer.record(ref, step);
  }

  private async slow(): Promise<void> {
    if (this.slowMotionMs > 0) await sleep(this.slowMotionMs);
  }

  /** One scheduling cycle; the binding cycle runs on without blocking the next pod. */
  async scheduleOne(qp: QueuedPodInfo): Promise<void> {
    const current = this.pods.get(qp.key) as Pod | undefined;
    if (!current || !this.pending(current) || this.cache.isAssumed(qp.key)) {
      this.queue.done(qp.key);
      return;
    }
    qp.pod = current;
    const pod = current;
    const popped = Date.now();
    const waitedSince = qp.attempts <= 1 ? qp.firstEnqueued : qp.lastFailure;
    const info = newPodInfo(pod);
    const t0 = Date.now();
    const result = this.framework.schedulePod(info, this.cache.nodeList(), qp.attempts);
    const t1 = Date.now();
    if (result.kind === 'scheduled') this.cache.assumePod(info, result.node); // Reserve

    const tracing = this.tracer !== noopTracer;
    if (tracing) {
      const why =
        qp.attempts <= 1 ? 'in the scheduling queue' : `before retry ${qp.attempts - 1} (${qp.from === 'backoff' ? 'backoff' : 'waited for a cluster event'})`;
      this.trace(pod, {
        component: 'scheduler',
        action: 'queue',
        start: iso(waitedSince),
        end: iso(popped),
        outcome: 'success',
        message: `waited ${popped - waitedSince} ms ${why}`,
        details: { attempt: qp.attempts, from: qp.from, waitedMs: popped - waitedSince, priority: pod.spec?.priority ?? 0 },
      });
    }
    await this.slow();
    if (tracing) this.traceCycle(pod, result, t0, t1);

    if (result.kind === 'scheduled') {
      const p = this.bind(qp, pod, result.node);
      this.bindings.add(p);
      void p.finally(() => this.bindings.delete(p));
      if (this.slowMotionMs > 0) await p;
      return;
    }
    this.failedAttempts++;
    const reason = result.kind === 'error' ? 'SchedulerError' : 'Unschedulable';
    log.info('unable to schedule pod', { pod: qp.key, message: result.message });
    void this.recorder.warning(pod as KubeObject, 'FailedScheduling', result.message);
    void this.setUnschedulableCondition(pod, reason, result.message);
    if (result.kind === 'error') {
      this.queue.addBackoff(qp);
      this.traceWait(pod, new Set(), 'error');
    } else {
      this.queue.addUnschedulable(qp, result.rejectors);
      this.traceWait(pod, result.rejectors, 'unschedulable');
    }
  }

  private traceCycle(pod: Pod, result: ScheduleResult, t0: number, t1: number): void {
    const d = result.details;
    if (result.kind === 'error') {
      this.trace(pod, {
        component: 'scheduler',
        action: 'filter',
        start: iso(t0),
        end: iso(t1),
        outcome: 'failure',
        message: result.message,
        details: d as unknown as Record<string, unknown>,
      });
      return;
    }
    const filterEnd = t0 + Math.round(result.filterMs);
    const sampled = d.numNodesEvaluated < d.numAllNodes ? ` (checked ${d.numNodesEvaluated} of ${d.numAllNodes}, enough to score)` : '';
    // On success the score step carries the whole table; the filter step keeps only the rejected rows.
    const filterDetails: SchedulingDetails = result.kind === 'scheduled' ? { ...d, nodes: d.nodes.filter((r) => !r.feasible) } : d;
    this.trace(pod, {
      component: 'scheduler',
      action: 'filter',
      start: iso(t0),
      end: iso(Math.min(filterEnd, t1)),
      outcome: result.kind === 'scheduled' ? 'success' : 'failure',
      message: result.kind === 'scheduled' ? `${d.numFeasible} of ${d.numAllNodes} nodes fit${sampled}` : result.message,
      details: filterDetails as unknown as Record<string, unknown>,
    });
    if (result.kind !== 'scheduled') return;
    const chosen = d.nodes.find((r) => r.node === result.node);
    if (d.scoringNote) {
      this.trace(pod, {
        component: 'scheduler',
        action: 'score',
        start: iso(Math.min(filterEnd, t1)),
        end: iso(t1),
        outcome: 'skipped',
        message: d.scoringNote,
        details: d as unknown as Record<string, unknown>,
      });
    } else {
      this.trace(pod, {
        component: 'scheduler',
        action: 'score',
        start: iso(Math.min(filterEnd, t1)),
        end: iso(t1),
        outcome: 'success',
        message: `scored ${d.numFeasible} nodes with ${d.scorePlugins.length - d.skipped.score.length} plugins; ${result.node} scored highest${chosen?.total !== undefined ? ` (${chosen.total})` : ''}`,
        details: d as unknown as Record<string, unknown>,
      });
    }
    this.trace(pod, {
      component: 'scheduler',
      action: 'select-node',
      start: iso(t1),
      end: iso(t1),
      outcome: 'success',
      message: `chose ${result.node}; assumed the pod there (Reserve) so the next pod sees its resources`,
      details: { node: result.node, total: chosen?.total },
    });
  }

  private async bind(qp: QueuedPodInfo, pod: Pod, node: string): Promise<void> {
    await this.slow();
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const start = Date.now();
    try {
      await this.client.create(
        R.pods,
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace: ns, uid: pod.metadata?.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: node },
        },
        { namespace: ns, subresource: 'binding', name },
      );
      const end = Date.now();
      this.scheduled++;
      this.queue.done(qp.key);
      if (this.tracer !== noopTracer) {
        this.trace(pod, {
          component: 'scheduler',
          action: 'bind',
          start: iso(start),
          end: iso(end),
          outcome: 'success',
          message: `bound ${ns}/${name} to ${node} through pods/binding in ${end - start} ms`,
          details: { node, durationMs: end - start },
        });
      }
      void this.recorder.normal(pod as KubeObject, 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
    } catch (err) {
      const end = Date.now();
      this.cache.forgetPod(qp.key); // Unreserve
      const msg = err instanceof Error ? err.message : String(err);
      this.trace(pod, {
        component: 'scheduler',
        action: 'bind',
        start: iso(start),
        end: iso(end),
        outcome: 'failure',
        message: `binding to ${node} failed: ${msg}`,
        details: { node },
      });
      const code = err instanceof StatusError ? err.code : 0;
      if (code === 404 || code === 409) {
        // gone, or already bound by someone else: nothing to retry
        this.queue.done(qp.key);
        return;
      }
      this.failedAttempts++;
      log.warn('binding failed', { pod: qp.key, node, error: msg });
      void this.recorder.warning(pod as KubeObject, 'FailedScheduling', `Binding rejected: ${msg}`);
      this.queue.addBackoff(qp);
    }
  }

  /** PodScheduled=False with the same message, as upstream's updatePod (skipped if unchanged). */
  private async setUnschedulableCondition(pod: Pod, reason: string, message: string): Promise<void> {
    const conds = pod.status?.conditions ?? [];
    const old = conds.find((c) => c.type === 'PodScheduled');
    if (old && old.status === 'False' && old.reason === reason && old.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null as unknown as string,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    try {
      await this.client.patch(
        R.pods,
        pod.metadata!.name!,
        'application/merge-patch+json',
        { status: { conditions: [...conds.filter((c) => c.type !== 'PodScheduled'), cond] } },
        { namespace: pod.metadata?.namespace ?? 'default', subresource: 'status' },
      );
    } catch (err) {
      log.debug('could not set PodScheduled condition', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, error: String(err) });
    }
  }
}
