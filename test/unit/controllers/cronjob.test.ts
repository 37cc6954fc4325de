import { afterEach, describe, expect, it } from 'vitest';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { mostRecentDue, nextAfter, parseSchedule } from '../../../main/controllers/cronjob/cron-schedule';
import { R } from '../../../main/client/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually } from './fake-api';

setLogLevel('error');

describe('cron schedules', () => {
  const at = (s: string) => new Date(s);
  it.each([
    ['*/5 * * * *', '2026-01-01T10:03:00Z', '2026-01-01T10:05:00.000Z'],
    ['0 * * * *', '2026-01-01T10:03:00Z', '2026-01-01T11:00:00.000Z'],
    ['30 2 * * mon', '2026-01-01T00:00:00Z', '2026-01-05T02:30:00.000Z'], // 2026-01-01 is a Thursday
    ['@daily', '2026-01-01T10:03:00Z', '2026-01-02T00:00:00.000Z'],
    ['0 0 1,15 * *', '2026-01-02T00:00:00Z', '2026-01-15T00:00:00.000Z'],
    ['0 9-17/4 * * *', '2026-01-01T10:00:00Z', '2026-01-01T13:00:00.000Z'],
  ])('%s after %s is %s', (spec, after, want) => expect(nextAfter(parseSchedule(spec), at(after))!.toISOString()).toBe(want));

  it.each([['* * * *'], ['61 * * * *'], ['*/0 * * * *'], ['a b c d e']])('refuses %s', (spec) => expect(() => parseSchedule(spec)).toThrow());

  it('mostRecentDue picks the latest missed time, or none', () => {
    const s = parseSchedule('*/10 * * * *');
    expect(mostRecentDue(s, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:35:00Z'))!.toISOString()).toBe('2026-01-01T10:30:00.000Z');
    expect(mostRecentDue(s, at('2026-01-01T10:30:00Z'), at('2026-01-01T10:35:00Z'))).toBeUndefined();
  });
});

let cm: ControllerManager | undefined;
afterEach(() => cm?.stop());

describe('CronJob controller (fake API)', () => {
  it('creates the Job due now, named <cronjob>-<minutes>, owned by the CronJob, and records lastScheduleTime', async () => {
    const api = new FakeApi();
    const cj = await api.create<CronJob & KubeObject>(R.cronjobs, {
      metadata: { name: 'tick', namespace: 'default' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    });
    const twoMinAgo = new Date(Date.now() - 120_000).toISOString();
    await api.update(R.cronjobs, { ...cj, status: { lastScheduleTime: twoMinAgo } } as KubeObject, { subresource: 'status', namespace: 'default' });
    cm = new ControllerManager({ client: api, options: { controllers: ['cronjob'] } });
    await cm.start();
    const job = await eventually(() => api.all<Job & KubeObject>(R.jobs, 'default')[0], 3000, 'a job');
    const minute = Math.floor(Date.now() / 60_000);
    expect(job.metadata.name).toMatch(/^tick-\d+$/);
    expect(Math.abs(Number(job.metadata.name!.slice(5)) - minute)).toBeLessThanOrEqual(1);
    expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    const s = await eventually(async () => (await api.get<CronJob & KubeObject>(R.cronjobs, 'tick', 'default')).status?.active?.length === 1 && (await api.get<CronJob & KubeObject>(R.cronjobs, 'tick', 'default')).status, 3000, 'status');
    expect(new Date(s.lastScheduleTime!).getTime()).toBeGreaterThan(new Date(twoMinAgo).getTime());
    // one Job per scheduled minute, never two for the same one (a minute may tick over during the test)
    const names = api.all(R.jobs, 'default').map((j) => j.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThanOrEqual(2);
  });
});
