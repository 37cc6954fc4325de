// metrics.k8s.io/v1beta1 as metrics-server serves it: NodeMetrics (`nodes`) and PodMetrics (`pods`), get and list
// only, read from the MetricsServer's latest scrape. With discovery listing the group, the real `kubectl top pod`
// and `kubectl top node` work against the lab.
import { StatusError } from '../api/errors';
import type { KubeObject } from '../api/object';
import type { ResourceStrategy } from '../apiserver/registry/types';
import type { CustomStorage } from '../apiserver/resources';
import { cpuQuantity, memoryQuantity, type MetricsServer, type NodeUsage, type PodUsage } from './metrics-server';

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const apiVersion = `${GROUP}/${VERSION}`;

const usage = { type: 'object', additionalProperties: { type: 'string' }, description: 'cpu and memory, as quantities.' };
const meta = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const window = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`;

export function nodeMetricsObject(n: NodeUsage): KubeObject {
  return {
    apiVersion,
    kind: 'NodeMetrics',
    metadata: { name: n.name, labels: n.labels, creationTimestamp: new Date().toISOString() },
    timestamp: new Date(n.timestamp).toISOString(),
    window: window(n.windowMs),
    usage: { cpu: cpuQuantity(n.cpu), memory: memoryQuantity(n.memory) },
  } as KubeObject;
}

export function podMetricsObject(p: PodUsage): KubeObject {
  return {
    apiVersion,
    kind: 'PodMetrics',
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels, creationTimestamp: new Date().toISOString() },
    timestamp: new Date(p.timestamp).toISOString(),
    window: window(p.windowMs),
    containers: p.containers.map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpu), memory: memoryQuantity(c.memory) } })),
  } as KubeObject;
}

const cpuCell = (cores: number) => `${Math.round(cores * 1000)}m`;
const memCell = (bytes: number) => `${Math.round(bytes / 1024 / 1024)}Mi`;

const base = {
  group: GROUP,
  version: VERSION,
  verbs: ['get', 'list'],
  tableColumns: [
    { name: 'Name', type: 'string', format: 'name', priority: 0 as const },
    { name: 'CPU', type: 'string', priority: 0 as const, description: 'CPU used (cores)' },
    { name: 'Memory', type: 'string', priority: 0 as const, description: 'memory working set' },
    { name: 'Window', type: 'string', priority: 0 as const, description: 'the interval the CPU rate is taken over' },
  ],
};

export const nodeMetricsStrategy: ResourceStrategy = {
  ...base,
  kind: 'NodeMetrics',
  resource: 'nodes',
  singular: '',
  namespaced: false,
  schema: {
    type: 'object',
    description: "The resource use of a node: the sum of the lab's containers on it.",
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: meta,
      timestamp: { type: 'string', format: 'date-time' },
      window: { type: 'string' },
      usage,
    },
  },
  tableRow: (o) => {
    const u = o as unknown as { usage: { cpu: string; memory: string }; window: string };
    return [o.metadata.name, cpuCell(Number(u.usage.cpu.slice(0, -1)) / 1e9), memCell(Number(u.usage.memory.slice(0, -2)) * 1024), u.window];
  },
};

export const podMetricsStrategy: ResourceStrategy = {
  ...base,
  kind: 'PodMetrics',
  resource: 'pods',
  singular: '',
  namespaced: true,
  schema: {
    type: 'object',
    description: 'The resource use of a pod, per container.',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: meta,
      timestamp: { type: 'string', format: 'date-time' },
      window: { type: 'string' },
      containers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, usage } } },
    },
  },
  tableRow: (o) => {
    const cs = o as unknown as { containers: { usage: { cpu: string; memory: string } }[]; window: string };
    const cpu = cs.containers.reduce((n, c) => n + Number(c.usage.cpu.slice(0, -1)) / 1e9, 0);
    const mem = cs.containers.reduce((n, c) => n + Number(c.usage.memory.slice(0, -2)) * 1024, 0);
    return [o.metadata.name, cpuCell(cpu), memCell(mem), cs.window];
  },
};

// metrics-server's own not-found, which `kubectl top pod NAME` prints
const notFound = (resource: string, name: string) =>
  new StatusError(404, 'NotFound', `${resource}.${GROUP} "${name}" not found`, { name, group: GROUP, kind: resource });

export function nodeMetricsStorage(ms: () => MetricsServer | undefined): CustomStorage {
  return {
    async get(req) {
      const n = ms()?.node(req.name ?? '');
      if (!n) throw notFound('nodemetrics', req.name ?? '');
      return nodeMetricsObject(n);
    },
    async list() {
      return { items: (ms()?.nodeMetrics() ?? []).map(nodeMetricsObject), resourceVersion: '0' };
    },
  };
}

export function podMetricsStorage(ms: () => MetricsServer | undefined): CustomStorage {
  return {
    async get(req) {
      const p = ms()?.pod(req.namespace ?? 'default', req.name ?? '');
      if (!p) throw notFound('podmetrics', `${req.namespace ?? 'default'}/${req.name ?? ''}`);
      return podMetricsObject(p);
    },
    async list(req) {
      const all = ms()?.podMetrics() ?? [];
      return { items: all.filter((p) => !req.namespace || p.namespace === req.namespace).map(podMetricsObject), resourceVersion: '0' };
    },
  };
}
