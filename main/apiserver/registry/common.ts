// Pieces every strategy shares: verbs, the NAME and AGE columns, generation bumps, status handling.
import type { KubeObject } from '../../api/object';
import { age } from '../../api/pod-status';
import { deepEqual } from '../../api/validation';
import type { TableColumn } from './types';

export type Obj = Record<string, any>;

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const col = (name: string, type: string, description: string, priority: 0 | 1 = 0, format?: string): TableColumn =>
  ({ name, type, ...(format ? { format } : {}), description, priority });

export const nameColumn = col('Name', 'string', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.', 0, 'name');
export const ageColumn = col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations.');

export const ageOf = (obj: KubeObject, now: Date) => age(obj.metadata.creationTimestamp as string | undefined, now);

/** `<none>` for empty cells, as kubectl prints them */
export const orNone = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : v);

/** label selector as kubectl prints it: `app=web,tier in (a,b)` */
export function formatSelector(sel: Obj | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

/** map selector (services, nodeSelector) as `k=v,k2=v2`, sorted */
export const formatLabels = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length ? Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',') : '<none>';

/** Create: status is the system's to set. */
export function dropStatus(obj: KubeObject): void {
  delete obj.status;
}

/** Workloads: generation 1 on create; spec changes bump it; the main resource never writes status. */
export function workloadPrepareForCreate(obj: KubeObject): void {
  obj.status = {};
  (obj.metadata as Obj).generation = 1;
}

export function workloadPrepareForUpdate(obj: KubeObject, old: KubeObject): void {
  obj.status = old.status;
  const oldGen = old.metadata.generation ?? 1;
  (obj.metadata as Obj).generation = deepEqual(obj.spec, old.spec) ? oldGen : oldGen + 1;
}

/** Status subresource: spec (and other top-level fields) come from the stored object. */
export function keepSpec(obj: KubeObject, old: KubeObject): void {
  for (const k of Object.keys(obj)) if (k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') delete obj[k];
  for (const k of Object.keys(old)) if (k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') obj[k] = structuredClone(old[k]);
  (obj.metadata as Obj).generation = old.metadata.generation;
  if (old.metadata.deletionTimestamp) (obj.metadata as Obj).deletionTimestamp = old.metadata.deletionTimestamp;
}

/** Main-resource update: status comes from the stored object. */
export function keepStatus(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = structuredClone(old.status);
}

export const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
