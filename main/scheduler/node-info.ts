// Precomputed per-pod and per-node facts (upstream's framework.PodInfo and NodeInfo): a pod's
// quantities are parsed once, and a node keeps its pods' summed requests, ports and images
// up to date as pods come and go, so no decision rescans the cluster's pods.
import type { Node, Pod, PodAffinityTerm, Taint, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { objectKey } from '../api/object';
import { podRequests, whole, fromList, type Resources, zero } from './resources';
import type { Labels } from './selectors';

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

export interface AffinityTerm {
  /** undefined for a term without labelSelector: it selects no pods (upstream's nil selector) */
  selector: LabelSelector | undefined;
  /** explicit namespaces; empty with no namespaceSelector means the pod's own namespace */
  namespaces: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  key: string;
  name: string;
  namespace: string;
  labels: Labels;
  /** effective requests (init containers and overhead as upstream) */
  requests: Resources;
  /** the same with containers lacking requests counted as 100m / 200Mi, for scoring */
  nonZero: Resources;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** normalized image names of init and app containers */
  images: string[];
}

function toTerm(t: PodAffinityTerm, ns: string): AffinityTerm {
  const explicit = t.namespaces ?? [];
  return {
    selector: t.labelSelector,
    namespaces: explicit.length === 0 && !t.namespaceSelector ? [ns] : explicit,
    namespaceSelector: t.namespaceSelector,
    topologyKey: t.topologyKey,
  };
}

const toWeighted = (t: WeightedPodAffinityTerm, ns: string): WeightedAffinityTerm => ({ ...toTerm(t.podAffinityTerm, ns), weight: t.weight });

/** `nginx` → `nginx:latest`, as upstream's ImageLocality normalizes names. */
export function normalizedImageName(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  if (tail.includes(':') || tail.includes('@')) return image;
  return `${image}:latest`;
}

export function newPodInfo(pod: Pod): PodInfo {
  const ns = pod.metadata?.namespace ?? 'default';
  const aff = pod.spec?.affinity;
  const hostPorts: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return {
    pod,
    key: objectKey(pod),
    name: pod.metadata?.name ?? '',
    namespace: ns,
    labels: pod.metadata?.labels ?? {},
    requests: podRequests(pod),
    nonZero: podRequests(pod, true),
    hostPorts,
    requiredAffinity: (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toTerm(t, ns)),
    requiredAntiAffinity: (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toTerm(t, ns)),
    preferredAffinity: (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toWeighted(t, ns)),
    preferredAntiAffinity: (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toWeighted(t, ns)),
    images: [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? '')),
  };
}

export const hasAffinity = (p: PodInfo) =>
  p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;

export interface Allocatable extends Resources {
  pods: number;
}

/** Cluster-wide tallies the cache keeps, so InterPodAffinity can skip its work in one check. */
export interface AffinityCounters {
  podsWithAffinity: number;
  podsWithRequiredAntiAffinity: number;
}

export class NodeInfo {
  node?: Node;
  labels: Labels = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Allocatable = { cpu: 0, memory: 0, ephemeralStorage: 0, pods: 0 };
  /** normalized image name → size in bytes (node.status.images) */
  images = new Map<string, number>();
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resources = zero();
  readonly nonZeroRequested: Resources = zero();
  /** `${protocol}/${port}` → hostIP → count */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** pods with any pod (anti-)affinity term, for InterPodAffinity's scoring */
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();

  constructor(
    readonly name: string,
    node?: Node,
    private readonly counters?: AffinityCounters,
  ) {
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = !!node.spec?.unschedulable;
    const alloc = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string>;
    const r = fromList(alloc);
    this.allocatable = { cpu: r.cpu, memory: r.memory, ephemeralStorage: r.ephemeralStorage, pods: alloc.pods !== undefined ? whole(alloc.pods) : 0 };
    this.images = new Map();
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) this.images.set(normalizedImageName(n), img.sizeBytes ?? 0);
    }
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    this.adjust(p, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.adjust(p, -1);
    return p;
  }

  private adjust(p: PodInfo, sign: 1 | -1): void {
    for (const [r, t] of [
      [p.requests, this.requested],
      [p.nonZero, this.nonZeroRequested],
    ] as const) {
      t.cpu += sign * r.cpu;
      t.memory += sign * r.memory;
      t.ephemeralStorage += sign * r.ephemeralStorage;
    }
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      let m = this.usedPorts.get(k);
      if (!m) this.usedPorts.set(k, (m = new Map()));
      const n = (m.get(hp.hostIP) ?? 0) + sign;
      if (n <= 0) m.delete(hp.hostIP);
      else m.set(hp.hostIP, n);
      if (m.size === 0) this.usedPorts.delete(k);
    }
    if (hasAffinity(p)) {
      if (sign > 0) this.podsWithAffinity.add(p);
      else this.podsWithAffinity.delete(p);
      if (this.counters) this.counters.podsWithAffinity += sign;
    }
    if (p.requiredAntiAffinity.length > 0) {
      if (sign > 0) this.podsWithRequiredAntiAffinity.add(p);
      else this.podsWithRequiredAntiAffinity.delete(p);
      if (this.counters) this.counters.podsWithRequiredAntiAffinity += sign;
    }
  }
}
