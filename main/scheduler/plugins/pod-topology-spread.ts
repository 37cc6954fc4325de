// PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed maxSkew;
// ScheduleAnyway constraints score domains with fewer matching pods higher.
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { MaxNodeScore, skip, unresolvable, unschedulable, type CycleState, type Plugin } from '../types';
import type { NodeInfo, PodInfo } from '../node-info';
import { labelSelectorMatches } from '../../api/selectors';
import { podMatchesNodeAffinity } from './node-affinity';
import { tolerated } from './helpers';

export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + ' (missing required label)';

interface Constraint {
  maxSkew: number;
  key: string;
  /** undefined when the constraint has no labelSelector: it then counts no pods, as upstream's nil selector */
  selector: LabelSelector | undefined;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function constraintsOf(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  return (pod.pod.spec?.topologySpreadConstraints ?? [])
    .filter((c: TopologySpreadConstraint) => c.whenUnsatisfiable === when)
    .map((c) => {
      // matchLabelKeys adds the pod's own values for those keys to the selector (a nil selector stays nothing).
      const sel: LabelSelector | undefined = c.labelSelector && { ...c.labelSelector, matchExpressions: [...(c.labelSelector.matchExpressions ?? [])] };
      for (const k of c.matchLabelKeys ?? []) {
        if (sel && pod.labels[k] !== undefined) sel.matchExpressions!.push({ key: k, operator: 'In', values: [pod.labels[k]] });
      }
      return {
        maxSkew: c.maxSkew,
        key: c.topologyKey,
        selector: sel,
        minDomains: c.minDomains ?? 1,
        honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorTaints: c.nodeTaintsPolicy === 'Honor',
      };
    });
}

function countMatching(node: NodeInfo, sel: LabelSelector | undefined, namespace: string): number {
  if (!sel) return 0;
  let n = 0;
  for (const p of node.pods.values()) {
    if (p.namespace === namespace && !p.pod.metadata?.deletionTimestamp && labelSelectorMatches(sel, p.labels)) n++;
  }
  return n;
}

function eligible(pod: PodInfo, node: NodeInfo, cs: Constraint[]): boolean {
  if (!cs.every((c) => node.labels[c.key] !== undefined)) return false;
  if (cs.some((c) => c.honorAffinity) && !podMatchesNodeAffinity(pod, node)) return false;
  if (cs.some((c) => c.honorTaints)) {
    for (const t of node.taints) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(pod.pod.spec?.tolerations, t)) return false;
    }
  }
  return true;
}

interface FilterState {
  cs: Constraint[];
  /** per constraint: domain value → matching pods */
  counts: Map<string, number>[];
}

interface ScoreState {
  cs: Constraint[];
  weights: number[];
  counts: Map<string, number>[];
  ignored: Set<string>;
}

const filterKey = 'PodTopologySpread/filter';
const scoreKey = 'PodTopologySpread/score';
const hostnameKey = 'kubernetes.io/hostname';

export const podTopologySpread: Plugin = {
  name: 'PodTopologySpread',
  events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
  preFilter(state: CycleState, pod, nodes) {
    const cs = constraintsOf(pod, 'DoNotSchedule');
    if (cs.length === 0) return skip;
    const counts = cs.map(() => new Map<string, number>());
    for (const n of nodes) {
      if (!eligible(pod, n, cs)) continue;
      cs.forEach((c, i) => {
        const v = n.labels[c.key];
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(n, c.selector, pod.namespace));
      });
    }
    state.set(filterKey, { cs, counts } satisfies FilterState);
    return null;
  },
  filter(state, pod, node) {
    const s = state.get(filterKey) as FilterState;
    for (let i = 0; i < s.cs.length; i++) {
      const c = s.cs[i];
      const v = node.labels[c.key];
      if (v === undefined) return unresolvable(ErrReasonNodeLabelNotMatch, `has no label ${c.key}`);
      const self = labelSelectorMatches(c.selector, pod.labels) ? 1 : 0;
      let min = Infinity;
      for (const n of s.counts[i].values()) min = Math.min(min, n);
      if (min === Infinity || s.counts[i].size < c.minDomains) min = 0;
      const skew = (s.counts[i].get(v) ?? 0) + self - min;
      if (skew > c.maxSkew) {
        return unschedulable(ErrReasonConstraintsNotMatch, `placing the pod in ${c.key}=${v} would make the skew ${skew}, more than maxSkew ${c.maxSkew}`);
      }
    }
    return null;
  },
  preScore(state, pod, filtered, all) {
    const cs = constraintsOf(pod, 'ScheduleAnyway');
    if (cs.length === 0) return skip;
    const ignored = new Set<string>();
    const sizes = cs.map(() => new Set<string>());
    for (const n of filtered) {
      if (!cs.every((c) => n.labels[c.key] !== undefined)) {
        ignored.add(n.name);
        continue;
      }
      cs.forEach((c, i) => sizes[i].add(n.labels[c.key]));
    }
    const counts = cs.map(() => new Map<string, number>());
    for (const n of all) {
      if (!eligible(pod, n, cs)) continue;
      cs.forEach((c, i) => {
        if (c.key === hostnameKey) return; // counted per node at Score, as upstream
        const v = n.labels[c.key];
        if (!sizes[i].has(v)) return;
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(n, c.selector, pod.namespace));
      });
    }
    const weights = sizes.map((s) => Math.log(s.size + 2));
    state.set(scoreKey, { cs, weights, counts, ignored } satisfies ScoreState);
    return null;
  },
  score(state, pod, node) {
    const s = state.get(scoreKey) as ScoreState;
    if (s.ignored.has(node.name)) return 0;
    let score = 0;
    s.cs.forEach((c, i) => {
      const v = node.labels[c.key];
      const cnt = c.key === hostnameKey ? countMatching(node, c.selector, pod.namespace) : (s.counts[i].get(v) ?? 0);
      score += cnt * s.weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalizeScore(state, _pod, scores) {
    const s = state.get(scoreKey) as ScoreState;
    let min = Infinity;
    let max = 0;
    for (const sc of scores) {
      if (s.ignored.has(sc.node)) continue;
      min = Math.min(min, sc.score);
      max = Math.max(max, sc.score);
    }
    for (const sc of scores) {
      if (s.ignored.has(sc.node)) sc.score = 0;
      else if (max === 0) sc.score = MaxNodeScore;
      else sc.score = Math.trunc((MaxNodeScore * (max + min - sc.score)) / max);
    }
  },
};
