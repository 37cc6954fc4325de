// NodeAffinity: nodeSelector and required node affinity filter; preferred node affinity scores (sum of matching weights).
import { skip, unresolvable, type Plugin } from '../types';
import { nodeSelectorTermMatches, nodeSelectorTermsMatch, setSelectorMatches } from '../../api/selectors';
import { describeTerm } from '../selectors';
import { defaultNormalizeScore } from './helpers';

export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  events: ['NodeAdd', 'NodeUpdate'],
  preFilter(_state, pod) {
    const spec = pod.pod.spec;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (Object.keys(spec?.nodeSelector ?? {}).length === 0 && !required) return skip;
    return null;
  },
  filter(_state, pod, node) {
    const spec = pod.pod.spec;
    if (!setSelectorMatches(spec?.nodeSelector, node.labels)) {
      const missing = Object.entries(spec!.nodeSelector!).filter(([k, v]) => node.labels[k] !== v);
      return unresolvable(ErrReasonPod, `didn't match the node selector ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required && !nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node.labels, node.name)) {
      const terms = (required.nodeSelectorTerms ?? [])
        .map(describeTerm)
        .map((t) => `(${t})`)
        .join(' or ');
      return unresolvable(ErrReasonPod, `didn't match the required node affinity ${terms}`);
    }
    return null;
  },
  preScore(_state, pod) {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    return preferred && preferred.length > 0 ? null : skip;
  },
  score(_state, pod, node) {
    let sum = 0;
    for (const t of pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (t.weight !== 0 && nodeSelectorTermMatches(t.preference, node.labels, node.name)) sum += t.weight;
    }
    return sum;
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, false);
  },
};

/** nodeSelector and required node affinity, for plugins that honor them (PodTopologySpread). */
export function podMatchesNodeAffinity(pod: import('../node-info').PodInfo, node: import('../node-info').NodeInfo): boolean {
  return nodeAffinity.filter!(new Map(), pod, node) === null;
}
