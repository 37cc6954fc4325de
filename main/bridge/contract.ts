// The one bridge contract between the UI and the lab: Electron IPC and the browser-mode WebSocket both carry it.
// Pure TypeScript (no Node, no DOM), so main, preload and renderer all import it.
import type { KubeList, KubeObject } from '../api/object';

/** Which resource a request is about; structurally the client's ResourceType. */
export interface ResourceRef {
  /** '' for core */
  group: string;
  version: string;
  /** plural: `pods` */
  resource: string;
  kind?: string;
  namespaced?: boolean;
}

export type PatchKind = 'merge' | 'strategic' | 'json';

export interface BridgeWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

export interface LogOptions {
  namespace: string;
  pod: string;
  container?: string;
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  tailLines?: number;
}

export interface ExecOptions {
  namespace: string;
  pod: string;
  container?: string;
  /** Absent: try bash, then sh (the shell fallback). */
  command?: string[];
  tty?: boolean;
  cols?: number;
  rows?: number;
}

/** A private OSC sequence (`ESC ] 6973 ; <shell> BEL`) the shell fallback prints first, so the terminal can say which shell runs. */
export const SHELL_OSC = 6973;
/** Exec without a command: bash where the image has it, else sh (the shell fallback); it announces its choice with SHELL_OSC. */
export const SHELL_FALLBACK = [
  'sh',
  '-c',
  `command -v bash >/dev/null 2>&1 && { printf '\\033]${SHELL_OSC};bash\\007'; exec bash; }; printf '\\033]${SHELL_OSC};sh\\007'; exec sh`,
];

export type ClusterPhase = 'STOPPED' | 'STARTING' | 'STARTED' | 'STOPPING' | 'ERROR';

export interface ClusterStatus {
  phase: ClusterPhase;
  /** `detail`: what the stage found so far, e.g. `Docker contexts found: default, node2 (node2: connection refused)` */
  progress?: { current: number; max: number; description: string; detail?: string };
  /** No reachable Docker engine: pods run on a simulated node. */
  virtual?: boolean;
  message?: string;
  apiUrl?: string;
  kubeconfig?: string;
  dataDir?: string;
  version?: string;
  /** A node being added or removed at run time, and its current step. */
  nodeActivity?: NodeActivity;
  /** This window shows another cluster (a kubeconfig context), not the lab: the lab-only views are hidden. */
  external?: { context: string; server: string; user?: string };
}

/** What a reset removed from the engines (the lab's own objects only), and the engines it could not reach. */
export interface ResetInfo {
  removed: { containers: number; networks: number; volumes: number };
  engines: string[];
  unreachable: string[];
}

/** A cluster the UI can show: the lab itself, or a context of the user's kubeconfig ($KUBECONFIG, ~/.kube/config). */
export interface ContextInfo {
  /** `lab`, or `kubeconfig:<context name>` */
  id: string;
  name: string;
  server?: string;
  user?: string;
  namespace?: string;
  lab?: boolean;
  /** the kubeconfig's current-context */
  current?: boolean;
}

export const LAB_CONTEXT = 'lab';

/** `Adding node node2: starting the kubelet` */
export interface NodeActivity {
  action: 'add' | 'remove';
  node: string;
  context?: string;
  step: string;
}

/** What a node added from a Docker context became. */
export interface AddedNode {
  name: string;
  context: string;
  host?: string;
  engineVersion?: string;
}

export interface DockerContextInfo {
  name: string;
  host: string;
  /** Node name this context serves, if it is one. */
  node?: string;
  reachable?: boolean;
  /** why it is not reachable, in one line */
  reason?: string;
  current?: boolean;
}

export type StepTarget = { component: 'scheduler' } | { component: 'kubelet'; node: string };

export interface StepState {
  scheduler: boolean;
  /** node name -> kubelet paused */
  kubelets: Record<string, boolean>;
  /** optional slow motion: extra delay per step, ms */
  slowMotionMs?: number;
}

