// The scheduling queue as upstream's PriorityQueue: activeQ (priority, then arrival), backoffQ
// (1s doubling to 10s per attempt) and unschedulablePods, which wait for a cluster event one of
// their rejecting plugins cares about, or are flushed after 5 minutes, instead of spinning.
import type { Pod } from 'kubernetes-types/core/v1';
import { objectKey } from '../api/object';
import type { ClusterEventKind } from './types';

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'in-flight';

export interface QueuedPodInfo {
  key: string;
  pod: Pod;
  /** when the pod first entered the queue (upstream's InitialAttemptTimestamp is close) */
  firstEnqueued: number;
  /** when it entered the sub-queue it is in now */
  enqueued: number;
  /** where it waited before its last pass through activeQ: active (new), backoff or unschedulable */
  from: QueueName;
  attempts: number;
  /** plugins that rejected it last time */
  unschedulablePlugins: Set<string>;
  /** when the last attempt failed */
  lastFailure: number;
  /** cycle in which it was popped */
  cycle: number;
  where: QueueName;
  /** heap tiebreak */
  seq: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** unschedulable pods are retried after this long even without an event (upstream: 5 min) */
  unschedulableTimeoutMs?: number;
  /** how often backoff and unschedulable leftovers are flushed */
  flushIntervalMs?: number;
  now?: () => number;
}

class Heap<T> {
  private items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(v: T): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

const priorityOf = (p: Pod) => p.spec?.priority ?? 0;

/** Did anything but status and bookkeeping change? (upstream's isPodUpdated) */
export function podSpecChanged(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _m, ...meta } = p.metadata ?? {};
    return JSON.stringify({ meta, spec: p.spec });
  };
  return strip(a) !== strip(b);
}

