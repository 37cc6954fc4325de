// When a CronJob runs (pure, given the clock): upstream's syncCronJob timing, from getMostRecentScheduleTime and
// nextScheduleTime in pkg/controller/cronjob/utils.go.
import type { CronJobSpec, CronJobStatus } from 'kubernetes-types/batch/v1';
import { mostRecentDue, type Schedule } from '../../api/cron-schedule';

export interface ScheduleDecision {
  /** the most recent scheduled time not yet run, if one has come */
  due?: Date;
  /** that time is more than startingDeadlineSeconds ago: missed, not run */
  late?: boolean;
  /** when to look again */
  next?: Date;
}

export function scheduleDecision(
  schedule: Schedule,
  spec: Pick<CronJobSpec, 'suspend' | 'startingDeadlineSeconds'>,
  status: CronJobStatus | undefined,
  createdAt: string | undefined,
  now: Date,
): ScheduleDecision {
  const since = new Date(status?.lastScheduleTime ?? createdAt ?? now.toISOString());
  const next = schedule.next(now);
  if (spec.suspend) return { next };
  const due = mostRecentDue(schedule, since, now);
  if (!due) return { next };
  const late = spec.startingDeadlineSeconds != null && now.getTime() - due.getTime() > spec.startingDeadlineSeconds * 1000;
  return { due, late, next };
}
