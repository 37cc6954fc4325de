// NodeName: a pod that names its node fits only there.
import { unresolvable, type Plugin } from '../types';

export const ErrReasonNodeName = "node(s) didn't match the requested node name";

export const nodeName: Plugin = {
  name: 'NodeName',
  events: ['NodeAdd'],
  filter(_state, pod, node) {
    const want = pod.pod.spec?.nodeName;
    if (!want || want === node.name) return null;
    return unresolvable(ErrReasonNodeName, `is not the requested node ${want}`);
  },
};
