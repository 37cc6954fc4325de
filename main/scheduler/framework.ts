// One scheduling cycle as upstream's schedulePod: PreFilter, Filter over a sample of nodes
// (percentageOfNodesToScore), PostFilter's report when nothing fits, PreScore, Score,
// NormalizeScore, weights, and the choice. Synchronous and free of I/O, so it is tested by tables.
import type { NodeInfo, PodInfo } from './node-info';
import type { WeightedPlugin } from './plugins';
import type { CycleState, FilterVerdict, NodeRow, NodeScore, PluginScore, SchedulingDetails, Status } from './types';

export const minFeasibleNodesToFind = 100;
export const minFeasibleNodesPercentageToFind = 5;
export const ErrNoNodesAvailable = 'no nodes available to schedule pods';

/** upstream's numFeasibleNodesToFind: all nodes below 100, else an adaptive share, never below 100. */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < minFeasibleNodesPercentageToFind) pct = minFeasibleNodesPercentageToFind;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}

/** "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match ...." as upstream's FitError.Error(). */
export function fitErrorMessage(numAllNodes: number, statuses: Iterable<Status>, preFilterMsg?: string, postFilterMsg?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) {
    msg += ` ${preFilterMsg}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const s of statuses) for (const r of s.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    // sort.Strings over "count reason", exactly as upstream (so "10 x" sorts before "2 y")
    const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/**
 * What upstream's DefaultPreemption says when it finds nothing to preempt. The lab does not
 * preempt: nodes failing for a resolvable reason report "No preemption victims found".
 */
export function preemptionMessage(pod: PodInfo, numAllNodes: number, statuses: Iterable<Status>): string {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const report: Status[] = [];
  for (const s of statuses) {
    report.push({
      code: s.code,
      reasons: [s.code === 'UnschedulableAndUnresolvable' ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod'],
    });
  }
  return 'preemption: ' + fitErrorMessage(numAllNodes, report);
}

export type ScheduleResult =
  | { kind: 'scheduled'; node: string; details: SchedulingDetails; filterMs: number; scoreMs: number }
  | {
      kind: 'unschedulable';
      message: string;
      /** plugins that rejected at least one node: the cluster events they care about can make the pod fit */
      rejectors: Set<string>;
      details: SchedulingDetails;
      filterMs: number;
    }
  | { kind: 'error'; message: string; details: SchedulingDetails };

export interface FrameworkOptions {
  schedulerName: string;
  percentageOfNodesToScore?: number;
  /** build per-node rows for the trace (off in benchmarks) */
  collectDetails?: boolean;
  /** most rows kept in SchedulingDetails */
  maxDetailRows?: number;
  /** tie-break source; defaults to Math.random */
  random?: () => number;
}

export class Framework {
  private nextStartNodeIndex = 0;
  private readonly random: () => number;

  constructor(
    readonly plugins: WeightedPlugin[],
    private readonly opts: FrameworkOptions,
  ) {
    this.random = opts.random ?? Math.random;
  }

  get filterPlugins(): string[] {
    return this.plugins.filter((p) => p.plugin.filter).map((p) => p.plugin.name);
  }

  get scorePlugins(): { plugin: string; weight: number }[] {
    return this.plugins.filter((p) => p.plugin.score && p.weight > 0).map((p) => ({ plugin: p.plugin.name, weight: p.weight }));
  }

  schedulePod(pod: PodInfo, nodes: readonly NodeInfo[], attempt = 1): ScheduleResult {
    const collect = this.opts.collectDetails ?? true;
    const maxRows = this.opts.maxDetailRows ?? 50;
    const numToFind = numFeasibleNodesToFind(nodes.length, this.opts.percentageOfNodesToScore);
    const details: SchedulingDetails = {
      kind: 'SchedulingDetails',
      attempt,
      schedulerName: this.opts.schedulerName,
      numAllNodes: nodes.length,
      numNodesEvaluated: 0,
      numFeasibleNodesToFind: numToFind,
      numFeasible: 0,
      filterPlugins: this.filterPlugins,
      scorePlugins: this.scorePlugins,
      skipped: { filter: [], score: [] },
      nodes: [],
      omittedNodes: 0,
    };
    if (nodes.length === 0) {
      details.message = ErrNoNodesAvailable;
      return { kind: 'error', message: ErrNoNodesAvailable, details };
    }
    const t0 = performance.now();
    const state: CycleState = new Map();

    // PreFilter
    const skipFilter = new Set<string>();
    for (const { plugin } of this.plugins) {
      if (!plugin.preFilter) continue;
      const s = plugin.preFilter(state, pod, nodes);
      if (!s || s.code === 'Success') continue;
      if (s.code === 'Skip') {
        skipFilter.add(plugin.name);
        continue;
      }
      const verdict: FilterVerdict = { plugin: plugin.name, code: s.code, reasons: s.reasons, explain: s.explain };
      details.preFilterRejection = verdict;
      const msg = fitErrorMessage(
        nodes.length,
        [],
        s.reasons.join(', '),
        preemptionMessage(
          pod,
          nodes.length,
          nodes.map(() => s),
        ),
      );
      details.message = msg;
      details.skipped.filter = [...skipFilter];
      return { kind: 'unschedulable', message: msg, rejectors: new Set([plugin.name]), details, filterMs: performance.now() - t0 };
    }
    details.skipped.filter = [...skipFilter];
    const filters = this.plugins.filter((p) => p.plugin.filter && !skipFilter.has(p.plugin.name)).map((p) => p.plugin);

    // Filter, starting where the last cycle stopped so sampling rotates through the cluster
    const feasible: NodeInfo[] = [];
    const failed = new Map<string, Status>();
    const rows = new Map<string, NodeRow>();
    let processed = 0;
    const n = nodes.length;
    const start = this.nextStartNodeIndex % n;
    for (; processed < n && feasible.length < numToFind; processed++) {
      const node = nodes[(start + processed) % n];
      let rejected: Status | undefined;
      const verdicts: FilterVerdict[] | undefined = collect ? [] : undefined;
      for (const p of filters) {
        const s = p.filter!(state, pod, node);
        if (s && s.code !== 'Success' && s.code !== 'Skip') {
          rejected = { ...s, plugin: p.name };
          verdicts?.push({ plugin: p.name, code: s.code, reasons: s.reasons, explain: s.explain });
          break;
        }
        verdicts?.push({ plugin: p.name, code: 'Success', reasons: [] });
      }
      if (rejected) failed.set(node.name, rejected);
      else feasible.push(node);
      if (verdicts) {
        rows.set(node.name, {
          node: node.name,
          filters: verdicts,
          feasible: !rejected,
          reasons: rejected?.reasons ?? [],
          explain: rejected?.explain,
        });
      }
    }
    this.nextStartNodeIndex = (start + processed) % n;
    details.numNodesEvaluated = processed;
    details.numFeasible = feasible.length;
    const filterMs = performance.now() - t0;
    const finishRows = (chosen?: string) => {
      let list = [...rows.values()];
      if (list.length > maxRows) {
        // keep the chosen node and as many others as fit, rejected ones first (they explain the most)
        list.sort((a, b) => Number(b.node === chosen) - Number(a.node === chosen) || Number(a.feasible) - Number(b.feasible));
        details.omittedNodes = list.length - maxRows;
        list = list.slice(0, maxRows);
      }
      details.nodes = list;
    };

    if (feasible.length === 0) {
      const msg = fitErrorMessage(n, failed.values(), undefined, preemptionMessage(pod, n, failed.values()));
      details.message = msg;
      finishRows();
      const rejectors = new Set<string>();
      for (const s of failed.values()) if (s.plugin) rejectors.add(s.plugin);
      return { kind: 'unschedulable', message: msg, rejectors, details, filterMs };
    }

    if (feasible.length === 1) {
      details.chosen = feasible[0].name;
      details.scoringNote = 'only one node fits, so scoring was skipped';
      finishRows(details.chosen);
      return { kind: 'scheduled', node: feasible[0].name, details, filterMs, scoreMs: 0 };
    }

    // PreScore, Score, NormalizeScore, weights
    const t1 = performance.now();
    const totals = new Array<number>(feasible.length).fill(0);
    const perNode: PluginScore[][] | undefined = collect ? feasible.map(() => []) : undefined;
    for (const { plugin, weight } of this.plugins) {
      if (!plugin.score || weight <= 0) continue;
      if (plugin.preScore) {
        const s = plugin.preScore(state, pod, feasible, nodes);
        if (s?.code === 'Skip') {
          details.skipped.score.push(plugin.name);
          continue;
        }
      }
      const scores: NodeScore[] = feasible.map((node) => ({ node: node.name, score: plugin.score!(state, pod, node) }));
      const raw = perNode ? scores.map((s) => s.score) : undefined;
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        const w = scores[i].score * weight;
        totals[i] += w;
        perNode?.[i].push({ plugin: plugin.name, raw: raw![i], normalized: scores[i].score, weight, weighted: w });
      }
    }

    // selectHost: the highest total; ties broken uniformly at random (reservoir sampling)
    let best = 0;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    const chosen = feasible[best].name;
    details.chosen = chosen;
    if (perNode) {
      feasible.forEach((node, i) => {
        const row = rows.get(node.name);
        if (row) {
          row.scores = perNode[i];
          row.total = totals[i];
        }
      });
    }
    finishRows(chosen);
    return { kind: 'scheduled', node: chosen, details, filterMs, scoreMs: performance.now() - t1 };
  }
}
