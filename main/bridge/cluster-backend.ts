// The bridge backend for a running lab (serve and the Electron app): the in-process API client for requests
// and watches, HTTPS streams for logs/exec, the cluster's lifecycle, Docker contexts and step mode.
import type { Client } from '../client/types';
import { R } from '../client/types';
import type { UserInfo } from '../apiserver/types';
import type { KubeletLookup } from '../kubelet/node-set';
import type { ClusterStatus, DockerContextInfo, PullProgressInfo, ResetInfo, StepState, StepTarget, UsageSeriesInfo } from './contract';
import type { BridgeBackend } from './server';
import { PortForwards } from './port-forwards';
import { startExec, streamLogs, type ApiEndpoint } from './streams-client';
import { discover, openapi, table } from './api-http';

/** The identity UI requests carry: a cluster admin, named so audit lines and traces say "the app". */
export const UI_USER: UserInfo = { username: 'kubelab:ui', groups: ['system:masters', 'system:authenticated'] };

interface Pausable {
  pause(): void;
  resume(): void;
  readonly isPaused: boolean;
}

/** What the bridge reads off the composition root; main/cluster.ts's Cluster has this shape. */
export interface LabLike {
  status(): ClusterStatus;
  on(event: 'status', cb: (s: ClusterStatus) => void): unknown;
  off(event: 'status', cb: (s: ClusterStatus) => void): unknown;
  contexts(): Promise<DockerContextInfo[]>;
  addNode?(context: string): Promise<{ name: string; context?: string; host?: string; engineVersion?: string }>;
  removeNode?(node: string): Promise<void>;
  /** stop, remove its engine objects, delete the data dir; start() then makes a new lab */
  reset?(): Promise<ResetInfo>;
  start?(): Promise<void>;
  apiUrl?: string;
  pki?: { caCert: string; tokens: { admin: string } };
  /** the API server, for in-process clients */
  api?: { client(user: UserInfo): Client };
  scheduler?: Pausable & { slowMotionMs?: number };
  /** the lab's nodes and their kubelets (step mode, image pulls) */
  nodeSet?: KubeletLookup;
  /** the metrics server, when metrics are on */
  metrics?: { series(kind: 'Pod' | 'Node', name: string, namespace?: string): { intervalMs: number; points: UsageSeriesInfo['points'] } };
}

