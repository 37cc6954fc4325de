// Plain-data builders for scheduler tests: nodes and pods as the API would hold them.
import type { Affinity, Container, Node, Pod, Taint, Toleration, TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import { SchedulerCache } from '../../../main/scheduler/cache';
import { newPodInfo, type NodeInfo } from '../../../main/scheduler/node-info';
import type { Plugin, Status } from '../../../main/scheduler/types';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
}

export function node(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) },
      capacity: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) },
      images: o.images,
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostPort?: number | { port: number; hostIP?: string; protocol?: string };
  image?: string;
  containers?: Container[];
  initContainers?: Container[];
  overhead?: Record<string, string>;
  spread?: TopologySpreadConstraint[];
  priority?: number;
  schedulerName?: string;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const hp = typeof o.hostPort === 'number' ? { port: o.hostPort } : o.hostPort;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', labels: o.labels, uid: `uid-${name}` },
    spec: {
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      affinity: o.affinity,
      tolerations: o.tolerations,
      overhead: o.overhead,
      topologySpreadConstraints: o.spread,
      priority: o.priority,
      schedulerName: o.schedulerName ?? 'default-scheduler',
      initContainers: o.initContainers,
      containers: o.containers ?? [
        {
          name: 'app',
          image: o.image ?? 'nginx:1.22',
          resources: Object.keys(requests).length ? { requests } : undefined,
          ports: hp ? [{ containerPort: 80, hostPort: hp.port, hostIP: hp.hostIP, protocol: hp.protocol }] : undefined,
        },
      ],
    },
    status: { phase: 'Pending' },
  };
}

/** NodeInfos as the scheduler's cache would hold them, with `existing` pods placed on their nodeName. */
export function nodeInfos(nodes: Node[], existing: Pod[] = []): { cache: SchedulerCache; infos: NodeInfo[] } {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of existing) cache.addPod(p);
  return { cache, infos: cache.nodeList() };
}

/** Run one plugin's PreFilter + Filter for a pod over nodes: node → 'ok' or its reasons joined. */
export function filterWith(plugin: Plugin, p: Pod, nodes: Node[], existing: Pod[] = []): Record<string, string> {
  const { infos } = nodeInfos(nodes, existing);
  const info = newPodInfo(p);
  const state = new Map();
  const pre: Status | null | undefined = plugin.preFilter?.(state, info, infos);
  const out: Record<string, string> = {};
  for (const n of infos) {
    if (pre?.code === 'Skip') {
      out[n.name] = 'ok';
      continue;
    }
    if (pre && pre.code !== 'Success') {
      out[n.name] = pre.reasons.join(', ');
      continue;
    }
    const s = plugin.filter!(state, info, n);
    out[n.name] = s ? s.reasons.join(', ') : 'ok';
  }
  return out;
}

/** Run one plugin's PreScore + Score + NormalizeScore: node → [raw, normalized], or 'skip'. */
export function scoreWith(plugin: Plugin, p: Pod, nodes: Node[], existing: Pod[] = []): Record<string, [number, number]> | 'skip' {
  const { infos } = nodeInfos(nodes, existing);
  const info = newPodInfo(p);
  const state = new Map();
  const pre = plugin.preScore?.(state, info, infos, infos);
  if (pre?.code === 'Skip') return 'skip';
  const scores = infos.map((n) => ({ node: n.name, score: plugin.score!(state, info, n) }));
  const raw = scores.map((s) => s.score);
  plugin.normalizeScore?.(state, info, scores);
  return Object.fromEntries(scores.map((s, i) => [s.node, [raw[i], s.score]]));
}
