// The metrics-server role: every resolution period it reads each node's running containers' counters from the
// runtime (Docker's one-shot stats, or the virtual runtime's simulation), as metrics-server scrapes each kubelet's
// cAdvisor, turns two readings into a CPU rate, and keeps the latest PodMetrics and NodeMetrics (served as
// metrics.k8s.io/v1beta1, so `kubectl top` works) plus a short history per pod and node for the UI's charts.
// Cost: one list and one short stats request per running container per period, a few at a time per node.
import type { Kubelet } from '../kubelet/index';
import { logger } from '../log';
import type { ContainerStatsSample } from '../runtime/types';

const log = logger('metrics-server');

/** One point of a series: cores and bytes. */
export interface UsagePoint {
  /** ms since the epoch */
  t: number;
  cpu: number;
  memory: number;
}

export interface ContainerUsage {
  name: string;
  cpu: number;
  memory: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  node: string;
  labels: Record<string, string>;
  timestamp: number;
  windowMs: number;
  containers: ContainerUsage[];
}

export interface NodeUsage {
  name: string;
  labels: Record<string, string>;
  timestamp: number;
  windowMs: number;
  cpu: number;
  memory: number;
}

export interface UsageSeries {
  /** how often a point is added */
  intervalMs: number;
  points: (UsagePoint & { containers?: Record<string, { cpu: number; memory: number }> })[];
}

/** CPU cores used between two readings of one container; undefined when they cannot be compared (a restart). */
export function cpuRate(prev: ContainerStatsSample, cur: ContainerStatsSample): number | undefined {
  const dt = cur.timestamp - prev.timestamp;
  const used = cur.cpuUsageNanos - prev.cpuUsageNanos;
  if (dt <= 0 || used < 0) return undefined;
  return used / (dt * 1e6);
}

/** metrics-server's quantity forms: nanocores (`1234567n`) and Ki (`20480Ki`). */
export const cpuQuantity = (cores: number) => `${Math.max(0, Math.round(cores * 1e9))}n`;
export const memoryQuantity = (bytes: number) => `${Math.max(0, Math.round(bytes / 1024))}Ki`;

const HISTORY = 120;

interface Known {
  sample: ContainerStatsSample;
  prevTimestamp?: number;
  cpu?: number;
}

export interface MetricsServerOptions {
  kubelets: () => Kubelet[];
  /** the scrape period (metrics-server's --metric-resolution); default 5 s */
  resolutionMs?: number;
}

export class MetricsServer {
  readonly resolutionMs: number;
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;
  private scraping?: Promise<void>;
  private readonly containers = new Map<string, Known>();
  private pods = new Map<string, PodUsage>();
  private nodes = new Map<string, NodeUsage>();
  private readonly history = new Map<string, UsageSeries['points']>();
  /** per node, when its last scrape answered: the window of the next one */
  private readonly lastScrape = new Map<string, number>();

  constructor(private readonly opts: MetricsServerOptions) {
    this.resolutionMs = opts.resolutionMs ?? 5000;
  }