/** An image pull in progress on a node, per layer (what `docker pull` prints). */
export interface PullProgressInfo {
  node: string;
  image: string;
  layers: { id: string; status: string; current?: number; total?: number }[];
}

/** One result per document of an applied manifest. */
export interface ApplyResult {
  kind: string;
  name: string;
  namespace?: string;
  action: 'created' | 'configured' | 'unchanged';
  object: KubeObject;
}

/** What a port-forward targets, as `kubectl port-forward TYPE/NAME`: a pod, or a Deployment's or Service's pod. */
export type PortForwardKind = 'Pod' | 'Deployment' | 'Service';

export interface PortForwardStart {
  namespace: string;
  kind: PortForwardKind;
  name: string;
  /** a container port (Pod, Deployment) or a Service port: a number, or a port's name */
  port: number | string;
  /** 127.0.0.1 port to listen on; absent or 0: a free one */
  localPort?: number;
}

/** One active forward, with what went through it. */
export interface PortForwardInfo {
  id: string;
  namespace: string;
  kind: PortForwardKind;
  name: string;
  /** the port asked for (Service port for a Service) */
  port: number | string;
  /** the pod's port the connections reach */
  targetPort?: number;
  localPort: number;
  /** http://127.0.0.1:LOCAL */
  url: string;
  /** the pod forwarded to now; absent while none is running */
  pod?: string;
  /** Active: a pod serves it; Waiting: no running pod right now (Deployment/Service: a new one is followed) */
  state: 'Active' | 'Waiting';
  /** connections open now, and since the start */
  connections: number;
  totalConnections: number;
  /** bytes from the pod to local clients, and from them to the pod */
  bytesIn: number;
  bytesOut: number;
  /** newest last, at most 20 */
  errors: { at: string; message: string }[];
  startedAt: string;
  /** what a user would type for the same */
  kubectl: string;
}

/** CPU (cores) and memory (bytes) of a pod (per container too) or a node over the last minutes, oldest first. */
export interface UsageSeriesInfo {
  /** how often a point is added; the UI asks again at this pace */
  intervalMs: number;
  points: { t: number; cpu: number; memory: number; containers?: Record<string, { cpu: number; memory: number }> }[];
  /** no metrics here: the metrics server is off, or (another cluster) metrics.k8s.io is not served */
  unavailable?: string;
}

/** `kubectl port-forward -n ns svc/web 8080:80`: what a forward is, in the words a user would type. */
export const kubectlPortForward = (f: { namespace: string; kind: PortForwardKind; name: string; port: number | string; localPort?: number }) =>
  `kubectl port-forward${f.namespace !== 'default' ? ` -n ${f.namespace}` : ''} ${f.kind === 'Pod' ? 'pod' : f.kind === 'Service' ? 'svc' : 'deployment'}/${f.name} ${f.localPort || ''}:${f.port}`;

/** One resource the server serves, as discovery lists it (the preferred version of its group). */
export interface ApiResourceInfo {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  singular?: string;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
}

/** A meta.k8s.io/v1 Table column, as `kubectl get` prints it (priority 1: only with -o wide). */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority: number;
}

/** The server's Table for a collection; rows keyed by the object they print. */
export interface ResourceTable {
  columns: TableColumnDefinition[];
  rows: { name: string; namespace?: string; cells: unknown[] }[];
  resourceVersion?: string;
}

