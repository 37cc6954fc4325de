// The Job controller's arithmetic (upstream pkg/controller/job), as pure functions.
import type { JobSpec } from 'kubernetes-types/batch/v1';

export interface JobCounts {
  active: number;
  succeeded: number;
  failed: number;
}

export interface JobVerdict {
  /** pods to start now (0 while backing off) */
  create: number;
  /** active pods to remove (finished job, suspended, or too many running) */
  deleteActive: number;
  /** set when the job has ended */
  finished?: { type: 'Complete' | 'Failed'; reason: string; message: string };
  /** wait this long before the next pod after a failure */
  backoffMs?: number;
}

/** upstream: 10 s doubling per failure, capped at 6 minutes */
export function failureBackoffMs(failures: number, baseMs = 10_000, maxMs = 360_000): number {
  if (failures <= 0) return 0;
  return Math.min(baseMs * 2 ** (failures - 1), maxMs);
}

/**
 * What a sync should do. `startMs` is status.startTime, `lastFailureMs` when the newest pod failure happened.
 */
export function jobDecision(
  spec: JobSpec,
  c: JobCounts,
  nowMs: number,
  startMs: number | undefined,
  lastFailureMs?: number,
  backoffBaseMs = 10_000,
): JobVerdict {
  const parallelism = spec.parallelism ?? 1;
  const completions = spec.completions;
  const backoffLimit = spec.backoffLimit ?? 6;
  if (c.failed > backoffLimit) {
    return {
      create: 0,
      deleteActive: c.active,
      finished: { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
    };
  }
  if (spec.activeDeadlineSeconds !== undefined && startMs !== undefined && nowMs - startMs >= spec.activeDeadlineSeconds * 1000) {
    return {
      create: 0,
      deleteActive: c.active,
      finished: { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' },
    };
  }
  const complete = completions !== undefined && completions !== null ? c.succeeded >= completions : c.succeeded > 0 && c.active === 0;
  if (complete)
    return {
      create: 0,
      deleteActive: c.active,
      finished: { type: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
    };
  if (spec.suspend) return { create: 0, deleteActive: c.active };
  let want: number;
  if (completions !== undefined && completions !== null) want = Math.min(parallelism, completions - c.succeeded);
  else want = c.succeeded > 0 ? 0 : parallelism; // work-queue mode: once one succeeded, start no more
  if (c.active > want) return { create: 0, deleteActive: c.active - want };
  const create = want - c.active;
  if (create > 0 && c.failed > 0 && lastFailureMs !== undefined) {
    const wait = lastFailureMs + failureBackoffMs(c.failed, backoffBaseMs) - nowMs;
    if (wait > 0) return { create: 0, deleteActive: 0, backoffMs: wait };
  }
  return { create, deleteActive: 0 };
}
