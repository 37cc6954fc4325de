// How a node whose pods run on a Docker engine gets its podCIDR, through the API only. The nodeipam controller knows
// the cluster CIDR and every node's /24; only the node's kubelet knows which ranges its engine and host already use,
// and only creating the engine's network proves a /24 free there (another lab may take it at the same moment). So,
// as upstream's cloud CIDR allocator takes a node's range from the infrastructure before writing spec.podCIDR:
//   1. the kubelet registers the Node with `unavailable` (its engine's subnets, this host's routes) and `preferred`
//      (the subnet its engine's lab network already has, if any);
//   2. the controller writes an `offer`: a /24 no other node holds, outside `unavailable`;
//   3. the kubelet creates the network with that subnet and answers `claimed`, or, refused by the engine for an
//      overlap, adds the offer to `unavailable` (the controller offers the next);
//   4. the controller sets spec.podCIDR/podCIDRs to the claimed /24 (immutable from then on) and drops these notes.
// Nodes of other runtimes (virtual, or created by hand) get their /24 at once, as from upstream's range allocator.
export const POD_CIDR_ANNOTATIONS = {
  unavailable: 'kubelab.io/pod-cidr-unavailable',
  preferred: 'kubelab.io/pod-cidr-preferred',
  offer: 'kubelab.io/pod-cidr-offer',
  claimed: 'kubelab.io/pod-cidr-claimed',
} as const;

/** Set at registration: `docker` nodes claim their /24 on their engine first. */
export const RUNTIME_ANNOTATION = 'kubelab.io/runtime';

export const splitCidrList = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
