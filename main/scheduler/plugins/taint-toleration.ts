// TaintToleration: NoSchedule/NoExecute taints must be tolerated; untolerated PreferNoSchedule taints lower the score.
import type { Toleration } from 'kubernetes-types/core/v1';
import { unresolvable, type Plugin } from '../types';
import { defaultNormalizeScore, taintString, tolerated } from './helpers';

const stateKey = 'TaintToleration/preferNoSchedule';

export const taintToleration: Plugin = {
  name: 'TaintToleration',
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, node) {
    const tolerations = pod.pod.spec?.tolerations;
    for (const t of node.taints) {
      if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
      if (!tolerated(tolerations, t)) {
        return unresolvable(
          `node(s) had untolerated taint ${taintString(t)}`,
          `has taint ${t.key}${t.value ? '=' + t.value : ''}:${t.effect} that the pod does not tolerate`,
        );
      }
    }
    return null;
  },
  preScore(state, pod) {
    // Only PreferNoSchedule tolerations count here, as upstream's getAllTolerationPreferNoSchedule.
    state.set(
      stateKey,
      (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule'),
    );
    return null;
  },
  score(state, _pod, node) {
    if (node.taints.length === 0) return 0;
    const tolerations = state.get(stateKey) as Toleration[];
    let n = 0;
    for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !tolerated(tolerations, t)) n++;
    return n;
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, true);
  },
};
