// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods tolerating its taint.
import { unresolvable, type Plugin } from '../types';
import { tolerated } from './helpers';

export const ErrReasonUnschedulable = 'node(s) were unschedulable';

export const nodeUnschedulable: Plugin = {
  name: 'NodeUnschedulable',
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, node) {
    if (!node.unschedulable) return null;
    if (tolerated(pod.pod.spec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return null;
    return unresolvable(ErrReasonUnschedulable, 'is cordoned (spec.unschedulable)');
  },
};
