// CronJob schedules as upstream reads them (robfig/cron's ParseStandard: 5 fields, names, steps, the @yearly family,
// `@every <duration>`), in a CronJob's spec.timeZone. The validator and the controller both parse here, so a schedule
// the API accepts is one the controller runs; croner computes the times (in any IANA zone), the messages are upstream's.
import { Cron } from 'croner';

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const fieldRanges: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];
const names: Record<number, string[]> = {
  3: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  4: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
};

export interface Schedule {
  /** the first scheduled time strictly after `after`, if any */
  next(after: Date): Date | undefined;
}

/** Go's time.ParseDuration units, in milliseconds */
const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration: `5m`, `1h30m`, `1.5h`; undefined if it is not one */
function parseDuration(s: string): number | undefined {
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(m[1]) * units[m[2]];
  return ms;
}

/** robfig's ConstantDelaySchedule: every `delay`, whole seconds (at least one), from the last run */
function every(delayMs: number): Schedule {
  const delay = Math.max(1000, delayMs - (delayMs % 1000));
  return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + delay) };
}

/** The robfig/cron error for a 5-field expression, or '' */
function fieldsError(fields: string[]): string {
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    const [lo, hi] = fieldRanges[i];
    for (const part of fields[i].split(',')) {
      const [range, step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step)) return `failed to parse int from ${step}: strconv.Atoi: parsing "${step}": invalid syntax`;
      if (step !== undefined && Number(step) === 0) return `step of range should be a positive number: ${part}`;
      if (range === '*' || range === '?') continue;
      const ends = range.split('-');
      if (ends.length > 2) return `too many hyphens: ${range}`;
      const values: number[] = [];
      for (const v of ends) {
        const named = (names[i] ?? []).indexOf(v.toLowerCase());
        if (!/^\d+$/.test(v) && named < 0) return `failed to parse int from ${v}: strconv.Atoi: parsing "${v}": invalid syntax`;
        const n = /^\d+$/.test(v) ? Number(v) : named + (i === 3 ? 1 : 0);
        values.push(n);
        if (n < lo) return `beginning of range (${n}) below minimum (${lo}): ${range}`;
        if (n > hi) return `end of range (${n}) above maximum (${hi}): ${range}`;
      }
      if (values.length === 2 && values[0] > values[1]) return `beginning of range (${values[0]}) beyond end of range (${values[1]}): ${range}`;
    }
  }
  return '';
}

/** upstream's validateTimeZone: the message for a spec.timeZone Go's time.LoadLocation would refuse, or '' */
export function timeZoneError(tz: string): string {
  if (tz === '') return 'timeZone must be nil or non-empty string';
  if (tz.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return '';
  } catch {
    return `unknown time zone ${tz}`;
  }
}

/**
 * Parses a CronJob schedule; throws an Error with robfig/cron's message. Times are in `timeZone` (an IANA name) or,
 * without one, in the lab process's own zone, as upstream's in the kube-controller-manager's.
 */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  let s = spec.trim();
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    // robfig honours a leading TZ=; validation refuses it for CronJobs, the controller still reads it as upstream's does
    const i = s.indexOf(' ');
    timeZone ??= s.slice(s.indexOf('=') + 1, i < 0 ? undefined : i);
    s = i < 0 ? '' : s.slice(i + 1).trim();
  }
  if (timeZone !== undefined) {
    const tzErr = timeZoneError(timeZone);
    if (tzErr) throw new Error(tzErr);
  }
  if (s.startsWith('@every ')) {
    const d = parseDuration(s.slice('@every '.length).trim());
    if (d === undefined) throw new Error(`failed to parse duration ${s}`);
    return every(d);
  }
  if (s.startsWith('@')) {
    if (!descriptors[s]) throw new Error(`unrecognized descriptor: ${s}`);
    s = descriptors[s];
  }
  const fields = s.split(/\s+/).filter(Boolean);
  const err = fieldsError(fields);
  if (err) throw new Error(err);
  // `?` is robfig's `*`; croner treats both day fields as OR when both are restricted, as cron (and robfig) do
  const cron = new Cron(fields.map((f) => f.replace(/^\?$/, '*')).join(' '), { timezone: timeZone, paused: true });
  return { next: (after) => cron.nextRun(after) ?? undefined };
}

/** The validator's view: robfig's error text for a schedule, or '' */
export function cronScheduleError(spec: string): string {
  try {
    // the zone is the timeZone field's to judge; here only the expression
    parseSchedule(spec.trim().replace(/^(CRON_)?TZ=\S+\s*/, ''), 'UTC');
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** The most recent scheduled time in (since, now], if any: the one a CronJob should run now (upstream's mostRecentScheduleTime). */
export function mostRecentDue(s: Schedule, since: Date, now: Date): Date | undefined {
  let t = s.next(since);
  let last: Date | undefined;
  let n = 0;
  // upstream gives up counting past 100 missed runs and takes the latest; so does this, cheaply
  while (t && t.getTime() <= now.getTime() && n++ < 100_000) {
    last = t;
    t = s.next(t);
  }
  return last;
}