/** Request/response channels: `domain:verb` -> [args, result]. */
export interface BridgeInvokes {
  'api:get': [{ ref: ResourceRef; name: string; namespace?: string; subresource?: string }, KubeObject];
  'api:list': [{ ref: ResourceRef; namespace?: string; labelSelector?: string; fieldSelector?: string }, KubeList];
  'api:create': [
    { ref: ResourceRef; object: KubeObject; namespace?: string; dryRun?: boolean; /** pods/eviction, pods/binding */ subresource?: string; name?: string },
    KubeObject,
  ];
  /** A YAML (or JSON) manifest, one or many documents: create what is missing, patch what exists. */
  'api:apply': [{ manifest: string; namespace?: string; dryRun?: boolean }, ApplyResult[]];
  'api:patch': [{ ref: ResourceRef; name: string; namespace?: string; patch: unknown; kind?: PatchKind; subresource?: string }, KubeObject];
  'api:delete': [{ ref: ResourceRef; name: string; namespace?: string; gracePeriodSeconds?: number }, KubeObject];
  /** PUT of a whole object; its metadata.resourceVersion makes a stale edit a 409 Conflict. */
  'api:update': [{ ref: ResourceRef; object: KubeObject; namespace?: string; dryRun?: boolean }, KubeObject];
  /** Every resource the server serves (aggregated discovery of /api and /apis). */
  'api:discovery': [void, ApiResourceInfo[]];
  /** A collection as the server prints it (`kubectl get`, as=Table). */
  'api:table': [{ ref: ResourceRef; namespace?: string; labelSelector?: string }, ResourceTable];
  /** The OpenAPI v3 document of one group version. */
  'api:openapi': [{ group: string; version: string }, unknown];
  'watch:start': [{ ref: ResourceRef; namespace?: string; labelSelector?: string; fieldSelector?: string }, string];
  'watch:stop': [{ id: string }, void];
  'logs:start': [LogOptions, string];
  'logs:stop': [{ id: string }, void];
  'exec:start': [ExecOptions, string];
  'exec:write': [{ id: string; data: string }, void];
  'exec:resize': [{ id: string; cols: number; rows: number }, void];
  'exec:close': [{ id: string }, void];
  'cluster:status': [void, ClusterStatus];
  'cluster:stopAllPods': [void, number];
  /** Resets the lab: its containers, volumes and networks leave every engine, the data dir goes; a new lab starts there. */
  'cluster:reset': [void, ResetInfo];
  'nodes:contexts': [void, DockerContextInfo[]];
  /** Adds a Docker context as a node of the running lab (kept for the next start). */
  'nodes:add': [{ context: string }, AddedNode];
  /** Takes a node out: its kubelet stops, the Node and its pods are deleted, its containers removed. */
  'nodes:remove': [{ node: string }, void];
  'step:get': [void, StepState];
  'pulls:list': [void, PullProgressInfo[]];
  'step:set': [{ target: StepTarget; paused: boolean } | { slowMotionMs: number }, StepState];
  /** Listens on 127.0.0.1 and forwards each connection to the target's pod through the API server (pods/portforward). */
  'portforward:start': [PortForwardStart, PortForwardInfo];
  'portforward:stop': [{ id: string }, void];
  'portforward:list': [void, PortForwardInfo[]];
  /** the clusters this window can show, and the one it shows */
  'contexts:list': [void, { current: string; contexts: ContextInfo[] }];
  /** switches this connection (this window) to a cluster: its watches, logs and shells end; rejects if it cannot be reached */
  'contexts:use': [{ id: string }, ClusterStatus];
  /** usage history of a pod or node, for the charts (metrics.k8s.io gives only the latest point) */
  'metrics:series': [{ kind: 'Pod' | 'Node'; name: string; namespace?: string }, UsageSeriesInfo];
}

/** Push channels, main -> UI. */
export interface BridgeEvents {
  /** A watch's events, batched; `resync` carries the full list first (and after a relist). */
  'watch:event': { id: string; events: BridgeWatchEvent[]; resync?: boolean };
  'watch:error': { id: string; error: BridgeErrorShape };
  'logs:data': { id: string; chunk: string };
  'logs:end': { id: string; error?: BridgeErrorShape };
  'exec:data': { id: string; data: string; stream: 'stdout' | 'stderr' };
  'exec:exit': { id: string; code: number; message?: string };
  'cluster:status': ClusterStatus;
  'step:state': StepState;
  /** every pull in progress, whenever one changes */
  'pulls:progress': PullProgressInfo[];
  /** every forward, whenever one starts, stops, changes pod or moves bytes (at most 4 times a second) */
  'portforward:changed': PortForwardInfo[];
}

