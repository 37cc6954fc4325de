// The resource kinds the workspace lists. Which kinds exist, their scope and verbs come from the server's discovery
// (stores/discovery.ts); identity of the kinds the app itself needs comes from the lab's one table (client R). Columns
// here are hand-made where they add value (kubectl's printers computed live); every other kind shows the server's Table.
import { shallowRef } from 'vue';
import type { AnyObject } from './objects';
import type { ApiResourceInfo, ResourceRef } from '../../main/bridge/contract';
import { R } from '../../main/client/types';
import { age, podStatusCells, podWideCells } from '../../main/api/pod-status';
import { servicePortsText } from './service';
import { formatDiscoveryEndpoints, formatDiscoveryPorts } from '../../main/apiserver/registry/endpointslices-format';

import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { ConfigMap, Endpoints, Event, Namespace, Node, Pod, Secret, Service } from 'kubernetes-types/core/v1';
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Job } from 'kubernetes-types/batch/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';

/** What every object has; each kind's columns read its own fields, typed by kubernetes-types. */
type Meta = { metadata?: ObjectMeta };

export type ChipTone = 'ok' | 'warn' | 'err' | 'info' | 'neutral';

export interface Column<T extends Meta = AnyObject> {
  id: string;
  /** i18n key under `col.` */
  label: string;
  /** a header the server named (Table columns): shown as is */
  title?: string;
  description?: string;
  width: string;
  value(o: T, now: Date): string;
  /** sort key; defaults to value */
  sort?(o: T): string | number;
  chip?: boolean;
  mono?: boolean;
}

export interface KindDef {
  /** route segment and i18n key under `nav.` (the plural; `plural.group` where two groups share it) */
  id: string;
  kind: string;
  ref: ResourceRef;
  namespaced: boolean;
  /** what discovery says the server allows: no `update`, the YAML is read-only */
  verbs: string[];
  singular?: string;
  shortNames?: string[];
  /** hand-made columns; absent: the server's Table columns */
  columns?: Column[];
  /** has a hand-made detail view beyond the generic one */
  detail?: boolean;
}

const ts = (o: Meta) => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;
const name: Column<Meta> = { id: 'name', label: 'name', width: 'minmax(220px, 2.2fr)', value: (o) => o.metadata?.name ?? '' };
const ns: Column<Meta> = { id: 'namespace', label: 'namespace', width: 'minmax(110px, .9fr)', value: (o) => o.metadata?.namespace ?? '' };
const ageCol: Column<Meta> = { id: 'age', label: 'age', width: '80px', value: (o, now) => age(o.metadata?.creationTimestamp, now), sort: (o) => -ts(o) };
const num = <T extends Meta>(id: string, label: string, f: (o: T) => number | undefined, width = '100px'): Column<T> => ({
  id,
  label,
  width,
  value: (o) => String(f(o) ?? 0),
  sort: (o) => f(o) ?? 0,
});
const ratio = <T extends Meta>(id: string, label: string, a: (o: T) => number | undefined, b: (o: T) => number | undefined): Column<T> => ({
  id,
  label,
  width: '90px',
  value: (o) => `${a(o) ?? 0}/${b(o) ?? 0}`,
  sort: (o) => (a(o) ?? 0) - (b(o) ?? 0),
});

export const podStatus = (o: Pod, now = new Date()) => podStatusCells(o, now);
/** One kind's columns, each reading that kind's typed fields. */
const of = <T extends Meta>(cols: Column<T>[]): Column[] => cols as unknown as Column[];

/** Colored chip tone for kubectl's STATUS strings. */
export function statusTone(s: string): ChipTone {
  if (/^(Running|Completed|Succeeded|Active|Ready|Bound|True|Normal|Complete)$/.test(s)) return 'ok';
  if (/^(Pending|ContainerCreating|PodInitializing|Init:\d+\/\d+|Terminating|NotReady|Unknown|SchedulingDisabled|Ready,SchedulingDisabled)$/.test(s))
    return 'warn';
  if (/(Err|BackOff|Failed|Error|OOMKilled|Evicted|Invalid|Warning|NotReady|Unschedulable|False|Init:(?!\d))/.test(s)) return 'err';
  return 'neutral';
}

