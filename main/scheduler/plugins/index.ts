// The default profile's plugins in upstream's order, with upstream's score weights.
import type { AffinityCounters } from '../node-info';
import type { Plugin, SchedulerProfile } from '../types';
import { nodeUnschedulable } from './node-unschedulable';
import { nodeName } from './node-name';
import { taintToleration } from './taint-toleration';
import { nodeAffinity } from './node-affinity';
import { nodePorts } from './node-ports';
import { balancedAllocation, nodeResourcesFit } from './node-resources-fit';
import { podTopologySpread } from './pod-topology-spread';
import { interPodAffinity, type NamespaceLabels } from './inter-pod-affinity';
import { imageLocality } from './image-locality';

export interface WeightedPlugin {
  plugin: Plugin;
  /** Score weight; 0 for plugins that only filter */
  weight: number;
}

export const defaultWeights: Record<string, number> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  NodeResourcesFit: 1,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesBalancedAllocation: 1,
  ImageLocality: 1,
};

export interface PluginContext {
  /** namespace labels for namespaceSelector terms */
  namespaceLabels?: NamespaceLabels;
  /** normalized image → number of nodes holding it */
  imageNodes: ReadonlyMap<string, number>;
  numNodes: () => number;
  /** cluster-wide affinity tallies (SchedulerCache.affinityCounters) */
  affinityCounters?: AffinityCounters;
}

export function defaultPlugins(profile: SchedulerProfile, ctx: PluginContext): WeightedPlugin[] {
  const all: Plugin[] = [
    nodeUnschedulable,
    nodeName,
    taintToleration,
    nodeAffinity,
    nodePorts,
    nodeResourcesFit(profile.scoringStrategy ?? 'LeastAllocated'),
    podTopologySpread,
    interPodAffinity(ctx.namespaceLabels, ctx.affinityCounters),
    balancedAllocation,
    imageLocality(ctx.imageNodes, ctx.numNodes),
  ];
  const disabled = new Set(profile.disabled ?? []);
  return all
    .filter((p) => !disabled.has(p.name))
    .map((plugin) => ({ plugin, weight: plugin.score ? (profile.weights?.[plugin.name] ?? defaultWeights[plugin.name] ?? 1) : 0 }));
}
