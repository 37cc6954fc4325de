// The resource kinds the workspace lists: how to reach each, and its columns as `kubectl get` prints them.
import type { KubeObject } from '../../main/api/object';
import type { ResourceRef } from '../../main/bridge/contract';
import { age, podStatusCells, podWideCells } from '../../main/api/pod-status';
import { servicePortsText } from './service';
import { formatDiscoveryEndpoints, formatDiscoveryPorts } from '../../main/apiserver/registry/endpointslices-format';

type Obj = Record<string, any>;

export type ChipTone = 'ok' | 'warn' | 'err' | 'info' | 'neutral';

export interface Column {
  id: string;
  /** i18n key under `col.` */
  label: string;
  width: string;
  value(o: Obj, now: Date): string;
  /** sort key; defaults to value */
  sort?(o: Obj): string | number;
  chip?: boolean;
  mono?: boolean;
}

export interface KindDef {
  /** route segment and i18n key under `nav.` */
  id: string;
  kind: string;
  ref: ResourceRef;
  namespaced: boolean;
  columns: Column[];
  /** has a detail view beyond YAML */
  detail?: boolean;
}

const ts = (o: Obj) => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;
const name: Column = { id: 'name', label: 'name', width: 'minmax(220px, 2.2fr)', value: (o) => o.metadata?.name ?? '' };
const ns: Column = { id: 'namespace', label: 'namespace', width: 'minmax(110px, .9fr)', value: (o) => o.metadata?.namespace ?? '' };
const ageCol: Column = { id: 'age', label: 'age', width: '80px', value: (o, now) => age(o.metadata?.creationTimestamp, now), sort: (o) => -ts(o) };
const num = (id: string, label: string, f: (o: Obj) => number | undefined, width = '100px'): Column => ({
  id, label, width, value: (o) => String(f(o) ?? 0), sort: (o) => f(o) ?? 0,
});
const ratio = (id: string, label: string, a: (o: Obj) => number | undefined, b: (o: Obj) => number | undefined): Column => ({
  id, label, width: '90px', value: (o) => `${a(o) ?? 0}/${b(o) ?? 0}`, sort: (o) => (a(o) ?? 0) - (b(o) ?? 0),
});

export const podStatus = (o: Obj, now = new Date()) => podStatusCells(o, now);

/** Colored chip tone for kubectl's STATUS strings. */
export function statusTone(s: string): ChipTone {
  if (/^(Running|Completed|Succeeded|Active|Ready|Bound|True|Normal|Complete)$/.test(s)) return 'ok';
  if (/^(Pending|ContainerCreating|PodInitializing|Init:\d+\/\d+|Terminating|NotReady|Unknown|SchedulingDisabled|Ready,SchedulingDisabled)$/.test(s)) return 'warn';
  if (/(Err|BackOff|Failed|Error|OOMKilled|Evicted|Invalid|Warning|NotReady|Unschedulable|False|Init:(?!\d))/.test(s)) return 'err';
  return 'neutral';
}