export function nodeStatus(n: Node): string {
  const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
  let s = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  if (n.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function endpointsText(o: Endpoints): string {
  const out: string[] = [];
  for (const s of o.subsets ?? [])
    for (const a of s.addresses ?? []) for (const p of s.ports ?? [{ port: undefined }]) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  if (!out.length) return '<none>';
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',');
}

function jobDuration(o: Job, now: Date): string {
  const s = Date.parse(o.status?.startTime ?? '');
  if (!s) return '';
  const e = Date.parse(o.status?.completionTime ?? '') || now.getTime();
  return age(new Date(s).toISOString(), new Date(e));
}

const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const ident = (t: { group: string; version: string; resource: string; kind: string; namespaced: boolean }) => ({
  kind: t.kind,
  namespaced: t.namespaced,
  verbs: ALL_VERBS,
  ref: { group: t.group, version: t.version, resource: t.resource, kind: t.kind, namespaced: t.namespaced },
});

/** Kinds with hand-made columns, by id (their identity from R; the server's verbs fill in once discovery answered). */
const HAND: KindDef[] = [
  {
    id: 'pods',
    ...ident(R.pods),
    detail: true,
    columns: of<Pod>([
      name,
      ns,
      { id: 'ready', label: 'ready', width: '70px', value: (o) => podStatus(o).ready },
      { id: 'status', label: 'status', width: 'minmax(180px, 1.1fr)', value: (o, now) => podStatus(o, now).status, chip: true },
      { id: 'restarts', label: 'restarts', width: '110px', value: (o, now) => podStatus(o, now).restarts, sort: (o) => podStatus(o).restartCount },
      ageCol,
      { id: 'ip', label: 'ip', width: '120px', value: (o) => podWideCells(o)[0], mono: true },
      { id: 'node', label: 'node', width: 'minmax(100px, .9fr)', value: (o) => podWideCells(o)[1] },
    ]),
  },
  {
    id: 'deployments',
    ...ident(R.deployments),
    detail: true,
    columns: of<Deployment>([
      name,
      ns,
      ratio(
        'ready',
        'ready',
        (o) => o.status?.readyReplicas,
        (o) => o.spec?.replicas,
      ),
      num('upToDate', 'upToDate', (o) => o.status?.updatedReplicas),
      num('available', 'available', (o) => o.status?.availableReplicas),
      ageCol,
    ]),
  },
  {
    id: 'replicasets',
    ...ident(R.replicasets),
    columns: of<ReplicaSet>([
      name,
      ns,
      num('desired', 'desired', (o) => o.spec?.replicas),
      num('current', 'current', (o) => o.status?.replicas),
      num('ready', 'ready', (o) => o.status?.readyReplicas),
      ageCol,
    ]),
  },
  {
    id: 'daemonsets',
    ...ident(R.daemonsets),
    columns: of<DaemonSet>([
      name,
      ns,
      num('desired', 'desired', (o) => o.status?.desiredNumberScheduled),
      num('current', 'current', (o) => o.status?.currentNumberScheduled),
      num('ready', 'ready', (o) => o.status?.numberReady),
      num('upToDate', 'upToDate', (o) => o.status?.updatedNumberScheduled),
      ageCol,
    ]),
  },
  {
    id: 'jobs',
    ...ident(R.jobs),
    columns: of<Job>([
      name,
      ns,
      {
        id: 'status',
        label: 'status',
        width: '120px',
        chip: true,
        value: (o) => {
          const c = (o.status?.conditions ?? []).find((x) => x.status === 'True' && (x.type === 'Complete' || x.type === 'Failed'));
          return c ? (c.type === 'Complete' ? 'Complete' : 'Failed') : 'Running';
        },
      },
      ratio(
        'completions',
        'completions',
        (o) => o.status?.succeeded,
        (o) => o.spec?.completions ?? 1,
      ),
      { id: 'duration', label: 'duration', width: '90px', value: (o, now) => jobDuration(o, now) },
      ageCol,
    ]),
  },
  {
    id: 'services',
    ...ident(R.services),
    columns: of<Service>([
      name,
      ns,
      { id: 'type', label: 'type', width: '110px', value: (o) => o.spec?.type ?? 'ClusterIP' },
      { id: 'clusterIP', label: 'clusterIP', width: '130px', value: (o) => o.spec?.clusterIP ?? '<none>', mono: true },
      { id: 'ports', label: 'ports', width: 'minmax(120px, 1fr)', value: servicePortsText, mono: true },
      ageCol,
    ]),
  },
  {
    id: 'endpoints',
    ...ident(R.endpoints),
    columns: of<Endpoints>([name, ns, { id: 'endpoints', label: 'endpoints', width: 'minmax(200px, 2fr)', value: endpointsText, mono: true }, ageCol]),
  },
  {
    id: 'endpointslices',
    ...ident(R.endpointslices),
    columns: of<EndpointSlice>([
      name,
      ns,
      { id: 'addressType', label: 'addressType', width: '120px', value: (o) => o.addressType ?? '' },
      { id: 'ports', label: 'ports', width: '110px', value: (o) => formatDiscoveryPorts(o.ports), mono: true },
      { id: 'endpoints', label: 'endpoints', width: 'minmax(200px, 2fr)', value: (o) => formatDiscoveryEndpoints(o.endpoints), mono: true },
      ageCol,
    ]),
  },
  {
    id: 'configmaps',
    ...ident(R.configmaps),
    columns: of<ConfigMap>([name, ns, num('data', 'data', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length), ageCol]),
  },
  {
    id: 'secrets',
    ...ident(R.secrets),
    columns: of<Secret>([
      name,
      ns,
      { id: 'type', label: 'type', width: 'minmax(160px, 1fr)', value: (o) => o.type ?? 'Opaque' },
      num('data', 'data', (o) => Object.keys(o.data ?? {}).length),
      ageCol,
    ]),
  },
  {
    id: 'namespaces',
    ...ident(R.namespaces),
    columns: of<Namespace>([name, { id: 'status', label: 'status', width: '120px', value: (o) => o.status?.phase ?? 'Active', chip: true }, ageCol]),
  },
  {
    id: 'nodes',
    ...ident(R.nodes),
    detail: true,
    columns: of<Node>([
      name,
      { id: 'status', label: 'status', width: 'minmax(140px, 1fr)', value: nodeStatus, chip: true },
      {
        id: 'roles',
        label: 'roles',
        width: '110px',
        value: (o) =>
          Object.keys(o.metadata?.labels ?? {})
            .filter((k) => k.startsWith('node-role.kubernetes.io/'))
            .map((k) => k.split('/')[1])
            .join(',') || '<none>',
      },
      ageCol,
      { id: 'version', label: 'version', width: '110px', value: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
    ]),
  },
  {
    id: 'events',
    ...ident(R.events),
    columns: of<Event>([
      {
        id: 'lastSeen',
        label: 'lastSeen',
        width: '90px',
        value: (o, now) => age(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp, now),
        sort: (o) => -(Date.parse(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp ?? '') || 0),
      },
      { id: 'type', label: 'type', width: '90px', value: (o) => o.type ?? 'Normal', chip: true },
      { id: 'reason', label: 'reason', width: '150px', value: (o) => o.reason ?? '' },
      {
        id: 'object',
        label: 'object',
        width: 'minmax(160px, 1fr)',
        value: (o) => `${(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`,
      },
      { id: 'message', label: 'message', width: 'minmax(240px, 3fr)', value: (o) => o.message ?? '' },
    ]),
  },
];

export const PODTRACES_REF: ResourceRef = { ...R.podtraces };

const handByRef = new Map(HAND.map((k) => [`${k.ref.group}/${k.ref.resource}`, k]));

/** Discovery -> the kinds the workspace lists: every resource that can be listed and watched, hand-made columns merged in. */
export function kindsFromDiscovery(resources: ApiResourceInfo[]): KindDef[] {
  const listable = resources.filter((r) => !r.resource.includes('/') && r.verbs.includes('list') && r.verbs.includes('watch'));
  const plurals = new Map<string, number>();
  for (const r of listable) plurals.set(r.resource, (plurals.get(r.resource) ?? 0) + 1);
  return listable.map((r) => {
    const hand = handByRef.get(`${r.group}/${r.resource}`);
    const id = (plurals.get(r.resource) ?? 0) > 1 && r.group ? `${r.resource}.${r.group}` : r.resource;
    return {
      ...(hand ?? {}),
      id,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: r.verbs,
      singular: r.singular,
      shortNames: r.shortNames,
      ref: { group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced },
    };
  });
}

/** The kinds the workspace knows: the hand-made ones until discovery answers, then what the server serves. */
export const kinds = shallowRef<KindDef[]>(HAND);
export function setDiscovered(resources: ApiResourceInfo[]): void {
  const found = kindsFromDiscovery(resources);
  if (found.length) kinds.value = found;
}

export const kindById = (id: string) => kinds.value.find((k) => k.id === id);
export const kindByKind = (kind: string, apiVersion?: string) =>
  kinds.value.find((k) => k.kind === kind && (!apiVersion || apiVersion === (k.ref.group ? `${k.ref.group}/${k.ref.version}` : k.ref.version)));
export const editable = (k: KindDef) => k.verbs.includes('update');

/** Sidebar sections: where Lens and Headlamp put each kind; a kind nobody placed goes under its API group. */
const SECTION: Record<string, string> = {
  pods: 'workloads',
  deployments: 'workloads',
  replicasets: 'workloads',
  statefulsets: 'workloads',
  daemonsets: 'workloads',
  jobs: 'workloads',
  cronjobs: 'workloads',
  controllerrevisions: 'workloads',
  services: 'network',
  endpoints: 'network',
  endpointslices: 'network',
  ingresses: 'network',
  networkpolicies: 'network',
  configmaps: 'config',
  secrets: 'config',
  resourcequotas: 'config',
  limitranges: 'config',
  leases: 'config',
  horizontalpodautoscalers: 'config',
  poddisruptionbudgets: 'config',
  serviceaccounts: 'access',
  roles: 'access',
  clusterroles: 'access',
  rolebindings: 'access',
  clusterrolebindings: 'access',
  nodes: 'cluster',
  namespaces: 'cluster',
  events: 'cluster',
  podtraces: 'lab',
};
const SECTION_ORDER = ['workloads', 'network', 'config', 'access', 'cluster', 'lab'];
const ORDER = Object.keys(SECTION);

export function sidebarSections(list: KindDef[]): { title: string; group?: string; items: KindDef[] }[] {
  const out = new Map<string, { title: string; group?: string; items: KindDef[] }>();
  for (const title of SECTION_ORDER) out.set(title, { title, items: [] });
  for (const k of list) {
    const title = SECTION[k.id] ?? `group:${k.ref.group || 'core'}`;
    if (!out.has(title)) out.set(title, { title, group: k.ref.group || 'core', items: [] });
    out.get(title)!.items.push(k);
  }
  const rank = (k: KindDef) => (ORDER.includes(k.id) ? ORDER.indexOf(k.id) : ORDER.length);
  return [...out.values()]
    .filter((s) => s.items.length)
    .map((s) => ({ ...s, items: s.items.sort((a, b) => rank(a) - rank(b) || a.kind.localeCompare(b.kind)) }));
}

export const objKey = (o: AnyObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? ''));
