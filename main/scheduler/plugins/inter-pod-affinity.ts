// InterPodAffinity: required pod affinity / anti-affinity (and existing pods' anti-affinity) filter
// by topology domain; preferred terms of both sides score, as upstream's interpodaffinity plugin.
import { MaxNodeScore, skip, unresolvable, unschedulable, type CycleState, type Plugin } from '../types';
import type { AffinityCounters, AffinityTerm, NodeInfo, PodInfo, WeightedAffinityTerm } from '../node-info';
import { labelSelectorMatches } from '../../api/selectors';
import type { Labels } from '../selectors';

export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

/** namespace → labels, for terms with a namespaceSelector */
export type NamespaceLabels = (namespace: string) => Labels | undefined;

export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: NamespaceLabels): boolean {
  const nsOk =
    term.namespaces.includes(pod.namespace) ||
    (term.namespaceSelector !== undefined && labelSelectorMatches(term.namespaceSelector, nsLabels(pod.namespace) ?? {}));
  return nsOk && labelSelectorMatches(term.selector, pod.labels);
}

type Counts = Map<string, number>;
const pair = (k: string, v: string) => `${k}\u0000${v}`;
const bump = (m: Counts, k: string, v: string, by: number) => m.set(pair(k, v), (m.get(pair(k, v)) ?? 0) + by);

interface FilterState {
  existingAnti: Counts;
  affinity: Counts;
  anti: Counts;
}

interface ScoreState {
  /** topology pair → score */
  topo: Counts;
  keys: Set<string>;
}

const filterKey = 'InterPodAffinity/filter';
const scoreKey = 'InterPodAffinity/score';

function describeTerm(t: AffinityTerm): string {
  const sel = [
    ...Object.entries(t.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(t.selector?.matchExpressions ?? []).map((e) => `${e.key} ${e.operator} ${(e.values ?? []).join(',')}`),
  ].join(', ');
  return t.selector ? `pods with ${sel || 'any labels'} per ${t.topologyKey}` : `no pods (the term has no labelSelector) per ${t.topologyKey}`;
}

export function interPodAffinity(nsLabels: NamespaceLabels = () => undefined, counters?: AffinityCounters): Plugin {
  return {
    name: 'InterPodAffinity',
    events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'],
    preFilter(state: CycleState, pod, nodes) {
      const hasOwn = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
      let anyAnti = counters ? counters.podsWithRequiredAntiAffinity > 0 : false;
      if (!counters)
        for (const n of nodes)
          if (n.podsWithRequiredAntiAffinity.size > 0) {
            anyAnti = true;
            break;
          }
      if (!hasOwn && !anyAnti) return skip;
      const withAnti = nodes.filter((n) => n.podsWithRequiredAntiAffinity.size > 0);
      const s: FilterState = { existingAnti: new Map(), affinity: new Map(), anti: new Map() };
      for (const n of withAnti) {
        for (const ep of n.podsWithRequiredAntiAffinity) {
          for (const t of ep.requiredAntiAffinity) {
            const v = n.labels[t.topologyKey];
            if (v !== undefined && termMatches(t, pod, nsLabels)) bump(s.existingAnti, t.topologyKey, v, 1);
          }
        }
      }
      if (hasOwn) {
        for (const n of nodes) {
          for (const ep of n.pods.values()) {
            if (pod.requiredAffinity.length > 0 && pod.requiredAffinity.every((t) => termMatches(t, ep, nsLabels))) {
              for (const t of pod.requiredAffinity) {
                const v = n.labels[t.topologyKey];
                if (v !== undefined) bump(s.affinity, t.topologyKey, v, 1);
              }
            }
            for (const t of pod.requiredAntiAffinity) {
              const v = n.labels[t.topologyKey];
              if (v !== undefined && termMatches(t, ep, nsLabels)) bump(s.anti, t.topologyKey, v, 1);
            }
          }
        }
      }
      state.set(filterKey, s);
      return null;
    },
    filter(state, pod, node) {
      const s = state.get(filterKey) as FilterState;
      if (s.existingAnti.size > 0) {
        for (const [k, v] of Object.entries(node.labels)) {
          if ((s.existingAnti.get(pair(k, v)) ?? 0) > 0) {
            return unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch, `a pod already there (per ${k}) has anti-affinity against this pod`);
          }
        }
      }
      if (pod.requiredAffinity.length > 0) {
        let exist = true;
        for (const t of pod.requiredAffinity) {
          const v = node.labels[t.topologyKey];
          if (v === undefined) return unresolvable(ErrReasonAffinityRulesNotMatch, `has no label ${t.topologyKey}`);
          if ((s.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) {
            exist = false;
            break;
          }
        }
        // The first pod of a group that has affinity to itself may go anywhere.
        if (!exist && !(s.affinity.size === 0 && pod.requiredAffinity.every((t) => termMatches(t, pod, nsLabels)))) {
          return unresolvable(ErrReasonAffinityRulesNotMatch, `has none of ${pod.requiredAffinity.map(describeTerm).join('; ')}`);
        }
      }
      if (s.anti.size > 0) {
        for (const t of pod.requiredAntiAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && (s.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) {
            return unschedulable(ErrReasonAntiAffinityRulesNotMatch, `already has ${describeTerm(t)} (${t.topologyKey}=${v})`);
          }
        }
      }
      return null;
    },
    preScore(state, pod, _nodes, all) {
      const hasOwn = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
      let any = hasOwn || (counters ? counters.podsWithAffinity > 0 : false);
      for (let i = 0; !any && !counters && i < all.length; i++) any = all[i].podsWithAffinity.size > 0;
      if (!any) return skip;
      const candidates = hasOwn ? all : all.filter((n) => n.podsWithAffinity.size > 0);
      if (candidates.length === 0) return skip;
      const s: ScoreState = { topo: new Map(), keys: new Set() };
      const process = (terms: readonly (AffinityTerm | WeightedAffinityTerm)[], target: PodInfo, node: NodeInfo, sign: number) => {
        for (const t of terms) {
          const w = 'weight' in t ? t.weight : 1;
          const v = node.labels[t.topologyKey];
          if (w === 0 || v === undefined || !termMatches(t, target, nsLabels)) continue;
          bump(s.topo, t.topologyKey, v, sign * w);
          s.keys.add(t.topologyKey);
        }
      };
      for (const n of candidates) {
        const pods = hasOwn ? n.pods.values() : n.podsWithAffinity.values();
        for (const ep of pods) {
          process(pod.preferredAffinity, ep, n, 1);
          process(pod.preferredAntiAffinity, ep, n, -1);
          // existing pods' required affinity counts with hardPodAffinityWeight 1
          process(ep.requiredAffinity, pod, n, 1);
          process(ep.preferredAffinity, pod, n, 1);
          process(ep.preferredAntiAffinity, pod, n, -1);
        }
      }
      if (s.topo.size === 0) return skip;
      state.set(scoreKey, s);
      return null;
    },
    score(state, _pod, node) {
      const s = state.get(scoreKey) as ScoreState;
      let sum = 0;
      for (const k of s.keys) {
        const v = node.labels[k];
        if (v !== undefined) sum += s.topo.get(pair(k, v)) ?? 0;
      }
      return sum;
    },
    normalizeScore(_state, _pod, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        min = Math.min(min, s.score);
        max = Math.max(max, s.score);
      }
      const diff = max - min;
      for (const s of scores) s.score = diff > 0 ? Math.trunc((MaxNodeScore * (s.score - min)) / diff) : 0;
    },
  };
}