export function nodeStatus(o: Obj): string {
  const ready = (o.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  let s = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  if (o.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

const svcPorts = (o: Obj) => servicePortsText(o as KubeObject);

function endpointsText(o: Obj): string {
  const out: string[] = [];
  for (const s of o.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? [{}]) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  if (!out.length) return '<none>';
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',');
}

function jobDuration(o: Obj, now: Date): string {
  const s = Date.parse(o.status?.startTime ?? '');
  if (!s) return '';
  const e = Date.parse(o.status?.completionTime ?? '') || now.getTime();
  return age(new Date(s).toISOString(), new Date(e));
}

const core = (resource: string): ResourceRef => ({ group: '', version: 'v1', resource });
const apps = (resource: string): ResourceRef => ({ group: 'apps', version: 'v1', resource });

export const KINDS: KindDef[] = [
  {
    id: 'pods', kind: 'Pod', ref: core('pods'), namespaced: true, detail: true,
    columns: [
      name, ns,
      { id: 'ready', label: 'ready', width: '70px', value: (o) => podStatus(o).ready },
      { id: 'status', label: 'status', width: 'minmax(180px, 1.1fr)', value: (o, now) => podStatus(o, now).status, chip: true },
      { id: 'restarts', label: 'restarts', width: '110px', value: (o, now) => podStatus(o, now).restarts, sort: (o) => podStatus(o).restartCount },
      ageCol,
      { id: 'ip', label: 'ip', width: '120px', value: (o) => podWideCells(o)[0], mono: true },
      { id: 'node', label: 'node', width: 'minmax(100px, .9fr)', value: (o) => podWideCells(o)[1] },
    ],
  },
  {
    id: 'deployments', kind: 'Deployment', ref: apps('deployments'), namespaced: true, detail: true,
    columns: [name, ns, ratio('ready', 'ready', (o) => o.status?.readyReplicas, (o) => o.spec?.replicas),
      num('upToDate', 'upToDate', (o) => o.status?.updatedReplicas), num('available', 'available', (o) => o.status?.availableReplicas), ageCol],
  },
  {
    id: 'replicasets', kind: 'ReplicaSet', ref: apps('replicasets'), namespaced: true,
    columns: [name, ns, num('desired', 'desired', (o) => o.spec?.replicas), num('current', 'current', (o) => o.status?.replicas),
      num('ready', 'ready', (o) => o.status?.readyReplicas), ageCol],
  },
  {
    id: 'daemonsets', kind: 'DaemonSet', ref: apps('daemonsets'), namespaced: true,
    columns: [name, ns, num('desired', 'desired', (o) => o.status?.desiredNumberScheduled), num('current', 'current', (o) => o.status?.currentNumberScheduled),
      num('ready', 'ready', (o) => o.status?.numberReady), num('upToDate', 'upToDate', (o) => o.status?.updatedNumberScheduled), ageCol],
  },
  {
    id: 'jobs', kind: 'Job', ref: { group: 'batch', version: 'v1', resource: 'jobs' }, namespaced: true,
    columns: [name, ns,
      { id: 'status', label: 'status', width: '120px', chip: true, value: (o) => {
        const c = (o.status?.conditions ?? []).find((x: Obj) => x.status === 'True' && (x.type === 'Complete' || x.type === 'Failed'));
        return c ? (c.type === 'Complete' ? 'Complete' : 'Failed') : 'Running';
      } },
      ratio('completions', 'completions', (o) => o.status?.succeeded, (o) => o.spec?.completions ?? 1),
      { id: 'duration', label: 'duration', width: '90px', value: (o, now) => jobDuration(o, now) }, ageCol],
  },
  {
    id: 'services', kind: 'Service', ref: core('services'), namespaced: true,
    columns: [name, ns, { id: 'type', label: 'type', width: '110px', value: (o) => o.spec?.type ?? 'ClusterIP' },
      { id: 'clusterIP', label: 'clusterIP', width: '130px', value: (o) => o.spec?.clusterIP ?? '<none>', mono: true },
      { id: 'ports', label: 'ports', width: 'minmax(120px, 1fr)', value: svcPorts, mono: true }, ageCol],
  },
  {
    id: 'endpoints', kind: 'Endpoints', ref: core('endpoints'), namespaced: true,
    columns: [name, ns, { id: 'endpoints', label: 'endpoints', width: 'minmax(200px, 2fr)', value: endpointsText, mono: true }, ageCol],
  },
  {
    id: 'endpointslices', kind: 'EndpointSlice', ref: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' }, namespaced: true,
    columns: [name, ns, { id: 'addressType', label: 'addressType', width: '120px', value: (o) => o.addressType ?? '' },
      { id: 'ports', label: 'ports', width: '110px', value: (o) => formatDiscoveryPorts(o.ports), mono: true },
      { id: 'endpoints', label: 'endpoints', width: 'minmax(200px, 2fr)', value: (o) => formatDiscoveryEndpoints(o.endpoints), mono: true }, ageCol],
  },
  {
    id: 'configmaps', kind: 'ConfigMap', ref: core('configmaps'), namespaced: true,
    columns: [name, ns, num('data', 'data', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length), ageCol],
  },
  {
    id: 'secrets', kind: 'Secret', ref: core('secrets'), namespaced: true,
    columns: [name, ns, { id: 'type', label: 'type', width: 'minmax(160px, 1fr)', value: (o) => o.type ?? 'Opaque' },
      num('data', 'data', (o) => Object.keys(o.data ?? {}).length), ageCol],
  },
  {
    id: 'namespaces', kind: 'Namespace', ref: core('namespaces'), namespaced: false,
    columns: [name, { id: 'status', label: 'status', width: '120px', value: (o) => o.status?.phase ?? 'Active', chip: true }, ageCol],
  },
  {
    id: 'nodes', kind: 'Node', ref: core('nodes'), namespaced: false, detail: true,
    columns: [name, { id: 'status', label: 'status', width: 'minmax(140px, 1fr)', value: nodeStatus, chip: true },
      { id: 'roles', label: 'roles', width: '110px', value: (o) => Object.keys(o.metadata?.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.split('/')[1]).join(',') || '<none>' },
      ageCol, { id: 'version', label: 'version', width: '110px', value: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' }],
  },
  {
    id: 'events', kind: 'Event', ref: core('events'), namespaced: true,
    columns: [
      { id: 'lastSeen', label: 'lastSeen', width: '90px', value: (o, now) => age(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp, now),
        sort: (o) => -(Date.parse(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp ?? '') || 0) },
      { id: 'type', label: 'type', width: '90px', value: (o) => o.type ?? 'Normal', chip: true },
      { id: 'reason', label: 'reason', width: '150px', value: (o) => o.reason ?? '' },
      { id: 'object', label: 'object', width: 'minmax(160px, 1fr)', value: (o) => `${(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}` },
      { id: 'message', label: 'message', width: 'minmax(240px, 3fr)', value: (o) => o.message ?? '' },
    ],
  },
];

export const PODTRACES_REF: ResourceRef = { group: 'lab.kubelab.io', version: 'v1', resource: 'podtraces', kind: 'PodTrace', namespaced: true };

export const kindById = (id: string) => KINDS.find((k) => k.id === id);
export const kindByKind = (kind: string) => KINDS.find((k) => k.kind === kind);

export const objKey = (o: KubeObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? ''));
