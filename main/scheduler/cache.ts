// The scheduler's cache (upstream's internal/cache): NodeInfos kept current from the informers,
// plus "assumed" pods, placed on their node at Reserve so the next decision sees their
// resources before the binding's watch event comes back.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { objectKey } from '../api/object';
import { NodeInfo, newPodInfo, type AffinityCounters, type PodInfo } from './node-info';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  /** normalized image → number of nodes that have it (ImageLocality's spread) */
  readonly imageNodes = new Map<string, number>();
  /** pods with pod (anti-)affinity terms anywhere in the cluster */
  readonly affinityCounters: AffinityCounters = { podsWithAffinity: 0, podsWithRequiredAntiAffinity: 0 };
  private list?: NodeInfo[];

  /** Nodes pods may go to: known Node objects not being deleted, in a stable order. */
  nodeList(): NodeInfo[] {
    if (!this.list) {
      this.list = [...this.nodes.values()].filter((n) => n.node && !n.node.metadata?.deletionTimestamp);
    }
    return this.list;
  }

  getNode(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  private ensure(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) this.nodes.set(name, (n = new NodeInfo(name, undefined, this.affinityCounters)));
    return n;
  }

  addNode(node: Node): void {
    const n = this.ensure(node.metadata!.name!);
    this.countImages(n, -1);
    n.setNode(node);
    this.countImages(n, 1);
    this.list = undefined;
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const n = this.nodes.get(name);
    if (!n) return;
    this.countImages(n, -1);
    // Pods still bound to it stay accounted until they are deleted, as upstream keeps a ghost NodeInfo.
    if (n.pods.size === 0) this.nodes.delete(name);
    else {
      n.node = undefined;
      n.images = new Map();
    }
    this.list = undefined;
  }

  private countImages(n: NodeInfo, sign: 1 | -1): void {
    for (const img of n.images.keys()) {
      const c = (this.imageNodes.get(img) ?? 0) + sign;
      if (c <= 0) this.imageNodes.delete(img);
      else this.imageNodes.set(img, c);
    }
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed ?? false;
  }

  /** Reserve: account the pod on the node now. */
  assumePod(info: PodInfo, nodeName: string): void {
    this.removeState(info.key);
    this.ensure(nodeName).addPod(info);
    this.podStates.set(info.key, { info, nodeName, assumed: true });
  }

  /** Unreserve after a failed binding. Only an assumed pod is forgotten. */
  forgetPod(key: string): void {
    const s = this.podStates.get(key);
    if (s?.assumed) this.removeState(key);
  }

  /** An assigned pod seen through the informer (confirms an assumed one). */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const key = objectKey(pod);
    this.removeState(key);
    const info = newPodInfo(pod);
    this.ensure(nodeName).addPod(info);
    this.podStates.set(key, { info, nodeName, assumed: false });
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    this.removeState(objectKey(pod));
  }

  private removeState(key: string): void {
    const s = this.podStates.get(key);
    if (!s) return;
    this.podStates.delete(key);
    const n = this.nodes.get(s.nodeName);
    if (!n) return;
    n.removePod(key);
    if (!n.node && n.pods.size === 0) this.nodes.delete(s.nodeName);
  }

  get podCount(): number {
    return this.podStates.size;
  }
}