  async start(): Promise<void> {
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      this.scraping = this.scrape().catch((e) => log.warn('scrape failed', { error: String((e as Error)?.message ?? e) }));
      void this.scraping.then(() => {
        if (this.running) this.timer = setTimeout(loop, this.resolutionMs);
      });
    };
    loop();
    log.info('started', { resolution: `${this.resolutionMs / 1000}s` });
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.scraping;
  }

  podMetrics(): PodUsage[] {
    return [...this.pods.values()];
  }

  nodeMetrics(): NodeUsage[] {
    return [...this.nodes.values()];
  }

  pod(namespace: string, name: string): PodUsage | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  node(name: string): NodeUsage | undefined {
    return this.nodes.get(name);
  }

  series(kind: 'Pod' | 'Node', name: string, namespace?: string): UsageSeries {
    return { intervalMs: this.resolutionMs, points: [...(this.history.get(kind === 'Pod' ? `pod/${namespace}/${name}` : `node/${name}`) ?? [])] };
  }

  private remember(key: string, p: UsageSeries['points'][number]): void {
    const h = this.history.get(key) ?? [];
    h.push(p);
    if (h.length > HISTORY) h.splice(0, h.length - HISTORY);
    this.history.set(key, h);
  }

  /** One scrape of every node; a node that fails keeps its last metrics out (as metrics-server drops an unreachable kubelet). */
  async scrape(): Promise<void> {
    const pods = new Map<string, PodUsage>();
    const nodes = new Map<string, NodeUsage>();
    const seen = new Set<string>();
    await Promise.all(
      this.opts.kubelets().map(async (k) => {
        if (!k.runtime.containerStats) return;
        try {
          const running = (await k.runtime.listContainers()).filter((c) => c.state === 'running');
          const samples = await k.runtime.containerStats(running.map((c) => c.id));
          const byId = new Map(running.map((c) => [c.id, c]));
          let nodeCpu = 0;
          let nodeMemory = 0;
          const timestamp = Date.now();
          const prevScrape = this.lastScrape.get(k.nodeName);
          this.lastScrape.set(k.nodeName, timestamp);
          for (const s of samples) {
            const c = byId.get(s.id);
            if (!c) continue;
            seen.add(s.id);
            const known = this.containers.get(s.id);
            const cpu = known ? cpuRate(known.sample, s) : undefined;
            this.containers.set(s.id, { sample: s, prevTimestamp: known?.sample.timestamp, cpu });
            nodeMemory += s.memoryWorkingSetBytes;
            if (cpu === undefined || !known) continue;
            nodeCpu += cpu;
            const pod = k.findPod(c.pod.namespace, c.pod.name);
            if (!pod || pod.metadata?.uid !== c.pod.uid) continue;
            const key = `${c.pod.namespace}/${c.pod.name}`;
            const pu = pods.get(key) ?? {
              namespace: c.pod.namespace,
              name: c.pod.name,
              node: k.nodeName,
              labels: { ...(pod.metadata?.labels ?? {}) },
              timestamp: s.timestamp,
              windowMs: s.timestamp - known.sample.timestamp,
              containers: [],
            };
            pu.containers.push({ name: c.name, cpu, memory: s.memoryWorkingSetBytes });
            pu.timestamp = Math.max(pu.timestamp, s.timestamp);
            pods.set(key, pu);
          }
          // a node's usage is what the lab runs on it; from its second scrape on, so the CPU has a window
          if (prevScrape !== undefined) {
            nodes.set(k.nodeName, {
              name: k.nodeName,
              labels: { ...(k.node?.metadata?.labels ?? {}) },
              timestamp,
              windowMs: timestamp - prevScrape,
              cpu: nodeCpu,
              memory: nodeMemory,
            });
          }
        } catch (e) {
          this.lastScrape.delete(k.nodeName);
          log.debug('node not scraped', { node: k.nodeName, error: String((e as Error)?.message ?? e) });
        }
      }),
    );
    for (const id of this.containers.keys()) if (!seen.has(id)) this.containers.delete(id);
    const live = new Set(this.opts.kubelets().map((k) => k.nodeName));
    for (const n of this.lastScrape.keys()) if (!live.has(n)) this.lastScrape.delete(n);
    this.pods = pods;
    this.nodes = nodes;
    for (const p of pods.values()) {
      this.remember(`pod/${p.namespace}/${p.name}`, {
        t: p.timestamp,
        cpu: p.containers.reduce((n, c) => n + c.cpu, 0),
        memory: p.containers.reduce((n, c) => n + c.memory, 0),
        containers: Object.fromEntries(p.containers.map((c) => [c.name, { cpu: c.cpu, memory: c.memory }])),
      });
    }
    for (const n of nodes.values()) this.remember(`node/${n.name}`, { t: n.timestamp, cpu: n.cpu, memory: n.memory });
    // pods gone: their history goes with them
    for (const key of this.history.keys()) {
      if (key.startsWith('pod/') && !pods.has(key.slice(4)) && this.history.get(key)!.at(-1)!.t < Date.now() - 60_000) this.history.delete(key);
    }
  }
}
