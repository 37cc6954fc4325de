// What the nodeipam controller does for one node, as a pure function of that node, the /24s the others hold and the
// cluster CIDR: upstream's range allocator (AllocateOrOccupyCIDR), plus the engine claim of main/api/pod-cidr-claim.ts.
import type { Node } from 'kubernetes-types/core/v1';
import { chooseNodeCidr, contains, parseCidr4 } from '../../api/cidr';
import { POD_CIDR_ANNOTATIONS as A, RUNTIME_ANNOTATION, splitCidrList } from '../../api/pod-cidr-claim';

export type NodeCidrAction =
  /** nothing to do now (it has its /24, or its kubelet has not said what its engine uses yet, or a claim is pending) */
  | { kind: 'none'; reason: string }
  /** set spec.podCIDR/podCIDRs (and drop the claim notes) */
  | { kind: 'assign'; cidr: string }
  /** write (or keep) an offer for the node's kubelet to claim on its engine */
  | { kind: 'offer'; cidr: string; keep?: boolean }
  /** the node has its /24: the claim notes go */
  | { kind: 'clean' }
  /** no /24 left: upstream's CIDRNotAvailable */
  | { kind: 'unavailable' };

export const podCIDRsOf = (n: Node): string[] => (n.spec?.podCIDRs?.length ? [...n.spec.podCIDRs] : n.spec?.podCIDR ? [n.spec.podCIDR] : []);

/** True for nodes that claim their /24 on their engine before it is theirs. */
export const claimsOnEngine = (n: Node): boolean => n.metadata?.annotations?.[RUNTIME_ANNOTATION] === 'docker';

/**
 * @param taken every /24 other nodes hold or were offered (their spec, their offers, what this controller just handed out)
 */
export function decideNodeCidr(node: Node, taken: string[], clusterCidr: string): NodeCidrAction {
  const ann = node.metadata?.annotations ?? {};
  if (podCIDRsOf(node).length) {
    return Object.values(A).some((k) => k in ann) ? { kind: 'clean' } : { kind: 'none', reason: 'has a podCIDR' };
  }
  if (!claimsOnEngine(node)) {
    const cidr = chooseNodeCidr({ clusterCidr, taken });
    return cidr ? { kind: 'assign', cidr } : { kind: 'unavailable' };
  }
  if (!(A.unavailable in ann)) return { kind: 'none', reason: 'its kubelet has not reported what its engine uses' };
  const unavailable = splitCidrList(ann[A.unavailable]);
  const offer = ann[A.offer];
  const cluster = parseCidr4(clusterCidr);
  const offered = offer ? parseCidr4(offer) : undefined;
  // an offer stays good while it is in the cluster CIDR, no other node has it and the engine did not refuse it
  const good =
    !!offer && !!cluster && !!offered && contains(cluster, offered) && chooseNodeCidr({ clusterCidr, taken, unavailable, preferred: offer }) === offer;
  if (good && ann[A.claimed] === offer) return { kind: 'assign', cidr: offer };
  if (good) return { kind: 'offer', cidr: offer, keep: true };
  const cidr = chooseNodeCidr({ clusterCidr, taken, unavailable, preferred: ann[A.preferred] });
  return cidr ? { kind: 'offer', cidr } : { kind: 'unavailable' };
}
