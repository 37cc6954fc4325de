// Kubelets by node name, in-process: the stream handler (logs, exec) finds a pod's node here,
// as upstream's apiserver dials the node's kubelet.
import type { Kubelet } from './index';

const kubelets = new Map<string, Kubelet>();

export function registerKubelet(k: Kubelet): void {
  kubelets.set(k.nodeName, k);
}

export function unregisterKubelet(k: Kubelet): void {
  if (kubelets.get(k.nodeName) === k) kubelets.delete(k.nodeName);
}

export function kubeletFor(nodeName: string): Kubelet | undefined {
  return kubelets.get(nodeName);
}

export function allKubelets(): Kubelet[] {
  return [...kubelets.values()];
}