export type InvokeChannel = keyof BridgeInvokes;
export type EventChannel = keyof BridgeEvents;
export type InvokeArgs<C extends InvokeChannel> = BridgeInvokes[C][0];
export type InvokeResult<C extends InvokeChannel> = BridgeInvokes[C][1];

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'api:get',
  'api:list',
  'api:create',
  'api:apply',
  'api:patch',
  'api:delete',
  'api:update',
  'api:discovery',
  'api:table',
  'api:openapi',
  'watch:start',
  'watch:stop',
  'logs:start',
  'logs:stop',
  'exec:start',
  'exec:write',
  'exec:resize',
  'exec:close',
  'cluster:status',
  'cluster:stopAllPods',
  'cluster:reset',
  'nodes:contexts',
  'nodes:add',
  'nodes:remove',
  'step:get',
  'step:set',
  'pulls:list',
  'portforward:start',
  'portforward:stop',
  'portforward:list',
  'metrics:series',
  'contexts:list',
  'contexts:use',
];
export const EVENT_CHANNELS: readonly EventChannel[] = [
  'watch:event',
  'watch:error',
  'logs:data',
  'logs:end',
  'exec:data',
  'exec:exit',
  'cluster:status',
  'step:state',
  'pulls:progress',
  'portforward:changed',
];

export const isInvokeChannel = (c: unknown): c is InvokeChannel => typeof c === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(c);

// ---- error envelope ----

export interface BridgeErrorShape {
  name: string;
  message: string;
  /** HTTP status code of a Kubernetes Status */
  status?: number;
  reason?: string;
  /** field causes of an Invalid (422) */
  causes?: { field?: string; message?: string; reason?: string }[];
}

export type Envelope<T> = { result: T } | { error: BridgeErrorShape };

/** An error that crossed the bridge, re-thrown with the Kubernetes Status message it carried. */
export class BridgeError extends Error {
  readonly status?: number;
  readonly reason?: string;
  readonly causes: { field?: string; message?: string; reason?: string }[];
  constructor(shape: BridgeErrorShape) {
    super(shape.message);
    this.name = shape.name || 'Error';
    this.status = shape.status;
    this.reason = shape.reason;
    this.causes = shape.causes ?? [];
  }
}

