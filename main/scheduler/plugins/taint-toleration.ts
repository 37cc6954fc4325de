// TaintToleration: NoSchedule/NoExecute taints must be tolerated; untolerated PreferNoSchedule taints lower the score.
import { unresolvable, type Plugin } from '../types';
import { defaultNormalizeScore, taintString, tolerated } from './helpers';

export const taintToleration: Plugin = {
  name: 'TaintToleration',
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, node) {
    const tolerations = pod.pod.spec?.tolerations;
    for (const t of node.taints) {
      if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
      if (!tolerated(tolerations, t)) {
        return unresolvable(`node(s) had untolerated taint ${taintString(t)}`, `has taint ${t.key}${t.value ? '=' + t.value : ''}:${t.effect} that the pod does not tolerate`);
      }
    }
    return null;
  },
  score(_state, pod, node) {
    // Only PreferNoSchedule tolerations count here, as upstream's getAllTolerationPreferNoSchedule.
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let n = 0;
    for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !tolerated(tolerations, t)) n++;
    return n;
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, true);
  },
};
