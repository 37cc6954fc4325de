// Search, label-selector filtering and sorting for the resource lists: pure, so they are table-tested.
import type { KubeObject } from '../../main/api/object';

type Req = { key: string; op: 'eq' | 'neq' | 'exists' | 'notexists' | 'in' | 'notin'; values: string[] };

/** Parses the equality- and set-based selector syntax kubectl accepts (`app=web,tier!=db,env in (a,b),!legacy`). */
export function parseSelector(sel: string): Req[] | Error {
  const out: Req[] = [];
  const parts = sel.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) out.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) });
    else if ((m = p.match(/^([\w./-]+)\s*!=\s*([\w.-]*)$/))) out.push({ key: m[1], op: 'neq', values: [m[2]] });
    else if ((m = p.match(/^([\w./-]+)\s*==?\s*([\w.-]*)$/))) out.push({ key: m[1], op: 'eq', values: [m[2]] });
    else if ((m = p.match(/^!([\w./-]+)$/))) out.push({ key: m[1], op: 'notexists', values: [] });
    else if ((m = p.match(/^([\w./-]+)$/))) out.push({ key: m[1], op: 'exists', values: [] });
    else return new Error(`unable to parse requirement: ${p}`);
  }
  return out;
}

export function matchesSelector(labels: Record<string, string> | undefined, reqs: Req[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'eq': return has && l[r.key] === r.values[0];
      case 'neq': return !has || l[r.key] !== r.values[0];
      case 'exists': return has;
      case 'notexists': return !has;
      case 'in': return has && r.values.includes(l[r.key]);
      case 'notin': return !has || !r.values.includes(l[r.key]);
    }
  });
}

export interface ListFilter {
  namespace?: string;
  search?: string;
  labelSelector?: string;
}

export function filterObjects<T extends KubeObject>(items: T[], f: ListFilter): T[] {
  const sel = f.labelSelector?.trim() ? parseSelector(f.labelSelector) : [];
  const reqs = sel instanceof Error ? [] : sel;
  const needle = f.search?.trim().toLowerCase();
  return items.filter((o) =>
    (!f.namespace || o.metadata.namespace === f.namespace || !o.metadata.namespace) &&
    (!needle || (o.metadata.name ?? '').toLowerCase().includes(needle)) &&
    matchesSelector(o.metadata.labels, reqs));
}

/** A key whose plain string order is natural order (web-2 before web-10), case folded. A thousand rows sort with
 *  these about 10x faster than with Intl.Collator, and a watched list re-sorts on every frame that brings changes. */
export function naturalKey(s: string): string {
  return s.toLowerCase().replace(/\d+/g, (d) => d.padStart(20, '0'));
}

/** Sorts by key, each key computed once (a sort calls its comparator ~n log n times). */
export function sortBy<T>(items: T[], key: (o: T) => string | number, dir: 1 | -1): T[] {
  const keyed = items.map((o) => {
    const k = key(o);
    return { o, k: typeof k === 'number' ? k : naturalKey(String(k)) };
  });
  keyed.sort((a, b) => {
    const x = a.k;
    const y = b.k;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
    return c * dir;
  });
  return keyed.map((e) => e.o);
}
