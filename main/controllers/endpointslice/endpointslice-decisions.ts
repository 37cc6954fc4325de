// EndpointSlices for a Service from its pods, as upstream's endpointslice reconciler computes them (pure):
// endpoints grouped by their resolved ports, at most 100 per slice, existing slices reused so writes stay minimal.
import type { Endpoints, ObjectReference, Pod, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { nameIsDNSSubdomain } from '../../api/validation';
import { isPodReady } from '../common/pods';
import { canonicalJSON } from '../common/names';
import { resolveTargetPort } from '../endpoints/endpoints-decisions';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
/** on an Endpoints: do not mirror it into EndpointSlices */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** upstream --max-endpoints-per-slice default */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
  zone?: string;
}

export interface SlicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export type EndpointSlice = KubeObject & { addressType: string; endpoints?: SliceEndpoint[] | null; ports?: SlicePort[] | null };

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

const isIPv4 = (s: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split('.').every((x) => Number(x) <= 255);

/** endpointutil.ShouldPodBeInEndpoints(pod, includeTerminating=true): has an IP and has not finished. */
export function shouldPodBeInSlices(pod: Pod): boolean {
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** The pod as an endpoint: ready only when serving and not terminating (or the Service publishes not-ready addresses). */
export function podToEndpoint(svc: Service, pod: Pod): SliceEndpoint | undefined {
  const ips = [...(pod.status?.podIPs ?? []).map((p) => p.ip), pod.status?.podIP].filter((ip): ip is string => !!ip && isIPv4(ip));
  if (!ips.length) return undefined;
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const setHostname = !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
  return {
    addresses: [ips[0]],
    conditions: { ready, serving, terminating },
    ...(setHostname ? { hostname: pod.spec!.hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
}

/** Service ports whose targetPort resolves on this pod, in the Service's order; name always set, as upstream. */
export function endpointPorts(svc: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** Slices with equal ports (in any order) carry the same endpoints group. */
export const portsKey = (ports: SlicePort[] | null | undefined) =>
  (ports ?? [])
    .map((p) => `${p.name ?? ''}:${p.port ?? ''}/${p.protocol ?? ''}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');

const endpointKey = (ep: SliceEndpoint) => ep.targetRef?.uid ?? [...ep.addresses].sort().join(',');

/** Service labels (but the reserved ones), then service-name, managed-by and headless, as setEndpointSliceLabels. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY) labels[k] = v;
  labels[LABEL_SERVICE_NAME] = svc.metadata!.name!;
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  return labels;
}

/** `<service>-`, or `endpointslice-` when that would not make a valid name (getEndpointSlicePrefix). */
export function slicePrefix(serviceName: string): string {
  const prefix = `${serviceName}-`;
  return nameIsDNSSubdomain(prefix, true).length ? 'endpointslice-' : prefix;
}

export function newSlice(svc: Service, ports: SlicePort[] | null, endpoints: SliceEndpoint[], labels = sliceLabels(svc)): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: slicePrefix(svc.metadata!.name!),
      namespace: svc.metadata!.namespace,
      labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints,
    ...(ports ? { ports } : {}),
  };
}

const byAddress = (a: SliceEndpoint, b: SliceEndpoint) => a.addresses[0].localeCompare(b.addresses[0], undefined, { numeric: true });
const ownedBy = (s: EndpointSlice, svc: Service) => !!s.metadata.ownerReferences?.some((r) => r.controller && r.uid === svc.metadata?.uid);
const isPlaceholder = (s: EndpointSlice) => !(s.endpoints ?? []).length && !(s.ports ?? []).length;

/**
 * What to create, update and delete so `existing` (this Service's IPv4 slices managed by us) matches the pods.
 * Slices that already hold the right endpoints are left untouched; freed room is refilled before new slices are made.
 */
export function reconcileSlices(svc: Service, pods: Pod[], existing: EndpointSlice[], maxPerSlice = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const desired: DesiredGroups = new Map();
  for (const pod of pods) {
    if (!shouldPodBeInSlices(pod)) continue;
    const ep = podToEndpoint(svc, pod);
    if (ep) addDesired(desired, endpointPorts(svc, pod), ep);
  }
  return reconcileDesired(svc, desired, existing, sliceLabels(svc), { maxPerSlice, placeholder: true });
}

/** endpoints to hold, grouped by their ports */
export type DesiredGroups = Map<string, { ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }>;

function addDesired(desired: DesiredGroups, ports: SlicePort[], ep: SliceEndpoint): void {
  const k = portsKey(ports);
  let g = desired.get(k);
  if (!g) desired.set(k, (g = { ports, endpoints: new Map() }));
  g.endpoints.set(endpointKey(ep), ep);
}

/** upstream's endpointslicemirroring: a hand-written Endpoints (Service without selector) as EndpointSlices */
export function desiredFromEndpoints(ep: Endpoints): DesiredGroups {
  const desired: DesiredGroups = new Map();
  for (const ss of ep.subsets ?? []) {
    const ports: SlicePort[] = (ss.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    }));
    for (const [list, ready] of [
      [ss.addresses, true],
      [ss.notReadyAddresses, false],
    ] as const) {
      for (const a of list ?? []) {
        if (!isIPv4(a.ip)) continue;
        addDesired(desired, ports, {
          addresses: [a.ip],
          conditions: { ready },
          ...(a.hostname ? { hostname: a.hostname } : {}),
          ...(a.nodeName ? { nodeName: a.nodeName } : {}),
          ...(a.targetRef ? { targetRef: a.targetRef } : {}),
        });
      }
    }
  }
  return desired;
}

/** Labels of a mirrored slice: the Endpoints' own (but the reserved ones), service-name, managed-by mirroring. */
export function mirroredSliceLabels(ep: Endpoints): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata?.labels ?? {})) if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY) labels[k] = v;
  labels[LABEL_SERVICE_NAME] = ep.metadata!.name!;
  labels[LABEL_MANAGED_BY] = MIRRORING_CONTROLLER_NAME;
  return labels;
}

/** The slices that hold `desired`, reusing `existing` ones; with `placeholder`, an endpoint-less Service keeps one empty slice. */
export function reconcileDesired(
  svc: Service,
  desired: DesiredGroups,
  existing: EndpointSlice[],
  labels: Record<string, string>,
  opts: { maxPerSlice: number; placeholder: boolean },
): SlicePlan {
  const maxPerSlice = opts.maxPerSlice;
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  // per port group: slices kept (changed or not) with their new endpoint lists
  const kept = new Map<string, Array<{ slice: EndpointSlice; endpoints: SliceEndpoint[]; changed: boolean }>>();
  const emptied = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    // left by an older Service of the same name: the garbage collector's, never reused
    if (!ownedBy(slice, svc)) {
      plan.delete.push(slice);
      continue;
    }
    const k = portsKey(slice.ports);
    const g = desired.get(k);
    if (!g) {
      plan.delete.push(slice);
      continue;
    }
    const endpoints: SliceEndpoint[] = [];
    let changed = canonicalJSON(slice.metadata.labels ?? {}) !== canonicalJSON(labels);
    for (const cur of slice.endpoints ?? []) {
      const want = g.endpoints.get(endpointKey(cur));
      if (!want || endpoints.length >= maxPerSlice) {
        changed = true;
        continue;
      }
      g.endpoints.delete(endpointKey(cur));
      if (canonicalJSON(cur) !== canonicalJSON(want)) changed = true;
      endpoints.push(want);
    }
    if (endpoints.length) kept.set(k, [...(kept.get(k) ?? []), { slice, endpoints, changed }]);
    else emptied.set(k, [...(emptied.get(k) ?? []), slice]);
  }
  for (const [k, g] of desired) {
    const rest = [...g.endpoints.values()].sort(byAddress);
    // fill slices already being written first, then untouched ones with room, then reuse emptied ones, then new
    const slots = (kept.get(k) ?? []).sort((a, b) => Number(b.changed) - Number(a.changed));
    for (const s of slots) {
      while (rest.length && s.endpoints.length < maxPerSlice) {
        s.endpoints.push(rest.shift()!);
        s.changed = true;
      }
    }
    const reusable = emptied.get(k) ?? [];
    while (rest.length) {
      const endpoints = rest.splice(0, maxPerSlice);
      const old = reusable.shift();
      if (old) slots.push({ slice: old, endpoints, changed: true });
      else plan.create.push(newSlice(svc, g.ports.length ? g.ports : null, endpoints, labels));
    }
    emptied.set(k, reusable);
    for (const s of slots)
      if (s.changed)
        plan.update.push({ ...s.slice, metadata: { ...s.slice.metadata, labels }, endpoints: s.endpoints, ...(g.ports.length ? { ports: g.ports } : {}) });
    kept.set(k, slots);
  }
  for (const slices of emptied.values()) plan.delete.push(...slices);
  // a Service with no endpoints keeps one empty placeholder slice, so consumers can tell "none" from "not yet"
  const keptAny = [...kept.values()].some((s) => s.length > 0);
  if (opts.placeholder && !keptAny && plan.create.length === 0) {
    const placeholder = plan.delete.find((s) => isPlaceholder(s) && ownedBy(s, svc));
    if (placeholder) {
      plan.delete = plan.delete.filter((s) => s !== placeholder);
      if (canonicalJSON(placeholder.metadata.labels ?? {}) !== canonicalJSON(labels))
        plan.update.push({ ...placeholder, metadata: { ...placeholder.metadata, labels } });
    } else {
      plan.create.push(newSlice(svc, null, [], labels));
    }
  }
  // as upstream's finalize: a slice about to be deleted takes the place of one about to be created (same name, one write)
  for (let i = 0; i < plan.delete.length && plan.create.length;) {
    const old = plan.delete[i];
    if (!ownedBy(old, svc)) {
      i++;
      continue;
    }
    const fresh = plan.create.pop()!;
    plan.delete.splice(i, 1);
    plan.update.push({ ...fresh, metadata: { ...old.metadata, labels: fresh.metadata.labels, ownerReferences: fresh.metadata.ownerReferences } });
  }
  return plan;
}
