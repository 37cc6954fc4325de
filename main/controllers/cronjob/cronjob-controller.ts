// CronJob controller (upstream pkg/controller/cronjob, v2): creates a Job `<cronjob>-<minutes since epoch>`
// at each scheduled time, honouring concurrencyPolicy, suspend, startingDeadlineSeconds and history limits.
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
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
import { newControllerRef } from '../common/controller-ref-manager';
import { parseSchedule, type Schedule } from '../../api/cron-schedule';
import { scheduleDecision } from './cronjob-decisions';

const log = logger('cronjob-controller');
type CJ = CronJob & KubeObject;
type J = Job & KubeObject;

const finished = (j: Job) => j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  private queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 60_000 });
  private recorder: EventRecorder;
  private cjInf;
  private jobInf;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = new EventRecorder(ctx.client, { component: 'cronjob-controller' });
    this.cjInf = ctx.informers.for<CJ>(R.cronjobs);
    this.jobInf = ctx.informers.for<J>(R.jobs);
  }

  init(): void {
    this.cjInf.addHandlers({ add: (c) => this.queue.add(objectKey(c)), update: (_o, c) => this.queue.add(objectKey(c)) });
    const onJob = (j: J) => {
      const ref = controllerOf(j);
      if (ref?.kind === 'CronJob') this.queue.add(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobInf.addHandlers({ add: onJob, update: (_o, j) => onJob(j), delete: onJob });
  }

  run(): void {
    void this.queue.run(
      (k) => this.sync(k),
      1,
      (key, err) => log.warn('sync failed', { key, error: errMessage(err) }),
    );
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(key: string): Promise<void> {
    const cj = this.cjInf.get(key);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const ns = cj.metadata.namespace!;
    const jobs = this.jobInf.list(ns).filter((j) => controllerOf(j)?.uid === cj.metadata.uid);
    const active = jobs.filter((j) => !finished(j) && !j.metadata.deletionTimestamp);
    let schedule: Schedule;
    try {
      schedule = parseSchedule(cj.spec!.schedule, cj.spec?.timeZone);
    } catch (e) {
      // upstream's two events: a time zone this process cannot load, or a schedule it cannot parse
      if (cj.spec?.timeZone != null && /time ?zone/i.test(errMessage(e)))
        void this.recorder.warning(cj, 'UnknownTimeZone', `invalid timeZone: "${cj.spec.timeZone}": ${errMessage(e)}`);
      else void this.recorder.warning(cj, 'UnparseableSchedule', `unparseable schedule: "${cj.spec?.schedule}" : ${errMessage(e)}`);
      return;
    }
    const now = new Date();
    let lastScheduleTime = cj.status?.lastScheduleTime;
    const { due, late, next } = scheduleDecision(schedule, cj.spec ?? {}, cj.status, cj.metadata.creationTimestamp, now);
    if (due && !late) {
      const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
      if (policy === 'Forbid' && active.length > 0) {
        log.info('skipping run: a job is still active', { cronjob: key });
      } else {
        if (policy === 'Replace') {
          // a job that cannot be deleted fails the sync (retried with backoff) before a new one starts beside it
          await allOrThrow(
            active.map(async (j) => {
              if (
                await unlessGone(
                  this.ctx.client.delete(R.jobs, j.metadata.name!, { namespace: ns, propagationPolicy: 'Background', preconditions: { uid: j.metadata.uid } }),
                )
              ) {
                void this.recorder.normal(cj, 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
              }
            }),
          );
        }
        const name = `${cj.metadata.name}-${Math.floor(due.getTime() / 60_000)}`;
        const t = cj.spec!.jobTemplate;
        try {
          await this.ctx.client.create(
            R.jobs,
            {
              apiVersion: 'batch/v1',
              kind: 'Job',
              metadata: {
                name,
                namespace: ns,
                labels: { ...(t.metadata?.labels ?? {}) },
                annotations: { ...(t.metadata?.annotations ?? {}), 'batch.kubernetes.io/cronjob-scheduled-timestamp': due.toISOString() },
                ownerReferences: [newControllerRef(cj, R.cronjobs)],
              },
              spec: structuredClone(t.spec),
            },
            { namespace: ns },
          );
          void this.recorder.normal(cj, 'SuccessfulCreate', `Created job ${name}`);
        } catch (e) {
          if (!isStatusError(e, 'AlreadyExists')) throw e;
        }
        lastScheduleTime = due.toISOString();
      }
    } else if (due && late) {
      lastScheduleTime = due.toISOString();
      void this.recorder.warning(cj, 'MissSchedule', `Missed scheduled time to start a job: ${due.toISOString()}`);
    }
    // history limits: oldest finished jobs beyond the limits go
    for (const [kind, limit] of [
      ['Complete', cj.spec?.successfulJobsHistoryLimit ?? 3],
      ['Failed', cj.spec?.failedJobsHistoryLimit ?? 1],
    ] as const) {
      const done = jobs
        .filter((j) => finished(j) === kind)
        .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
      await allOrThrow(
        done
          .slice(0, Math.max(0, done.length - limit))
          .map((j) =>
            unlessGone(
              this.ctx.client.delete(R.jobs, j.metadata.name!, { namespace: ns, propagationPolicy: 'Background', preconditions: { uid: j.metadata.uid } }),
            ),
          ),
      );
    }
    const successTimes = jobs
      .filter((j) => finished(j) === 'Complete')
      .map((j) => j.status?.completionTime)
      .filter(Boolean)
      .sort();
    const status = {
      ...(cj.status ?? {}),
      active: active.length
        ? active.map((j) => ({ kind: 'Job', apiVersion: 'batch/v1', name: j.metadata.name, namespace: ns, uid: j.metadata.uid }))
        : undefined,
      lastScheduleTime,
      lastSuccessfulTime: successTimes.at(-1) ?? cj.status?.lastSuccessfulTime,
    };
    if (canonicalJSON(cj.status ?? {}) !== canonicalJSON(status)) {
      await this.ctx.client.update(R.cronjobs, { ...cj, status } as KubeObject, { namespace: ns, subresource: 'status' }).catch((e) => {
        if (isStatusError(e, 'Conflict'))
          this.queue.addRateLimited(key); // let the watch bring the newer object first
        else if (!isStatusError(e, 'NotFound')) throw e;
      });
    }
    if (next) this.queue.addAfter(key, Math.min(next.getTime() - now.getTime() + 50, 2 ** 31 - 1));
  }
}