/** Any thrown value -> the wire shape; StatusError (code/reason/details) keeps its Status fields. */
export function toErrorShape(e: unknown): BridgeErrorShape {
  if (e && typeof e === 'object') {
    const o = e as {
      name?: string;
      message?: string;
      code?: unknown;
      status?: unknown;
      reason?: string;
      details?: { causes?: BridgeErrorShape['causes'] };
      causes?: BridgeErrorShape['causes'];
    };
    const status = typeof o.code === 'number' ? o.code : typeof o.status === 'number' ? o.status : undefined;
    return {
      name: o.name ?? 'Error',
      message: o.message ?? String(e),
      ...(status !== undefined ? { status } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
      ...((o.details?.causes ?? o.causes) ? { causes: o.details?.causes ?? o.causes } : {}),
    };
  }
  return { name: 'Error', message: String(e) };
}

export async function envelope<T>(fn: () => Promise<T> | T): Promise<Envelope<T>> {
  try {
    return { result: await fn() };
  } catch (e) {
    return { error: toErrorShape(e) };
  }
}

export function unwrap<T>(env: Envelope<T>): T {
  if ('error' in env) throw new BridgeError(env.error);
  return env.result;
}

// ---- the API the UI sees (window.kubelab) ----

/** What a transport must do: invoke a channel, and subscribe to pushed events. */
export interface BridgeTransport {
  invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<Envelope<InvokeResult<C>>>;
  on<E extends EventChannel>(channel: E, cb: (payload: BridgeEvents[E]) => void): () => void;
}

export interface WatchHandlers {
  onEvents(events: BridgeWatchEvent[], resync: boolean): void;
  onError?(error: BridgeError): void;
}

export interface ExecSession {
  id: string;
  write(data: string): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  close(): Promise<void>;
  onData(cb: (data: string, stream: 'stdout' | 'stderr') => void): () => void;
  onExit(cb: (code: number, message?: string) => void): () => void;
}

export interface LogStream {
  id: string;
  stop(): Promise<void>;
}

export interface KubelabApi {
  api: {
    get(args: InvokeArgs<'api:get'>): Promise<KubeObject>;
    list(args: InvokeArgs<'api:list'>): Promise<KubeList>;
    create(args: InvokeArgs<'api:create'>): Promise<KubeObject>;
    apply(args: InvokeArgs<'api:apply'>): Promise<ApplyResult[]>;
    patch(args: InvokeArgs<'api:patch'>): Promise<KubeObject>;
    delete(args: InvokeArgs<'api:delete'>): Promise<KubeObject>;
    update(args: InvokeArgs<'api:update'>): Promise<KubeObject>;
    discovery(): Promise<ApiResourceInfo[]>;
    table(args: InvokeArgs<'api:table'>): Promise<ResourceTable>;
    openapi(args: InvokeArgs<'api:openapi'>): Promise<unknown>;
  };
  /** Starts a watch (a list as the first resync batch, then events); resolves to a stop function. */
  watch(args: InvokeArgs<'watch:start'>, handlers: WatchHandlers): Promise<() => Promise<void>>;
  logs(opts: LogOptions, onChunk: (chunk: string) => void, onEnd?: (error?: BridgeError) => void): Promise<LogStream>;
  exec(opts: ExecOptions): Promise<ExecSession>;
  cluster: {
    status(): Promise<ClusterStatus>;
    onStatus(cb: (s: ClusterStatus) => void): () => void;
    stopAllPods(): Promise<number>;
    reset(): Promise<ResetInfo>;
  };
  nodes: {
    contexts(): Promise<DockerContextInfo[]>;
    add(args: InvokeArgs<'nodes:add'>): Promise<AddedNode>;
    remove(args: InvokeArgs<'nodes:remove'>): Promise<void>;
  };
  step: {
    get(): Promise<StepState>;
    set(args: InvokeArgs<'step:set'>): Promise<StepState>;
    onState(cb: (s: StepState) => void): () => void;
  };
  pulls: {
    list(): Promise<PullProgressInfo[]>;
    onProgress(cb: (p: PullProgressInfo[]) => void): () => void;
  };
  metrics: {
    series(args: InvokeArgs<'metrics:series'>): Promise<UsageSeriesInfo>;
  };
  contexts: {
    list(): Promise<InvokeResult<'contexts:list'>>;
    use(id: string): Promise<ClusterStatus>;
  };
  portForwards: {
    start(args: PortForwardStart): Promise<PortForwardInfo>;
    stop(id: string): Promise<void>;
    list(): Promise<PortForwardInfo[]>;
    onChange(cb: (all: PortForwardInfo[]) => void): () => void;
  };
}

/**
 * Builds the UI-facing API from a transport. Events for an id may arrive before its start call
 * resolves, so they are buffered per id until a handler claims them.
 */
export function createKubelabApi(t: BridgeTransport): KubelabApi {
  const call = async <C extends InvokeChannel>(c: C, a: InvokeArgs<C>): Promise<InvokeResult<C>> => unwrap(await t.invoke(c, a));

  // id-keyed routing with an early-event buffer
  function router<E extends EventChannel>(channel: E) {
    const handlers = new Map<string, (p: BridgeEvents[E]) => void>();
    const early = new Map<string, BridgeEvents[E][]>();
    t.on(channel, (p) => {
      const id = (p as { id: string }).id;
      const h = handlers.get(id);
      if (h) h(p);
      else {
        const q = early.get(id) ?? [];
        if (q.length < 10_000) q.push(p);
        early.set(id, q);
      }
    });
    return {
      claim(id: string, h: (p: BridgeEvents[E]) => void) {
        handlers.set(id, h);
        const q = early.get(id);
        early.delete(id);
        q?.forEach(h);
      },
      release(id: string) {
        handlers.delete(id);
        early.delete(id);
      },
    };
  }
  const watchEvents = router('watch:event');
  const watchErrors = router('watch:error');
  const logData = router('logs:data');
  const logEnd = router('logs:end');
  const execData = router('exec:data');
  const execExit = router('exec:exit');

  return {
    api: {
      get: (a) => call('api:get', a),
      list: (a) => call('api:list', a),
      create: (a) => call('api:create', a),
      apply: (a) => call('api:apply', a),
      patch: (a) => call('api:patch', a),
      delete: (a) => call('api:delete', a),
      update: (a) => call('api:update', a),
      discovery: () => call('api:discovery', undefined),
      table: (a) => call('api:table', a),
      openapi: (a) => call('api:openapi', a),
    },
    async watch(args, h) {
      const id = await call('watch:start', args);
      watchEvents.claim(id, (p) => h.onEvents(p.events, !!p.resync));
      watchErrors.claim(id, (p) => h.onError?.(new BridgeError(p.error)));
      return async () => {
        watchEvents.release(id);
        watchErrors.release(id);
        await call('watch:stop', { id });
      };
    },
    async logs(opts, onChunk, onEnd) {
      const id = await call('logs:start', opts);
      logData.claim(id, (p) => onChunk(p.chunk));
      logEnd.claim(id, (p) => {
        logData.release(id);
        logEnd.release(id);
        onEnd?.(p.error ? new BridgeError(p.error) : undefined);
      });
      return {
        id,
        stop: async () => {
          logData.release(id);
          logEnd.release(id);
          await call('logs:stop', { id });
        },
      };
    },
    async exec(opts) {
      const id = await call('exec:start', opts);
      const dataCbs = new Set<(d: string, s: 'stdout' | 'stderr') => void>();
      const exitCbs = new Set<(c: number, m?: string) => void>();
      const pendingData: BridgeEvents['exec:data'][] = [];
      let exited: BridgeEvents['exec:exit'] | undefined;
      execData.claim(id, (p) => (dataCbs.size ? dataCbs.forEach((cb) => cb(p.data, p.stream)) : pendingData.push(p)));
      execExit.claim(id, (p) => {
        exited = p;
        exitCbs.forEach((cb) => cb(p.code, p.message));
      });
      return {
        id,
        write: (data) => call('exec:write', { id, data }),
        resize: (cols, rows) => call('exec:resize', { id, cols, rows }),
        close: async () => {
          await call('exec:close', { id });
        },
        onData(cb) {
          dataCbs.add(cb);
          pendingData.splice(0).forEach((p) => cb(p.data, p.stream));
          return () => dataCbs.delete(cb);
        },
        onExit(cb) {
          exitCbs.add(cb);
          if (exited) cb(exited.code, exited.message);
          return () => exitCbs.delete(cb);
        },
      };
    },
    cluster: {
      status: () => call('cluster:status', undefined),
      onStatus: (cb) => t.on('cluster:status', cb),
      stopAllPods: () => call('cluster:stopAllPods', undefined),
      reset: () => call('cluster:reset', undefined),
    },
    nodes: {
      contexts: () => call('nodes:contexts', undefined),
      add: (a) => call('nodes:add', a),
      remove: (a) => call('nodes:remove', a),
    },
    step: {
      get: () => call('step:get', undefined),
      set: (a) => call('step:set', a),
      onState: (cb) => t.on('step:state', cb),
    },
    pulls: {
      list: () => call('pulls:list', undefined),
      onProgress: (cb) => t.on('pulls:progress', cb),
    },
    metrics: {
      series: (a) => call('metrics:series', a),
    },
    contexts: {
      list: () => call('contexts:list', undefined),
      use: (id) => call('contexts:use', { id }),
    },
    portForwards: {
      start: (a) => call('portforward:start', a),
      stop: (id) => call('portforward:stop', { id }),
      list: () => call('portforward:list', undefined),
      onChange: (cb) => t.on('portforward:changed', cb),
    },
  };
}
