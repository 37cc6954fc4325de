// Columns for a kind without hand-made ones: the server's Table (what `kubectl get` prints), cells looked up by
// object, Age computed live from creationTimestamp as the other lists do. Pure.
import type { ResourceTable } from '../../main/bridge/contract';
import { age } from '../../main/api/pod-status';
import type { Column } from './kinds';

type Meta = { metadata?: { name?: string; namespace?: string; creationTimestamp?: unknown } };
const key = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export function serverColumns(table: ResourceTable | undefined, namespaced: boolean): Column[] {
  const cells = new Map((table?.rows ?? []).map((r) => [key(r.namespace, r.name), r.cells]));
  const of = (o: Meta, i: number) => {
    const v = cells.get(key(o.metadata?.namespace, o.metadata?.name ?? ''))?.[i];
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  const ts = (o: Meta) => Date.parse(String(o.metadata?.creationTimestamp ?? '')) || 0;
  const out: Column[] = [];
  (table?.columns ?? []).forEach((c, i) => {
    if (c.priority !== 0) return;
    const id = c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (c.format === 'name') {
      out.push({ id: 'name', label: 'name', width: 'minmax(220px, 2.2fr)', value: (o) => o.metadata?.name ?? '' });
      if (namespaced) out.push({ id: 'namespace', label: 'namespace', width: 'minmax(110px, .9fr)', value: (o) => o.metadata?.namespace ?? '' });
    } else if (c.name === 'Age') {
      out.push({
        id: 'age',
        label: 'age',
        width: '80px',
        value: (o, now) => age(o.metadata?.creationTimestamp as string | undefined, now),
        sort: (o) => -ts(o),
      });
    } else {
      const num = c.type === 'integer' || c.type === 'number';
      out.push({
        id: `srv-${id}`,
        label: id,
        title: c.name,
        description: c.description,
        width: num ? '100px' : 'minmax(120px, 1fr)',
        value: (o) => of(o, i),
        ...(num ? { sort: (o: Meta) => Number(of(o, i)) || 0 } : {}),
        mono: c.format === 'date' || /IP|Ports?|Schedule/i.test(c.name),
      });
    }
  });
  if (!out.some((c) => c.id === 'name')) out.unshift({ id: 'name', label: 'name', width: 'minmax(220px, 2.2fr)', value: (o) => o.metadata?.name ?? '' });
  return out;
}
