// NodeResourcesFit: the pod's requests (pods, cpu, memory, ephemeral-storage) must fit in what the
// node has left; scores by LeastAllocated (spread) or MostAllocated (pack) over cpu and memory.
import { MaxNodeScore, skip, unschedulable, type Plugin, type ScoringStrategy } from '../types';
import type { NodeInfo, PodInfo } from '../node-info';
import { formatCpu, formatMemory } from '../resources';

interface Insufficient {
  reason: string;
  explain: string;
}

/** Every shortfall, as upstream's fitsRequest (pods first; nothing else if the pod requests nothing). */
const fits: Insufficient[] = [];

export function fitsRequest(pod: PodInfo, node: NodeInfo): Insufficient[] {
  const a = node.allocatable;
  const r0 = pod.requests;
  const u = node.requested;
  // fast path: the common case allocates nothing
  if (
    node.pods.size + 1 <= a.pods &&
    r0.cpu <= a.cpu - u.cpu &&
    r0.memory <= a.memory - u.memory &&
    r0.ephemeralStorage <= a.ephemeralStorage - u.ephemeralStorage
  )
    return fits;
  const out: Insufficient[] = [];
  if (node.pods.size + 1 > a.pods) {
    out.push({ reason: 'Too many pods', explain: `already runs ${node.pods.size} of ${a.pods} allowed pods` });
  }
  const r = pod.requests;
  if (r.cpu === 0 && r.memory === 0 && r.ephemeralStorage === 0) return out;
  const used = node.requested;
  if (r.cpu > 0 && r.cpu > a.cpu - used.cpu) {
    out.push({
      reason: 'Insufficient cpu',
      explain: `needs cpu ${formatCpu(r.cpu)}, has ${formatCpu(Math.max(a.cpu - used.cpu, 0))} free of ${formatCpu(a.cpu)}`,
    });
  }
  if (r.memory > 0 && r.memory > a.memory - used.memory) {
    out.push({
      reason: 'Insufficient memory',
      explain: `needs memory ${formatMemory(r.memory)}, has ${formatMemory(Math.max(a.memory - used.memory, 0))} free of ${formatMemory(a.memory)}`,
    });
  }
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) {
    out.push({ reason: 'Insufficient ephemeral-storage', explain: `needs ephemeral-storage ${formatMemory(r.ephemeralStorage)}` });
  }
  return out;
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MaxNodeScore) / capacity);
}

function mostRequested(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) return MaxNodeScore;
  return Math.trunc((requested * MaxNodeScore) / capacity);
}

export function nodeResourcesFit(strategy: ScoringStrategy = 'LeastAllocated'): Plugin {
  const f = strategy === 'MostAllocated' ? mostRequested : leastRequested;
  return {
    name: 'NodeResourcesFit',
    events: ['AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    filter(_state, pod, node) {
      const insufficient = fitsRequest(pod, node);
      if (insufficient.length === 0) return null;
      return unschedulable(
        insufficient.map((i) => i.reason),
        insufficient.map((i) => i.explain).join('; '),
      );
    },
    score(_state, pod, node) {
      // cpu and memory, weight 1 each, with containers lacking requests counted as 100m / 200Mi
      const cpu = f(node.nonZeroRequested.cpu + pod.nonZero.cpu, node.allocatable.cpu);
      const mem = f(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
      return Math.trunc((cpu + mem) / 2);
    },
  };
}

/** NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory fractions stay close after placing the pod. */
const fraction = (req: number, cap: number) => (cap === 0 ? 1 : Math.min(req / cap, 1));

export const balancedAllocation: Plugin = {
  name: 'NodeResourcesBalancedAllocation',
  preScore(_state, pod) {
    // A pod that requests nothing cannot unbalance a node (upstream skips BestEffort pods).
    const r = pod.requests;
    return r.cpu === 0 && r.memory === 0 ? skip : null;
  },
  score(_state, pod, node) {
    const cpu = fraction(node.requested.cpu + pod.requests.cpu, node.allocatable.cpu);
    const mem = fraction(node.requested.memory + pod.requests.memory, node.allocatable.memory);
    const std = Math.abs((cpu - mem) / 2);
    return Math.trunc((1 - std) * MaxNodeScore);
  },
};
