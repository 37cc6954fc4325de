// Search, label-selector filtering and sorting for the resource lists: pure, so they are table-tested.
import type { AnyObject } from './objects';
import { matchesLabels, parseLabelSelector, type LabelRequirement } from '../../main/api/selectors';

/** The selector syntax kubectl accepts (`app=web,tier!=db,env in (a,b),!legacy`), parsed by the API server's own
 *  parser (main/api/selectors.ts), so the list filters as `kubectl get -l` does; an Error carries upstream's message. */
export function parseSelector(sel: string): LabelRequirement[] | Error {
  try {
    return parseLabelSelector(sel);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

export interface ListFilter {
  namespace?: string;
  search?: string;
  labelSelector?: string;
}

export function filterObjects<T extends AnyObject>(items: T[], f: ListFilter): T[] {
  const sel = f.labelSelector?.trim() ? parseSelector(f.labelSelector) : [];
  const reqs = sel instanceof Error ? [] : sel;
  const needle = f.search?.trim().toLowerCase();
  return items.filter(
    (o) =>
      (!f.namespace || o.metadata.namespace === f.namespace || !o.metadata.namespace) &&
      (!needle || (o.metadata.name ?? '').toLowerCase().includes(needle)) &&
      matchesLabels(reqs, o.metadata.labels),
  );
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
