// Job controller (upstream pkg/controller/job): runs pods to `completions` with `parallelism`,
// retries failures with back-off up to backoffLimit, honours activeDeadlineSeconds and ttlSecondsAfterFinished.
import type { Job, JobCondition } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
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
import { isPodReady } from '../common/pods';
import { jobDecision } from './job-decisions';

const log = logger('job-controller');
type J = Job & KubeObject;
type P = Pod & KubeObject;

const finishedCondition = (j: Job) => j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
const podFinishedAt = (p: Pod) => {
  const t = p.status?.containerStatuses
    ?.map((c) => c.state?.terminated?.finishedAt)
    .filter(Boolean)
    .sort()
    .at(-1);
  return t ? new Date(t).getTime() : p.metadata?.creationTimestamp ? new Date(p.metadata.creationTimestamp).getTime() : 0;
};

export class JobController implements Controller {
  readonly name = 'job';
  private queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 60_000 });
  private expectations = new Expectations();
  private recorder: EventRecorder;
  private jobInf;
  private podInf;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly backoffBaseMs = 10_000,
  ) {
    this.recorder = new EventRecorder(ctx.client, { component: 'job-controller' });
    this.jobInf = ctx.informers.for<J>(R.jobs);
    this.podInf = ctx.informers.for<P>(R.pods);
  }

  init(): void {
    this.jobInf.addHandlers({
      add: (j) => this.queue.add(objectKey(j)),
      update: (_o, j) => this.queue.add(objectKey(j)),
      delete: (j) => this.expectations.delete(objectKey(j)),
    });
    this.podInf.addHandlers(ownedObjectHandlers<J, P>({ owners: this.jobInf, kind: 'Job', queue: this.queue, expectations: this.expectations }));
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
    const job = this.jobInf.get(key);
    if (!job || job.metadata.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const nowMs = Date.now();
    const done = finishedCondition(job);
    if (done) return this.ttl(job, nowMs);
    if (!this.expectations.satisfied(key)) return;
    // adopts orphans the selector matches (a Job with manualSelector) and releases pods relabelled away
    const pods = await new ControllerRefManager(this.ctx.client, job, R.jobs, job.spec?.selector).claim(R.pods, this.podInf.list(namespace));
    const active = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    const counts = {
      active: active.length,
      succeeded: Math.max(succeeded, job.status?.succeeded ?? 0),
      failed: Math.max(failedPods.length, job.status?.failed ?? 0),
    };
    const startTime = job.status?.startTime ?? new Date(nowMs).toISOString();
    const lastFailure = failedPods.length ? Math.max(...failedPods.map(podFinishedAt)) : undefined;
    const v = jobDecision(job.spec!, counts, nowMs, new Date(startTime).getTime(), lastFailure, this.backoffBaseMs);

    if (v.create > 0) {
      this.expectations.expect(key, v.create);
      const results = await Promise.allSettled(Array.from({ length: v.create }, (_x, i) => this.createPod(job, counts, i)));
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      for (let i = 0; i < failed.length; i++) this.expectations.creationFailed(key);
      if (failed.length) void this.recorder.warning(job, 'FailedCreate', `Error creating: ${errMessage(failed[0].reason)}`);
      counts.active += v.create - failed.length;
    }
    if (v.deleteActive > 0) {
      await allOrThrow(
        active.slice(0, v.deleteActive).map(async (p) => {
          const deleted = await unlessGone(this.ctx.client.delete(R.pods, p.metadata.name!, { namespace, preconditions: { uid: p.metadata.uid } }));
          if (deleted && !v.finished) void this.recorder.normal(job, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        }),
      );
      if (v.finished) counts.active = 0;
    }
    if (v.backoffMs) this.queue.addAfter(key, v.backoffMs + 10);
    if (job.spec?.activeDeadlineSeconds !== undefined && !v.finished) {
      this.queue.addAfter(key, Math.max(0, new Date(startTime).getTime() + job.spec.activeDeadlineSeconds * 1000 - nowMs) + 10);
    }

    const conditions: JobCondition[] = [...(job.status?.conditions ?? [])];
    const status: Record<string, unknown> = {
      ...(job.status ?? {}),
      startTime,
      active: counts.active || undefined,
      succeeded: counts.succeeded || undefined,
      failed: counts.failed || undefined,
      ready: active.filter(isPodReady).length,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    if (v.finished) {
      const t = new Date(nowMs).toISOString();
      // upstream 1.31+: SuccessCriteriaMet / FailureTarget first, then Complete / Failed
      const pre = v.finished.type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
      conditions.push({ type: pre, status: 'True', reason: v.finished.reason, message: v.finished.message, lastProbeTime: t, lastTransitionTime: t });
      conditions.push({
        type: v.finished.type,
        status: 'True',
        reason: v.finished.reason,
        message: v.finished.message,
        lastProbeTime: t,
        lastTransitionTime: t,
      });
      if (v.finished.type === 'Complete') {
        status.completionTime = t;
        void this.recorder.normal(job, 'Completed', 'Job completed');
      } else {
        void this.recorder.warning(job, v.finished.reason, v.finished.message);
      }
      status.active = undefined;
      status.ready = 0;
      log.info('job finished', { job: key, as: v.finished.type, reason: v.finished.reason });
      if (job.spec?.ttlSecondsAfterFinished !== undefined) this.queue.addAfter(key, job.spec.ttlSecondsAfterFinished * 1000 + 10);
    }
    if (conditions.length) status.conditions = conditions;
    if (canonicalJSON(job.status ?? {}) === canonicalJSON(status)) return;
    try {
      await this.ctx.client.update(R.jobs, { ...job, status } as KubeObject, { namespace, subresource: 'status' });
    } catch (e) {
      if (isStatusError(e, 'Conflict'))
        this.queue.addRateLimited(key); // let the watch bring the newer object first
      else if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  private async ttl(job: J, nowMs: number): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined) return;
    const c = finishedCondition(job)!;
    const at = new Date(job.status?.completionTime ?? c.lastTransitionTime ?? nowMs).getTime() + ttl * 1000;
    if (at > nowMs) {
      this.queue.addAfter(objectKey(job), at - nowMs + 10);
      return;
    }
    log.info('ttlSecondsAfterFinished reached: deleting job', { job: objectKey(job) });
    await unlessGone(
      this.ctx.client.delete(R.jobs, job.metadata.name!, {
        namespace: job.metadata.namespace,
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid },
      }),
    );
  }

  private async createPod(job: J, counts: { active: number; succeeded: number }, i: number): Promise<void> {
    const t = job.spec!.template;
    const name = generateName(job.metadata.name!);
    const labels = {
      ...(t.metadata?.labels ?? {}),
      'batch.kubernetes.io/controller-uid': job.metadata.uid!,
      'batch.kubernetes.io/job-name': job.metadata.name!,
      'controller-uid': job.metadata.uid!,
      'job-name': job.metadata.name!,
    };
    const start = nowISO();
    const pod = await this.ctx.client.create<P>(
      R.pods,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          generateName: `${job.metadata.name}-`,
          namespace: job.metadata.namespace,
          labels,
          annotations: t.metadata?.annotations,
          ownerReferences: [newControllerRef(job, R.jobs)],
        },
        spec: structuredClone(t.spec),
      },
      { namespace: job.metadata.namespace },
    );
    void this.recorder.normal(job, 'SuccessfulCreate', `Created pod: ${name}`);
    const completions = job.spec?.completions;
    this.ctx.tracer.record(
      { namespace: pod.metadata.namespace!, name, uid: pod.metadata.uid },
      {
        component: 'controller-manager',
        action: 'job-create-pod',
        start,
        end: nowISO(),
        outcome: 'success',
        message: `Job ${objectKey(job)}: completions ${completions ?? 'unset'}, parallelism ${job.spec?.parallelism ?? 1}, succeeded ${counts.succeeded}, active ${counts.active + i} -> create`,
        details: { controller: 'job', job: job.metadata.name, succeeded: counts.succeeded, active: counts.active + i },
      },
    );
  }
}
