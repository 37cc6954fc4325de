// Pieces every strategy shares: verbs, the NAME and AGE columns, generation bumps, status handling.
import type { KubeObject } from '../../api/object';
import { age } from '../../api/pod-status';
import { deepEqual } from '../../api/validation';
import type { TableColumn } from './types';

export type Obj = Record<string, any>;

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const col = (name: string, type: string, description: string, priority: 0 | 1 = 0, format?: string): TableColumn => ({
  name,
  type,
  ...(format ? { format } : {}),
  description,
  priority,
});

export const nameColumn = col(
  'Name',
  'string',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  0,
  'name',
);
export const ageColumn = col(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations.',
);

export const ageOf = (obj: KubeObject, now: Date) => age(obj.metadata.creationTimestamp as string | undefined, now);

/** `<none>` for empty cells, as kubectl prints them */
export const orNone = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : v);

/** label selector as labels.Selector.String() prints it: requirements sorted by key, `app=web,tier in (a,b)`; empty: '' */
export function formatSelector(sel: Obj | undefined): string {
  if (!sel) return '';
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') reqs.push([e.key, `${e.key} in (${vals})`]);
    else if (e.operator === 'NotIn') reqs.push([e.key, `${e.key} notin (${vals})`]);
    else if (e.operator === 'Exists') reqs.push([e.key, e.key]);
    else if (e.operator === 'DoesNotExist') reqs.push([e.key, `!${e.key}`]);
  }
  return reqs
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => r)
    .join(',');
}

/** metav1.FormatLabelSelector: `<none>` when empty */
export const formatLabelSelector = (sel: Obj | undefined) => formatSelector(sel) || '<none>';

/** The -o wide trio of every workload with a pod template (deployments, replicasets, daemonsets, jobs, cronjobs). */
export const templateWideColumns = (selectorDescription = 'Label selector for pods.'): TableColumn[] => [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
  col('Selector', 'string', selectorDescription, 1),
];

/** Its cells from the spec holding `template` and `selector`; upstream's apps printers leave an empty selector '', batch's print `<none>`. */
export const templateWideCells = (spec: Obj | undefined, emptySelector: '' | '<none>' = ''): [string, string, string] => [
  ...containerCells(spec?.template?.spec),
  formatSelector(spec?.selector) || emptySelector,
];

/** the CONTAINERS and IMAGES cells of -o wide */
export function containerCells(podSpec: Obj | undefined): [string, string] {
  const cs: Obj[] = podSpec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

/** RFC 3339 in UTC without fractions, as Go's time.RFC3339 */
export const rfc3339 = (ts: unknown) => (typeof ts === 'string' && ts ? new Date(ts).toISOString().replace(/\.\d+Z$/, 'Z') : '<unknown>');

/** map selector (services, nodeSelector) as `k=v,k2=v2`, sorted */
export const formatLabels = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length
    ? Object.keys(m)
        .sort()
        .map((k) => `${k}=${m[k]}`)
        .join(',')
    : '<none>';

/** Create: status is the system's to set. */
export function dropStatus(obj: KubeObject): void {
  delete obj.status;
}

/** Workloads: generation 1 on create; spec changes bump it; the main resource never writes status. */
export function workloadPrepareForCreate(obj: KubeObject): void {
  obj.status = {};
  (obj.metadata as Obj).generation = 1;
}

/** Call after defaulting the new object, as upstream decodes with defaults before comparing specs. */
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
