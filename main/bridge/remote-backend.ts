// The bridge backend for another cluster, reached through a kubeconfig context: the same contract as the lab's
// (requests, watches, logs, exec, port-forward, usage charts), over HTTPS with that context's credentials. What only
// the lab has (Docker contexts as nodes, step mode, image pulls, pod traces) is not there: lab-only resources read
// as empty, and the UI, told by status().external, hides those views or rebuilds them from events and conditions.
import { toMilli, toValue } from '../api/quantity';
import type { KubeObject } from '../api/object';
import type { ApiWatch } from '../apiserver/types';
import type { ResourceType } from '../client/types';
import { logger } from '../log';
import type { ClusterStatus, UsageSeriesInfo } from './contract';
import { endpointOf, type Kubeconfig } from './kubeconfig';
import { discover, openapi, table } from './api-http';
import { PortForwards } from './port-forwards';
import { remoteClient, type RemoteClient } from './remote-client';
import type { BridgeBackend } from './server';
import { startExec, streamLogs } from './streams-client';

const log = logger('bridge');

type Obj = Record<string, any>;

/** groups only the lab serves: on another cluster they read as empty rather than failing every few seconds */
const LAB_ONLY_GROUPS = new Set(['lab.kubelab.io']);

const METRICS_EVERY_MS = 10_000;
const KEEP_UNASKED_MS = 60_000;

const cores = (q: string | undefined) => {
  try {
    return q === undefined ? 0 : Number(toMilli(q)) / 1000;
  } catch {
    return 0;
  }
};
const bytesOf = (q: string | undefined) => {
  try {
    return q === undefined ? 0 : Number(toValue(q));
  } catch {
    return 0;
  }
};

/** Usage history of another cluster's pods and nodes: sampled from its metrics.k8s.io while the UI asks for it. */
class MetricsSampler {
  private readonly series = new Map<string, { points: UsageSeriesInfo['points']; asked: number; timer?: ReturnType<typeof setInterval> }>();
  private unavailable?: string;

  constructor(private readonly client: RemoteClient) {}

  private async sample(kind: 'Pod' | 'Node', name: string, namespace?: string): Promise<void> {
    const key = `${kind}/${namespace ?? ''}/${name}`;
    const s = this.series.get(key);
    if (!s) return;
    if (Date.now() - s.asked > KEEP_UNASKED_MS) {
      clearInterval(s.timer);
      this.series.delete(key);
      return;
    }
    try {
      const path =
        kind === 'Pod'
          ? `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace ?? 'default')}/pods/${encodeURIComponent(name)}`
          : `/apis/metrics.k8s.io/v1beta1/nodes/${encodeURIComponent(name)}`;
      const m = await this.client.raw<Obj>(path);
      const t = Date.parse(m.timestamp ?? '') || Date.now();
      if (s.points.at(-1)?.t === t) return;
      if (kind === 'Node') s.points.push({ t, cpu: cores(m.usage?.cpu), memory: bytesOf(m.usage?.memory) });
      else {
        const containers: Record<string, { cpu: number; memory: number }> = Object.fromEntries(
          ((m.containers ?? []) as Obj[]).map((c) => [c.name, { cpu: cores(c.usage?.cpu), memory: bytesOf(c.usage?.memory) }]),
        );
        const vals = Object.values(containers);
        s.points.push({ t, cpu: vals.reduce((n, c) => n + c.cpu, 0), memory: vals.reduce((n, c) => n + c.memory, 0), containers });
      }
      if (s.points.length > 120) s.points.splice(0, s.points.length - 120);
      this.unavailable = undefined;
    } catch (e) {
      const code = (e as { code?: number }).code;
      // 404 on the group: no metrics-server; 404 on the object: not scraped yet (too young), keep trying
      if (code === 404 && /the server could not find the requested resource|page not found/i.test((e as Error).message)) {
        this.unavailable = 'this cluster does not serve metrics.k8s.io (no metrics-server installed)';
      }
    }
  }