export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPodInfo>();
  /** the unschedulablePods sub-queue, kept apart so cluster events touch only it */
  private readonly unschedulablePods = new Set<QueuedPodInfo>();
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly waiters: Array<(qp: QueuedPodInfo | undefined) => void> = [];
  private seq = 0;
  private closed = false;
  private timer?: NodeJS.Timeout;
  /** incremented at every pop */
  schedulingCycle = 0;
  /** cycle of the last move request: pods failing in an older cycle go to backoff, not unschedulable */
  private moveRequestCycle = -1;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 300_000;
    this.now = opts.now ?? Date.now;
    this.activeQ = new Heap((a, b) => {
      const pa = priorityOf(a.pod);
      const pb = priorityOf(b.pod);
      return pa !== pb ? pa > pb : a.enqueued !== b.enqueued ? a.enqueued < b.enqueued : a.seq < b.seq;
    });
    this.backoffQ = new Heap((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  private place(qp: QueuedPodInfo, where: QueueName): void {
    if (qp.where === 'unschedulable') this.unschedulablePods.delete(qp);
    if (where === 'unschedulable') this.unschedulablePods.add(qp);
    qp.where = where;
  }

  /** Flush backoff and stale unschedulable pods periodically (upstream: every 1 s and 30 s). */
  start(): void {
    const every = this.opts.flushIntervalMs ?? 1000;
    this.timer = setInterval(() => {
      this.flushBackoffCompleted();
      this.flushUnschedulableLeftover();
    }, every);
    this.timer.unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  backoffDuration(qp: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < qp.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  backoffExpiry(qp: QueuedPodInfo): number {
    return qp.lastFailure + this.backoffDuration(qp);
  }

  /** activeQ entries, possibly counting stale ones: cheap, for "is there more work now?" */
  get activeLength(): number {
    return this.activeQ.size;
  }

  get(key: string): QueuedPodInfo | undefined {
    return this.pods.get(key);
  }

  counts(): Record<QueueName, number> {
    const c: Record<QueueName, number> = { active: 0, backoff: 0, unschedulable: 0, 'in-flight': 0 };
    for (const qp of this.pods.values()) c[qp.where]++;
    return c;
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = objectKey(pod);
    const existing = this.pods.get(key);
    if (existing) return this.update(existing.pod, pod);
    const t = this.now();
    const qp: QueuedPodInfo = {
      key,
      pod,
      firstEnqueued: t,
      enqueued: t,
      from: 'active',
      attempts: 0,
      unschedulablePlugins: new Set(),
      lastFailure: 0,
      cycle: 0,
      where: 'active',
      seq: 0,
    };
    this.pods.set(key, qp);
    this.toActive(qp);
  }

  update(oldPod: Pod, pod: Pod): void {
    const key = objectKey(pod);
    const qp = this.pods.get(key);
    if (!qp) return this.add(pod);
    qp.pod = pod;
    // A changed spec may fit now: retry it (after its backoff).
    if (qp.where === 'unschedulable' && podSpecChanged(oldPod, pod)) this.moveOut(qp);
  }

  delete(pod: Pod): void {
    const qp = this.pods.get(objectKey(pod));
    if (qp) {
      this.pods.delete(qp.key);
      this.place(qp, 'in-flight'); // stale heap entries are skipped
    }
  }

  /** Next pod to schedule (highest priority, oldest); waits while activeQ is empty. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const qp = this.popActive();
    if (qp) return Promise.resolve(qp);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private popActive(): QueuedPodInfo | undefined {
    for (;;) {
      const qp = this.activeQ.pop();
      if (!qp) return undefined;
      // stale entries (deleted, or moved since) are skipped
      if (this.pods.get(qp.key) !== qp || qp.where !== 'active') continue;
      return this.markInFlight(qp);
    }
  }

  private markInFlight(qp: QueuedPodInfo): QueuedPodInfo {
    this.place(qp, 'in-flight');
    qp.attempts++;
    qp.cycle = ++this.schedulingCycle;
    return qp;
  }

  private toActive(qp: QueuedPodInfo): void {
    this.place(qp, 'active');
    qp.enqueued = this.now();
    qp.seq = ++this.seq;
    const w = this.waiters.shift();
    if (w) {
      w(this.markInFlight(qp));
      return;
    }
    this.activeQ.push(qp);
  }

  private toBackoff(qp: QueuedPodInfo): void {
    this.place(qp, 'backoff');
    qp.from = 'backoff';
    qp.enqueued = this.now();
    qp.seq = ++this.seq;
    this.backoffQ.push(qp);
  }

  /** Put a just-popped pod back untouched (the scheduler was paused meanwhile). */
  unpop(qp: QueuedPodInfo): void {
    if (this.pods.get(qp.key) !== qp || qp.where !== 'in-flight') return;
    qp.attempts--;
    this.place(qp, 'active');
    this.activeQ.push(qp);
  }

  /** The pod's attempt is over (bound, or gone). */
  done(key: string): void {
    const qp = this.pods.get(key);
    if (qp && qp.where === 'in-flight') this.pods.delete(key);
  }

  /** No node fit: wait for a relevant event, unless one already came during the attempt. */
  addUnschedulable(qp: QueuedPodInfo, rejectors: Set<string>): void {
    if (this.pods.get(qp.key) !== qp) return; // deleted meanwhile
    qp.unschedulablePlugins = rejectors;
    qp.lastFailure = this.now();
    if (this.moveRequestCycle >= qp.cycle) {
      this.toBackoff(qp);
      return;
    }
    this.place(qp, 'unschedulable');
    qp.from = 'unschedulable';
    qp.enqueued = this.now();
  }

  /** An error (not a verdict): retry after backoff. */
  addBackoff(qp: QueuedPodInfo): void {
    if (this.pods.get(qp.key) !== qp) return;
    qp.unschedulablePlugins = new Set();
    qp.lastFailure = this.now();
    this.toBackoff(qp);
  }

  private moveOut(qp: QueuedPodInfo): void {
    if (this.backoffExpiry(qp) > this.now()) this.toBackoff(qp);
    else this.toActive(qp);
  }

  /**
   * A cluster event: unschedulable pods whose rejecting plugins care about it go back to
   * activeQ (or backoffQ while their backoff runs). `interested(plugin)` lists a plugin's events.
   */
  moveAllToActiveOrBackoff(event: ClusterEventKind, interested: (plugin: string) => readonly string[] | undefined): number {
    this.moveRequestCycle = this.schedulingCycle;
    let moved = 0;
    for (const qp of [...this.unschedulablePods]) {
      const relevant = qp.unschedulablePlugins.size === 0 || [...qp.unschedulablePlugins].some((p) => interested(p)?.includes(event));
      if (!relevant) continue;
      this.moveOut(qp);
      moved++;
    }
    return moved;
  }

  flushBackoffCompleted(): void {
    const now = this.now();
    for (;;) {
      const qp = this.backoffQ.peek();
      if (!qp) return;
      if (this.pods.get(qp.key) !== qp || qp.where !== 'backoff') {
        this.backoffQ.pop();
        continue;
      }
      if (this.backoffExpiry(qp) > now) return;
      this.backoffQ.pop();
      this.toActive(qp);
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const qp of [...this.unschedulablePods]) {
      if (now - qp.enqueued >= this.unschedulableTimeoutMs) {
        this.moveOut(qp);
      }
    }
  }
}
