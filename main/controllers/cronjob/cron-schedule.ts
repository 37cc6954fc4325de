// Standard 5-field cron schedules (minute hour day-of-month month day-of-week), as CronJobs use them.
const ranges: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
const macros: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const names: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};

export interface Schedule {
  fields: Array<Set<number>>;
  /** day-of-month and day-of-week both restricted: either may match (cron's rule) */
  domStar: boolean;
  dowStar: boolean;
}

function value(s: string, field: number): number {
  const n = names[s.toLowerCase()] ?? Number(s);
  if (!Number.isInteger(n)) throw new Error(`invalid value "${s}"`);
  return field === 4 && n === 7 ? 0 : n;
}

/** Throws with a reason for an invalid schedule. */
export function parseSchedule(spec: string): Schedule {
  const text = macros[spec.trim()] ?? spec.trim().replace(/^TZ=\S+\s+/, '');
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: "${spec}"`);
  const fields = parts.map((p, i) => {
    const [lo, hi] = ranges[i];
    const set = new Set<number>();
    for (const item of p.split(',')) {
      const [rangePart, stepPart] = item.split('/');
      const step = stepPart ? Number(stepPart) : 1;
      if (!Number.isInteger(step) || step < 1) throw new Error(`invalid step in "${item}"`);
      let a: number;
      let b: number;
      if (rangePart === '*' || rangePart === '?') [a, b] = [lo, hi];
      else if (rangePart.includes('-')) [a, b] = rangePart.split('-').map((x) => value(x, i)) as [number, number];
      else { a = value(rangePart, i); b = stepPart ? hi : a; }
      if (a < lo || b > hi || a > b) throw new Error(`value out of range in "${item}"`);
      for (let v = a; v <= b; v += step) set.add(v);
    }
    return set;
  });
  return { fields, domStar: parts[2] === '*' || parts[2] === '?', dowStar: parts[4] === '*' || parts[4] === '?' };
}

function matches(s: Schedule, d: Date): boolean {
  const [min, hour, dom, mon, dow] = s.fields;
  if (!min.has(d.getUTCMinutes()) || !hour.has(d.getUTCHours()) || !mon.has(d.getUTCMonth() + 1)) return false;
  const domOk = dom.has(d.getUTCDate());
  const dowOk = dow.has(d.getUTCDay());
  if (!s.domStar && !s.dowStar) return domOk || dowOk;
  return domOk && dowOk;
}

/** The first scheduled time strictly after `after` (UTC, whole minutes), within about 5 years. */
export function nextAfter(s: Schedule, after: Date): Date | undefined {
  const d = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  for (let i = 0; i < 60 * 24 * 366 * 5; i++) {
    if (matches(s, d)) return d;
    d.setTime(d.getTime() + 60_000);
  }
  return undefined;
}

/** The most recent scheduled time in (since, now], if any: the one a CronJob should run now. */
export function mostRecentDue(s: Schedule, since: Date, now: Date): Date | undefined {
  let t = nextAfter(s, since);
  let last: Date | undefined;
  let n = 0;
  while (t && t.getTime() <= now.getTime() && n++ < 1000) {
    last = t;
    t = nextAfter(s, t);
  }
  return last;
}