export function clusterBackend(lab: LabLike, client?: Client): BridgeBackend {
  let cached: Client | undefined = client;
  let cachedFor: unknown;
  const getClient = (): Client => {
    // a reset starts a new lab with a new API server: the client follows it
    if (!client && lab.api !== cachedFor) {
      cachedFor = lab.api;
      cached = lab.api?.client(UI_USER);
    }
    if (!cached) throw Object.assign(new Error('the API server is not running yet'), { status: 503, reason: 'ServiceUnavailable' });
    return cached;
  };
  const endpoint = (): ApiEndpoint => {
    if (!lab.apiUrl || !lab.pki) throw Object.assign(new Error('the API server is not serving yet'), { status: 503, reason: 'ServiceUnavailable' });
    return { url: lab.apiUrl, token: lab.pki.tokens.admin, ca: lab.pki.caCert };
  };
  // forwards go through the API server's pods/portforward, as kubectl's do; the lab stopping ends them
  const portForwards = new PortForwards({ client: getClient, endpoint });
  lab.on('status', (s) => (s.phase === 'STOPPING' || s.phase === 'STOPPED') && portForwards.closeAll());
  let slowMotionMs = 0;
  const kubelets = () => lab.nodeSet?.kubelets() ?? [];
  const pullsNow = (): PullProgressInfo[] =>
    kubelets().flatMap((k) => [...k.images.progress.values()].map((p) => ({ node: k.nodeName, image: p.image, layers: p.layers.map((l) => ({ ...l })) })));
  // the image manager keeps progress in memory without events: sample it while someone watches
  const pullListeners = new Set<(p: PullProgressInfo[]) => void>();
  let pullTimer: ReturnType<typeof setInterval> | undefined;
  let lastPulls = '[]';
  const samplePulls = () => {
    const now = pullsNow();
    const s = JSON.stringify(now);
    if (s === lastPulls) return;
    lastPulls = s;
    pullListeners.forEach((l) => l(now));
  };
  const stepListeners = new Set<(s: StepState) => void>();
  const stepState = (): StepState => ({
    scheduler: lab.scheduler?.isPaused ?? false,
    kubelets: Object.fromEntries(kubelets().map((k) => [k.nodeName, k.isPaused])),
    slowMotionMs: lab.scheduler?.slowMotionMs ?? slowMotionMs,
  });

  // every client method resolves the client at call time: the bridge may connect before the API is up
  const lazy: BridgeBackend['client'] = {
    get: (...a) => getClient().get(...a),
    list: (...a) => getClient().list(...a),
    watch: (...a) => getClient().watch(...a),
    create: (...a) => getClient().create(...a),
    update: (...a) => getClient().update(...a),
    patch: (...a) => getClient().patch(...a),
    delete: (...a) => getClient().delete(...a),
  };

  return {
    client: lazy,
    status: () => lab.status(),
    onStatus(cb) {
      lab.on('status', cb);
      return () => lab.off('status', cb);
    },
    http: {
      discovery: () => discover(endpoint()),
      table: (ref, opts) => table(endpoint(), ref, opts),
      openapi: (group, version) => openapi(endpoint(), group, version),
    },
    logs: (o, onChunk, onEnd) => streamLogs(endpoint(), o, onChunk, onEnd),
    exec: (o, cb) => startExec(endpoint(), o, cb),
    contexts: () => lab.contexts(),
    nodes: {
      async add(context) {
        if (!lab.addNode) throw Object.assign(new Error('adding nodes is not available in this lab'), { status: 501, reason: 'NotImplemented' });
        const n = await lab.addNode(context);
        return { name: n.name, context: n.context ?? context, host: n.host, engineVersion: n.engineVersion };
      },
      async remove(node) {
        if (!lab.removeNode) throw Object.assign(new Error('removing nodes is not available in this lab'), { status: 501, reason: 'NotImplemented' });
        await lab.removeNode(node);
      },
    },
    step: {
      get: stepState,
      set(target: StepTarget, paused: boolean) {
        const p: Pausable | undefined = target.component === 'scheduler' ? lab.scheduler : lab.nodeSet?.kubelet(target.node);
        if (!p) {
          throw Object.assign(new Error(target.component === 'scheduler' ? 'the scheduler is not running' : `no kubelet for node "${target.node}"`), {
            status: 404,
            reason: 'NotFound',
          });
        }
        if (paused) p.pause();
        else p.resume();
        stepListeners.forEach((l) => l(stepState()));
      },
      setSlowMotion(ms: number) {
        slowMotionMs = ms;
        if (lab.scheduler && 'slowMotionMs' in lab.scheduler) (lab.scheduler as { slowMotionMs: number }).slowMotionMs = ms;
      },
      onChange(cb) {
        stepListeners.add(cb);
        return () => stepListeners.delete(cb);
      },
    },
    pulls: {
      list: pullsNow,
      onChange(cb) {
        pullListeners.add(cb);
        pullTimer ??= setInterval(samplePulls, 250);
        return () => {
          pullListeners.delete(cb);
          if (!pullListeners.size && pullTimer) {
            clearInterval(pullTimer);
            pullTimer = undefined;
          }
        };
      },
    },
    /** "Reset lab": the lab's objects leave its engines, its data dir goes, and a new lab starts in its place. */
    async reset() {
      if (!lab.reset || !lab.start) throw Object.assign(new Error('resetting is not available in this lab'), { status: 501, reason: 'NotImplemented' });
      const r = await lab.reset();
      await lab.start();
      return { removed: r.removed, engines: r.engines, unreachable: r.unreachable };
    },
    portForwards,
    metrics: {
      series: (kind, name, namespace) =>
        lab.metrics
          ? lab.metrics.series(kind, name, namespace)
          : { intervalMs: 0, points: [], unavailable: 'the metrics server is off (--metric-resolution 0)' },
    },
    /** "Stop all pods": delete every pod (controllers recreate theirs); the containers go with their pods. */
    async stopAllPods() {
      const c = getClient();
      const pods = await c.list(R.pods);
      await Promise.all(pods.items.map((p) => c.delete(R.pods, p.metadata.name ?? '', { namespace: p.metadata.namespace }).catch(() => undefined)));
      return pods.items.length;
    },
  };
}
