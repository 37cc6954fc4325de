// The scheduler framework's shapes, as upstream's pkg/scheduler/framework: Status codes, plugin
// extension points, and the per-attempt table (SchedulingDetails) the flow view renders.
import type { Pod } from 'kubernetes-types/core/v1';
import type { NodeInfo, PodInfo } from './node-info';

export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip' | 'Error';

/** A plugin's verdict. `null` means Success, as upstream's nil *Status. */
export interface Status {
  code: Code;
  /** upstream's reason strings, aggregated into "0/N nodes are available: ..." */
  reasons: string[];
  /** plugin that produced it (set by the framework) */
  plugin?: string;
  /** the same verdict in plain words for the lab: "didn't match the node selector disktype=ssd" */
  explain?: string;
}

export const MaxNodeScore = 100;

export function unschedulable(reason: string | string[], explain?: string): Status {
  return { code: 'Unschedulable', reasons: Array.isArray(reason) ? reason : [reason], explain };
}

export function unresolvable(reason: string, explain?: string): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons: [reason], explain };
}

export const skip: Status = { code: 'Skip', reasons: [] };

/** Per-cycle scratch space shared by a plugin's PreFilter/Filter or PreScore/Score. */
export type CycleState = Map<string, unknown>;

export interface NodeScore {
  node: string;
  score: number;
}

/** Cluster events a rejected pod may be waiting for (upstream's ClusterEvent, coarse). */
export type ClusterEventKind = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete';

export interface Plugin {
  readonly name: string;
  /** events after which a pod this plugin rejected may fit */
  readonly events?: readonly ClusterEventKind[];
  /** runs once per cycle; Skip disables this plugin's Filter for the cycle */
  preFilter?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null;
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
  /** runs once per cycle over the feasible nodes; Skip disables this plugin's Score */
  preScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], all: readonly NodeInfo[]): Status | null;
  score?(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** turns raw scores into 0..100 in place */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

export interface SchedulerProfile {
  /** pods naming this schedulerName are ours; default `default-scheduler` */
  schedulerName?: string;
  /** NodeResourcesFit's scoring strategy; default LeastAllocated */
  scoringStrategy?: ScoringStrategy;
  /** 0 (default) = adaptive as upstream: 50% - nodes/125, at least 5%, at least 100 nodes */
  percentageOfNodesToScore?: number;
  /** override a score plugin's weight (0 disables its Score) */
  weights?: Record<string, number>;
  /** plugins left out of this profile by name */
  disabled?: string[];
}

// ---- What the flow view shows: one table per scheduling attempt -------------------------------

export interface FilterVerdict {
  plugin: string;
  code: Code;
  reasons: string[];
  explain?: string;
}

export interface PluginScore {
  plugin: string;
  /** what the plugin's Score returned */
  raw: number;
  /** after NormalizeScore (0..100) */
  normalized: number;
  weight: number;
  /** normalized * weight */
  weighted: number;
}

export interface NodeRow {
  node: string;
  /** Filter verdicts in plugin order; plugins after the first rejection did not run and are absent */
  filters: FilterVerdict[];
  feasible: boolean;
  /** upstream reason strings of the rejecting plugin */
  reasons: string[];
  /** rejecting verdict in words, e.g. "didn't match the node selector disktype=ssd" */
  explain?: string;
  /** per score plugin, in plugin order; absent when scoring did not run */
  scores?: PluginScore[];
  /** sum of weighted scores */
  total?: number;
}

/**
 * `details` of the scheduler's `filter` and `score` trace steps (kind 'SchedulingDetails'):
 * rows are nodes, columns are plugins (filterPlugins, then scorePlugins). Rows are capped at 50
 * (see omittedNodes) so traces stay small. When no node fits, the `filter` step holds every row;
 * when one does, the `score` step holds every row (filters and scores) and the `filter` step only
 * the rejected ones. A `score` step with outcome 'skipped' (one feasible node) has no scores.
 */
export interface SchedulingDetails {
  kind: 'SchedulingDetails';
  /** 1 for the first try, then one more per retry */
  attempt: number;
  schedulerName: string;
  numAllNodes: number;
  /** nodes whose Filter ran (upstream stops after numFeasibleNodesToFind feasible ones) */
  numNodesEvaluated: number;
  numFeasibleNodesToFind: number;
  numFeasible: number;
  /** column order */
  filterPlugins: string[];
  scorePlugins: { plugin: string; weight: number }[];
  /** a PreFilter that rejected the pod for every node */
  preFilterRejection?: FilterVerdict;
  /** plugins whose PreFilter/PreScore said Skip for this pod */
  skipped: { filter: string[]; score: string[] };
  nodes: NodeRow[];
  omittedNodes: number;
  /** set once a node was chosen */
  chosen?: string;
  /** FailedScheduling message when no node fits */
  message?: string;
  /** why scoring did not run, e.g. only one feasible node */
  scoringNote?: string;
}

export type { Pod };
