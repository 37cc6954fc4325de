import { afterEach, describe, expect, it } from 'vitest';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { mostRecentDue, parseSchedule, timeZoneError } from '../../../main/api/cron-schedule';
import { scheduleDecision } from '../../../main/controllers/cronjob/cronjob-decisions';
import { R } from '../../../main/client/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually } from './fake-api';

setLogLevel('error');

describe('cron schedules', () => {
  const at = (s: string) => new Date(s);
  it.each([
    ['*/5 * * * *', 'UTC', '2026-01-01T10:03:00Z', '2026-01-01T10:05:00.000Z'],
    ['*/5 * * * *', 'UTC', '2026-01-01T10:05:00Z', '2026-01-01T10:10:00.000Z'],
    ['0 * * * *', 'UTC', '2026-01-01T10:03:00Z', '2026-01-01T11:00:00.000Z'],
    ['30 2 * * mon', 'UTC', '2026-01-01T00:00:00Z', '2026-01-05T02:30:00.000Z'], // 2026-01-01 is a Thursday
    ['@daily', 'UTC', '2026-01-01T10:03:00Z', '2026-01-02T00:00:00.000Z'],
    ['0 0 1,15 * *', 'UTC', '2026-01-02T00:00:00Z', '2026-01-15T00:00:00.000Z'],
    ['0 0 1,15 * mon', 'UTC', '2026-01-02T00:00:00Z', '2026-01-05T00:00:00.000Z'], // both day fields: either matches
    ['0 9-17/4 * * *', 'UTC', '2026-01-01T10:00:00Z', '2026-01-01T13:00:00.000Z'],
    // spec.timeZone: 09:00 in New York is 14:00 UTC in winter, 13:00 in summer
    ['0 9 * * *', 'America/New_York', '2026-01-10T00:00:00Z', '2026-01-10T14:00:00.000Z'],
    ['0 9 * * *', 'America/New_York', '2026-07-10T00:00:00Z', '2026-07-10T13:00:00.000Z'],
    ['0 9 * * *', 'Asia/Kolkata', '2026-01-10T00:00:00Z', '2026-01-10T03:30:00.000Z'],
    // @every: from the last run, whole seconds
    ['@every 5m', undefined, '2026-01-01T10:03:20.700Z', '2026-01-01T10:08:20.000Z'],
    ['@every 1h30m', undefined, '2026-01-01T10:00:00Z', '2026-01-01T11:30:00.000Z'],
    ['@every 1.5s', undefined, '2026-01-01T10:00:00Z', '2026-01-01T10:00:01.000Z'],
  ])('%s in %s after %s is %s', (spec, tz, after, want) => expect(parseSchedule(spec, tz).next(at(after))!.toISOString()).toBe(want));

  it.each([
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['a b c d e', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['@every 5x', 'failed to parse duration @every 5x'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
  ])('refuses %s: %s', (spec, msg) => expect(() => parseSchedule(spec, 'UTC')).toThrow(msg));

  it.each([
    ['Europe/Berlin', ''],
    ['UTC', ''],
    ['Mars/Olympus_Mons', 'unknown time zone Mars/Olympus_Mons'],
    ['Local', 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
    ['', 'timeZone must be nil or non-empty string'],
  ])('time zone %j: %j', (tz, want) => expect(timeZoneError(tz)).toBe(want));

  it('mostRecentDue picks the latest missed time, or none', () => {
    const s = parseSchedule('*/10 * * * *', 'UTC');
    expect(mostRecentDue(s, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:35:00Z'))!.toISOString()).toBe('2026-01-01T10:30:00.000Z');
    expect(mostRecentDue(s, at('2026-01-01T10:30:00Z'), at('2026-01-01T10:35:00Z'))).toBeUndefined();
  });
});

// the controller's timing, with the clock given: a row per case
describe('scheduleDecision', () => {
  const now = new Date('2026-03-09T14:02:30Z');
  const iso = (d?: Date) => d?.toISOString();
  it.each([
    [
      '@every 5m, 6 minutes since the last run: due',
      '@every 5m',
      undefined,
      {},
      '2026-03-09T13:56:30Z',
      { due: '2026-03-09T14:01:30.000Z', late: false, next: '2026-03-09T14:07:30.000Z' },
    ],
    ['@every 5m, 2 minutes since: not yet', '@every 5m', undefined, {}, '2026-03-09T14:00:30Z', { next: '2026-03-09T14:07:30.000Z' }],
    [
      '09:00 New York (13:00 UTC after the DST change of 2026-03-08), last run yesterday: due',
      '0 9 * * *',
      'America/New_York',
      {},
      '2026-03-08T13:00:00Z',
      { due: '2026-03-09T13:00:00.000Z', late: false, next: '2026-03-10T13:00:00.000Z' },
    ],
    [
      'startingDeadlineSeconds 60, due an hour ago: late',
      '0 9 * * *',
      'America/New_York',
      { startingDeadlineSeconds: 60 },
      '2026-03-08T13:00:00Z',
      { due: '2026-03-09T13:00:00.000Z', late: true, next: '2026-03-10T13:00:00.000Z' },
    ],
    ['suspended: nothing due', '* * * * *', 'UTC', { suspend: true }, '2026-03-09T13:00:00Z', { next: '2026-03-09T14:03:00.000Z' }],
  ] as const)('%s', (_n, spec, tz, cjSpec, last, want) => {
    const d = scheduleDecision(parseSchedule(spec, tz), cjSpec, { lastScheduleTime: last }, undefined, now);
    expect({ due: iso(d.due), late: d.due ? d.late : undefined, next: iso(d.next) }).toEqual({ due: undefined, late: undefined, ...want });
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
    const s = await eventually(
      async () =>
        (await api.get<CronJob & KubeObject>(R.cronjobs, 'tick', 'default')).status?.active?.length === 1 &&
        (await api.get<CronJob & KubeObject>(R.cronjobs, 'tick', 'default')).status,
      3000,
      'status',
    );
    expect(new Date(s.lastScheduleTime!).getTime()).toBeGreaterThan(new Date(twoMinAgo).getTime());
    // one Job per scheduled minute, never two for the same one (a minute may tick over during the test)
    const names = api.all(R.jobs, 'default').map((j) => j.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThanOrEqual(2);
  });

  it('runs an @every schedule (which validation accepts) and one with a timeZone', async () => {
    const api = new FakeApi();
    const tpl = { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    const ago = new Date(Date.now() - 90_000).toISOString();
    for (const [name, spec] of [
      ['every', { schedule: '@every 1m' }],
      ['zoned', { schedule: '* * * * *', timeZone: 'Asia/Kolkata' }],
    ] as const) {
      const cj = await api.create<CronJob & KubeObject>(R.cronjobs, { metadata: { name, namespace: 'default' }, spec: { ...spec, jobTemplate: tpl } });
      await api.update(R.cronjobs, { ...cj, status: { lastScheduleTime: ago } } as KubeObject, { subresource: 'status', namespace: 'default' });
    }
    cm = new ControllerManager({ client: api, options: { controllers: ['cronjob'] } });
    await cm.start();
    await eventually(
      () => ['every', 'zoned'].every((n) => api.all<Job & KubeObject>(R.jobs, 'default').some((j) => j.metadata.ownerReferences?.[0]?.name === n)),
      3000,
      'a job of each',
    );
  });
});
