// IPv4 CIDR arithmetic for the lab's address plan (cluster CIDR, one /24 per node, the Service CIDR), and the
// CIDR syntax check the API applies to node.spec.podCIDRs. Pure functions over strings, table-tested.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr4 {
  /** network address as an unsigned 32-bit number */
  base: number;
  /** prefix length, 0..32 */
  bits: number;
}

/** upstream kube-controller-manager's default --node-cidr-mask-size for IPv4 */
export const NODE_CIDR_MASK_SIZE = 24;
/** the lab's default cluster pod CIDR (flannel's and kubeadm's usual one) */
export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';

export const ipToInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const size = (bits: number) => 2 ** (32 - bits);

/** `10.244.3.7/24` -> {base 10.244.3.0, bits 24}; undefined unless an IPv4 CIDR. */
export function parseCidr4(s: string): Cidr4 | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(s.trim());
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) return undefined;
  const bits = Number(m[2]);
  const ip = ipToInt(m[1]);
  return { base: ip - (ip % size(bits)), bits };
}

export const formatCidr4 = (c: Cidr4): string => `${intToIp(c.base)}/${c.bits}`;

/** True when the two ranges share any address. */
export function overlaps(a: Cidr4, b: Cidr4): boolean {
  return a.base < b.base + size(b.bits) && b.base < a.base + size(a.bits);
}

/** True when `inner` lies wholly inside `outer`. */
export function contains(outer: Cidr4, inner: Cidr4): boolean {
  return inner.bits >= outer.bits && inner.base >= outer.base && inner.base + size(inner.bits) <= outer.base + size(outer.bits);
}

/** The n-th address of a range (0 = the network address). */
export const addressAt = (c: Cidr4, n: number): string => intToIp(c.base + n);

/** The family of a CIDR as upstream's IsValidCIDRForLegacyField accepts it, or undefined when it is not one. */
export function cidrFamily(s: string): 'IPv4' | 'IPv6' | undefined {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return undefined;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  if (isIPv4(ip) && Number(bits) <= 32) return 'IPv4';
  if (isIPv6(ip) && Number(bits) <= 128) return 'IPv6';
  return undefined;
}

/** Why a cluster CIDR cannot hold nodes' /24s (undefined: it can). */
export function clusterCidrProblem(s: string, serviceCidr?: string): string | undefined {
  const c = parseCidr4(s);
  if (!c) return `"${s}" is not an IPv4 CIDR (e.g. ${DEFAULT_CLUSTER_CIDR})`;
  if (formatCidr4(c) !== s.trim()) return `"${s}" has host bits set; the network is ${formatCidr4(c)}`;
  if (c.bits > NODE_CIDR_MASK_SIZE) return `"${s}" is smaller than one node's /${NODE_CIDR_MASK_SIZE}; use a prefix of /${NODE_CIDR_MASK_SIZE} or shorter`;
  if (c.bits < 8) return `"${s}" is larger than a /8`;
  const svc = serviceCidr ? parseCidr4(serviceCidr) : undefined;
  if (svc && overlaps(c, svc)) return `"${s}" overlaps the Service CIDR ${serviceCidr}`;
  return undefined;
}

export interface NodeCidrRequest {
  clusterCidr: string;
  /** /24s other nodes of the lab hold or were offered */
  taken: Iterable<string>;
  /** ranges the node cannot use: its engine's networks, this host's routes, offers its engine refused */
  unavailable?: Iterable<string>;
  /** a /24 the node would rather keep (its engine already has the lab's network on it) */
  preferred?: string;
}

/**
 * The /24 a node gets: its preferred one when that is free, else the lowest free one, as upstream's cidrset hands
 * them out in order; undefined when the cluster CIDR has none left.
 */
export function chooseNodeCidr(req: NodeCidrRequest): string | undefined {
  const cluster = parseCidr4(req.clusterCidr);
  if (!cluster || cluster.bits > NODE_CIDR_MASK_SIZE) return undefined;
  const parse = (list: Iterable<string> | undefined) => [...(list ?? [])].map((s) => parseCidr4(s)).filter((c): c is Cidr4 => !!c);
  const blocked = [...parse(req.taken), ...parse(req.unavailable)];
  const free = (c: Cidr4) => contains(cluster, c) && !blocked.some((b) => overlaps(b, c));
  const preferred = req.preferred ? parseCidr4(req.preferred) : undefined;
  if (preferred && preferred.bits === NODE_CIDR_MASK_SIZE && formatCidr4(preferred) === req.preferred && free(preferred)) return req.preferred;
  const step = size(NODE_CIDR_MASK_SIZE);
  for (let base = cluster.base; base < cluster.base + size(cluster.bits); base += step) {
    const c = { base, bits: NODE_CIDR_MASK_SIZE };
    if (free(c)) return formatCidr4(c);
  }
  return undefined;
}

export interface PodNetworkPlan {
  subnet: string;
  /** .1: the bridge's address, the node's InternalIP */
  gateway: string;
  /** the lower half, from which the engine hands pod addresses */
  ipRange: string;
  /** the last usable address, kept out of ipRange for the lab's node agent */
  agentAddress: string;
}

/** How a node's /24 is laid out on its engine's network: pods from the lower half, the upper half kept for fixed addresses. */
export function podNetworkPlan(podCidr: string): PodNetworkPlan {
  const c = parseCidr4(podCidr);
  if (!c) throw new Error(`not an IPv4 CIDR: ${podCidr}`);
  const last = size(c.bits) - 2;
  return {
    subnet: formatCidr4(c),
    gateway: addressAt(c, 1),
    ipRange: formatCidr4({ base: c.base, bits: c.bits + 1 }),
    agentAddress: addressAt(c, last),
  };
}
