// Keeps each pod's flow as a PodTrace object (lab.kubelab.io/v1), written through the API like any
// other object: owned by its pod (the garbage collector deletes it with the pod), watchable, durable.
// Steps arrive from every component through `record`; writes are batched per pod so a busy pod
// costs one API write per flush, not one per step.
import type { KubeObject } from '../api/object';
import type { Client } from '../client/types';
import { R } from '../client/types';
import { logger } from '../log';
import type { PodRef, Tracer, TraceStep } from './types';

const log = logger('trace');

/** The identity the recorder writes as; the podtraces strategy refuses writes from anyone else. */
export const TRACER_USER = 'system:kubelab:tracer';

/** Most steps a trace keeps; later steps replace the oldest `info` steps first. */
export const MAX_STEPS = 400;

export interface PodTrace extends KubeObject {
  apiVersion: 'lab.kubelab.io/v1';
  kind: 'PodTrace';
  steps: TraceStep[];
  /** steps dropped to stay under MAX_STEPS */
  droppedSteps?: number;
}

interface Pending {
  ref: PodRef;
  steps: TraceStep[];
  timer?: NodeJS.Timeout;
  writing?: Promise<void>;
}

export class TraceRecorder implements Tracer {
  private client?: Client;
  private pending = new Map<string, Pending>();
  private closed = false;

  constructor(private readonly flushDelayMs = 100) {}

  /** The client is created after the API server, which itself records through this tracer. */
  attach(client: Client): void {
    this.client = client;
    for (const p of this.pending.values()) this.schedule(p);
  }

  record(pod: PodRef, step: TraceStep): void {
    if (this.closed) return;
    const key = `${pod.namespace}/${pod.name}`;
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { ref: { ...pod }, steps: [] }));
    // A new uid means a new pod of the same name: its flow starts over.
    if (pod.uid && p.ref.uid && pod.uid !== p.ref.uid) p.steps = [];
    if (pod.uid) p.ref.uid = pod.uid;
    p.steps.push(step);
    this.schedule(p);
  }

  /** Write everything pending now (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()].map((p) => this.write(p)));
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
  }

  private forget(p: Pending): void {
    const key = `${p.ref.namespace}/${p.ref.name}`;
    if (this.pending.get(key) === p) this.pending.delete(key);
  }

  private schedule(p: Pending): void {
    if (!this.client || p.timer || p.steps.length === 0) return;
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.write(p);
    }, this.flushDelayMs);
    p.timer.unref?.();
  }

  private async write(p: Pending): Promise<void> {
    if (p.writing) await p.writing;
    if (!this.client || p.steps.length === 0) return;
    if (!p.ref.uid && Date.now() - Date.parse(p.steps[0].start) > 60_000) {
      // a create that never stored a pod (refused by admission or validation): nothing to attach the steps to
      this.forget(p);
      return;
    }
    const steps = p.steps.splice(0);
    p.writing = this.append(p.ref, steps)
      .catch((err) => {
        // The pod may not exist yet (steps before the store write) or any more: keep the steps only in the first case.
        if (p.ref.uid === undefined) p.steps.unshift(...steps);
        log.debug('trace not written', { pod: `${p.ref.namespace}/${p.ref.name}`, error: String(err) });
      })
      .finally(() => {
        p.writing = undefined;
        if (p.steps.length === 0 && p.ref.uid) this.forget(p);
        else this.schedule(p);
      });
    await p.writing;
  }

  private async append(ref: PodRef, steps: TraceStep[]): Promise<void> {
    const client = this.client!;
    if (!ref.uid) throw new Error('pod uid not known yet');
    for (let attempt = 0; attempt < 5; attempt++) {
      let existing: PodTrace | undefined;
      try {
        existing = await client.get<PodTrace>(R.podtraces, ref.name, ref.namespace);
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
      if (existing && existing.metadata.ownerReferences?.[0]?.uid !== ref.uid) {
        // left over from an earlier pod of the same name
        await client.delete(R.podtraces, ref.name, { namespace: ref.namespace }).catch(() => {});
        existing = undefined;
      }
      const merged = mergeSteps(existing?.steps ?? [], steps);
      const body: PodTrace = {
        apiVersion: 'lab.kubelab.io/v1',
        kind: 'PodTrace',
        metadata: existing
          ? { ...existing.metadata }
          : {
              name: ref.name,
              namespace: ref.namespace,
              ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: ref.name, uid: ref.uid, controller: true, blockOwnerDeletion: false }],
            },
        steps: merged.steps,
        droppedSteps: (existing?.droppedSteps ?? 0) + merged.dropped,
      };
      try {
        if (existing) await client.update(R.podtraces, body, { namespace: ref.namespace });
        else await client.create(R.podtraces, body, { namespace: ref.namespace });
        return;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code !== 409) throw err; // conflict or already exists: read again and retry
      }
    }
  }
}

/** Steps in order of start time (stable), bounded: the oldest `info` steps go first, then the oldest of any kind. */
export function mergeSteps(existing: TraceStep[], added: TraceStep[]): { steps: TraceStep[]; dropped: number } {
  const all = [...existing, ...added].map((s, i) => ({ s, i }));
  all.sort((a, b) => (a.s.start < b.s.start ? -1 : a.s.start > b.s.start ? 1 : a.i - b.i));
  let steps = all.map((x) => x.s);
  let dropped = 0;
  while (steps.length > MAX_STEPS) {
    const idx = steps.findIndex((s) => s.outcome === 'info');
    steps = steps.filter((_, i) => i !== (idx >= 0 ? idx : 0));
    dropped++;
  }
  return { steps, dropped };
}
