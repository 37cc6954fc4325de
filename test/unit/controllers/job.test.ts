import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { failureBackoffMs, jobDecision } from '../../../main/controllers/job/job-decisions';
import { R } from '../../../main/client/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually } from './fake-api';

setLogLevel('error');

describe('jobDecision', () => {
  const c = (active: number, succeeded: number, failed: number) => ({ active, succeeded, failed });
  it.each([
    ['starts parallelism pods', { completions: 5, parallelism: 2 }, c(0, 0, 0), { create: 2, deleteActive: 0 }],
    ['never more than the completions left', { completions: 5, parallelism: 3 }, c(0, 4, 0), { create: 1, deleteActive: 0 }],
    [
      'complete at completions',
      { completions: 2 },
      c(0, 2, 0),
      { create: 0, deleteActive: 0, finished: { type: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' } },
    ],
    [
      'work queue mode: one success and none active completes',
      { parallelism: 2 },
      c(0, 1, 0),
      { create: 0, deleteActive: 0, finished: { type: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' } },
    ],
    [
      'fails past backoffLimit, removing active pods',
      { completions: 3, parallelism: 2, backoffLimit: 1 },
      c(1, 0, 2),
      { create: 0, deleteActive: 1, finished: { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' } },
    ],
    ['suspended: stops active pods', { completions: 3, suspend: true }, c(2, 0, 0), { create: 0, deleteActive: 2 }],
  ] as const)('%s', (_n, spec, counts, want) => expect(jobDecision({ template: {}, ...spec }, counts, 0, 0)).toEqual(want));

  it('fails at activeDeadlineSeconds', () => {
    expect(jobDecision({ template: {}, activeDeadlineSeconds: 5 }, c(1, 0, 0), 5000, 0).finished).toEqual({
      type: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    expect(jobDecision({ template: {}, activeDeadlineSeconds: 5 }, c(1, 0, 0), 4999, 0).finished).toBeUndefined();
  });

  it('backs off after failures: 10 s, 20 s, 40 s ... capped at 6 min', () => {
    expect([1, 2, 3, 10].map((n) => failureBackoffMs(n))).toEqual([10_000, 20_000, 40_000, 360_000]);
    expect(jobDecision({ template: {}, backoffLimit: 6 }, c(0, 0, 1), 5_000, 0, 0)).toEqual({ create: 0, deleteActive: 0, backoffMs: 5_000 });
    expect(jobDecision({ template: {}, backoffLimit: 6 }, c(0, 0, 1), 10_000, 0, 0)).toEqual({ create: 1, deleteActive: 0 });
  });
});

/** a fake kubelet that runs every pod to completion: Failed when its `outcome` label says so */
async function runToCompletion(api: FakeApi): Promise<() => void> {
  const w = await api.watch(R.pods, {}, (ev) => {
    if (ev.type !== 'ADDED') return;
    const p = ev.object as Pod & KubeObject;
    const failed = p.metadata.labels?.outcome === 'fail';
    setTimeout(
      () =>
        void api
          .patch(
            R.pods,
            p.metadata.name!,
            'application/merge-patch+json',
            {
              status: {
                phase: failed ? 'Failed' : 'Succeeded',
                containerStatuses: [{ name: 'c', state: { terminated: { exitCode: failed ? 1 : 0, finishedAt: new Date().toISOString() } } }],
              },
            },
            { namespace: p.metadata.namespace },
          )
          .catch(() => {}),
      5,
    );
  });
  return () => w.stop();
}

let cm: ControllerManager | undefined;
let stop: (() => void) | undefined;
afterEach(() => {
  cm?.stop();
  stop?.();
});

// the API server would generate a controller-uid selector; the fake API does not default, so the Job names its pods'
// job-name label (which the controller puts on every pod it creates), as a Job with manualSelector would
const job = (name: string, spec: Partial<Job['spec']>, outcome = 'ok') => ({
  metadata: { name, namespace: 'default' },
  spec: {
    manualSelector: true,
    selector: { matchLabels: { 'batch.kubernetes.io/job-name': name } },
    template: { metadata: { labels: { outcome } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
});

describe('Job controller (fake API)', () => {
  it('runs 3 completions 2 at a time, then Complete with completionTime; ttlSecondsAfterFinished deletes it', async () => {
    const api = new FakeApi();
    stop = await runToCompletion(api);
    cm = new ControllerManager({ client: api, options: { controllers: ['job', 'garbagecollector'] } });
    await cm.start();
    await api.create(R.jobs, job('pi', { completions: 3, parallelism: 2, ttlSecondsAfterFinished: 1 }));
    const j = await eventually(
      async () => {
        const x = await api.get<Job & KubeObject>(R.jobs, 'pi', 'default');
        return x.status?.conditions?.some((c) => c.type === 'Complete') && x;
      },
      5000,
      'Complete',
    );
    expect(j.status).toMatchObject({ succeeded: 3 });
    expect(j.status!.completionTime).toBeTruthy();
    expect(j.status!.conditions!.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    const pods = api.all<Pod & KubeObject>(R.pods, 'default');
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => /^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(p.metadata.name!) && p.metadata.labels!['job-name'] === 'pi')).toBe(true);
    await eventually(() => api.all(R.jobs, 'default').length === 0 && api.all(R.pods, 'default').length === 0, 5000, 'ttl cleanup');
  });

  it('fails with BackoffLimitExceeded after backoffLimit + 1 failed pods', async () => {
    const api = new FakeApi();
    stop = await runToCompletion(api);
    cm = new ControllerManager({ client: api, options: { controllers: ['job'], jobBackoffBaseMs: 20 } });
    await cm.start();
    await api.create(R.jobs, job('bad', { backoffLimit: 2 }, 'fail'));
    const j = await eventually(
      async () => {
        const x = await api.get<Job & KubeObject>(R.jobs, 'bad', 'default');
        return x.status?.conditions?.some((c) => c.type === 'Failed') && x;
      },
      5000,
      'Failed',
    );
    expect(j.status!.failed).toBe(3);
    expect(j.status!.conditions!.find((c) => c.type === 'Failed')).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(api.all(R.pods, 'default')).toHaveLength(3);
  });
});
