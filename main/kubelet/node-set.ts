// The lab's nodes, owned by the cluster (main/cluster.ts): node name -> what the node is (Docker context and engine,
// or simulated), its runtime and its kubelet. Handed to whoever reaches a node's kubelet (the apiserver's streams,
// as upstream's apiserver dials the node's kubelet; the metrics server; the bridge), instead of a process-global map.
import type Docker from 'dockerode';
import type { Pod } from 'kubernetes-types/core/v1';
import type { DockerRuntime } from '../runtime/docker/index';
import type { ContainerRuntime } from '../runtime/types';
import type { Kubelet } from './index';

export interface LabNode {
  name: string;
  kind: 'docker' | 'virtual';
  /** Docker context it runs on (docker nodes) */
  context?: string;
  host?: string;
  engineVersion?: string;
  /** sandbox image prepared in its engine */
  sandboxImage?: string;
  docker?: Docker;
}

export interface NodeEntry {
  node: LabNode;
  runtime?: ContainerRuntime;
  /** set once the kubelet has started; gone again when it stops */
  kubelet?: Kubelet;
}

/** What the parts that reach kubelets need of the node set: a node's kubelet, and all of them. */
export interface KubeletLookup {
  kubelet(nodeName: string): Kubelet | undefined;
  kubelets(): Kubelet[];
}

export class NodeSet implements KubeletLookup {
  private readonly entries = new Map<string, NodeEntry>();

  /** Adds a node of the lab (its kubelet comes later, with setKubelet); a name is taken once. */
  add(node: LabNode): NodeEntry {
    if (this.entries.has(node.name)) throw new Error(`node ${node.name} is in the node set already`);
    const entry: NodeEntry = { node };
    this.entries.set(node.name, entry);
    return entry;
  }

  /** The node's runtime and started kubelet: from now on its streams and metrics reach it. */
  setKubelet(nodeName: string, kubelet: Kubelet, runtime: ContainerRuntime): void {
    const entry = this.entries.get(nodeName);
    if (!entry) throw new Error(`node ${nodeName} is not in the node set`);
    if (kubelet.nodeName !== nodeName) throw new Error(`kubelet of node ${kubelet.nodeName} given for node ${nodeName}`);
    entry.kubelet = kubelet;
    entry.runtime = runtime;
  }

  /** The node stays, its kubelet is no longer reached (it is stopping). */
  clearKubelet(nodeName: string): Kubelet | undefined {
    const entry = this.entries.get(nodeName);
    const k = entry?.kubelet;
    if (entry) entry.kubelet = undefined;
    return k;
  }

  remove(nodeName: string): NodeEntry | undefined {
    const entry = this.entries.get(nodeName);
    this.entries.delete(nodeName);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  has(nodeName: string): boolean {
    return this.entries.has(nodeName);
  }

  get(nodeName: string): NodeEntry | undefined {
    return this.entries.get(nodeName);
  }

  /** The nodes, in the order they were added. */
  nodes(): LabNode[] {
    return [...this.entries.values()].map((e) => e.node);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  kubelet(nodeName: string): Kubelet | undefined {
    return this.entries.get(nodeName)?.kubelet;
  }

  /** The running kubelets, in node order. */
  kubelets(): Kubelet[] {
    return [...this.entries.values()].flatMap((e) => (e.kubelet ? [e.kubelet] : []));
  }

  /** The Docker nodes' runtimes (the proxy keeps a Service relay on each). */
  dockerRuntimes(): DockerRuntime[] {
    return [...this.entries.values()].flatMap((e) => (e.runtime?.name === 'docker' ? [e.runtime as DockerRuntime] : []));
  }
}

/** A pod as the kubelets see it, for stream handlers that have no API client to read it with. */
export function findPodInKubelets(kubelets: KubeletLookup | undefined, namespace: string, name: string): Pod | undefined {
  for (const k of kubelets?.kubelets() ?? []) {
    const p = k.findPod(namespace, name);
    if (p) return p;
  }
  return undefined;
}