  async read(kind: 'Pod' | 'Node', name: string, namespace?: string): Promise<UsageSeriesInfo> {
    const key = `${kind}/${namespace ?? ''}/${name}`;
    let s = this.series.get(key);
    if (!s) {
      s = { points: [], asked: Date.now() };
      this.series.set(key, s);
      s.timer = setInterval(() => void this.sample(kind, name, namespace), METRICS_EVERY_MS);
      await this.sample(kind, name, namespace);
    }
    s.asked = Date.now();
    return { intervalMs: METRICS_EVERY_MS, points: [...s.points], ...(this.unavailable ? { unavailable: this.unavailable } : {}) };
  }

  close(): void {
    for (const s of this.series.values()) clearInterval(s.timer);
    this.series.clear();
  }
}

export type RemoteBackend = BridgeBackend & { close(): void };

/** Connects to a kubeconfig context: reads /version first, so a cluster that does not answer is refused with why. */
export async function remoteBackend(k: Kubeconfig, context: string): Promise<RemoteBackend> {
  const endpoint = endpointOf(k, context);
  const first = await endpoint();
  const client = remoteClient(endpoint);
  const version = await client.raw<{ gitVersion?: string }>('/version');
  const ctx = k.contexts.find((c) => c.name === context)!;
  log.info('connected to a kubeconfig context', { context, server: first.url, version: version?.gitVersion });

  const labOnly = (t: ResourceType) => LAB_ONLY_GROUPS.has(t.group);
  const notServed = (t: ResourceType, name = '') =>
    Object.assign(new Error(`${t.resource}.${t.group} "${name}" not found: ${t.kind} exists only in the lab`), { code: 404, reason: 'NotFound' });
  const client2: BridgeBackend['client'] = {
    get: (t, name, ns, sub) => (labOnly(t) ? Promise.reject(notServed(t, name)) : client.get(t, name, ns, sub)),
    list: <T extends KubeObject>(t: ResourceType, o?: Parameters<RemoteClient['list']>[1]) =>
      labOnly(t) ? Promise.resolve({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '0' }, items: [] as T[] }) : client.list<T>(t, o),
    watch: async (t, o, cb): Promise<ApiWatch> => {
      if (!labOnly(t)) return client.watch(t, o, cb);
      let stop!: () => void;
      const done = new Promise<void>((r) => (stop = r));
      return { stop, done };
    },
    create: (t, obj, o) => (labOnly(t) ? Promise.reject(notServed(t)) : client.create(t, obj, o)),
    update: (t, obj, o) => (labOnly(t) ? Promise.reject(notServed(t)) : client.update(t, obj as KubeObject, o)),
    patch: (t, name, type, p, o) => (labOnly(t) ? Promise.reject(notServed(t, name)) : client.patch(t, name, type, p, o)),
    delete: (t, name, o) => (labOnly(t) ? Promise.reject(notServed(t, name)) : client.delete(t, name, o)),
  };

  const portForwards = new PortForwards({ client: () => client2, endpoint });
  const metrics = new MetricsSampler(client);
  const status: ClusterStatus = {
    phase: 'STARTED',
    apiUrl: first.url,
    version: version?.gitVersion,
    external: { context, server: first.url, ...(ctx.value.user ? { user: ctx.value.user } : {}) },
  };
  return {
    client: client2,
    status: () => status,
    // discovery, Tables and OpenAPI as kubectl reads them, for the views generated from what that cluster serves
    http: {
      discovery: async () => (await discover(await endpoint())).filter((r) => !LAB_ONLY_GROUPS.has(r.group)),
      table: async (ref, opts) => table(await endpoint(), ref, opts),
      openapi: async (group, version) => openapi(await endpoint(), group, version),
    },
    logs: async (o, onChunk, onEnd) => streamLogs(await endpoint(), o, onChunk, onEnd),
    exec: async (o, cb) => startExec(await endpoint(), o, cb),
    portForwards,
    metrics: { series: (kind, name, namespace) => metrics.read(kind, name, namespace) },
    close() {
      portForwards.closeAll();
      metrics.close();
    },
  };
}
