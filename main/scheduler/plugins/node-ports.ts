// NodePorts: a hostPort can be taken once per protocol and address; 0.0.0.0 conflicts with every address.
import { unschedulable, type Plugin } from '../types';

export const ErrReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";

export const nodePorts: Plugin = {
  name: 'NodePorts',
  events: ['AssignedPodDelete', 'NodeAdd'],
  preFilter(_state, pod) {
    return pod.hostPorts.length === 0 ? { code: 'Skip', reasons: [] } : null;
  },
  filter(_state, pod, node) {
    for (const hp of pod.hostPorts) {
      const used = node.usedPorts.get(`${hp.protocol}/${hp.port}`);
      if (!used) continue;
      const wildcard = hp.hostIP === '0.0.0.0';
      if (wildcard || used.has(hp.hostIP) || used.has('0.0.0.0')) {
        return unschedulable(ErrReasonNodePorts, `hostPort ${hp.port}/${hp.protocol} is already in use there`);
      }
    }
    return null;
  },
};
