// Main-side implementation of the bridge contract: one BridgeServer per backend, one connection per window or socket.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/object';
import { Reflector } from '../client/reflector';
import type { Client, ResourceType } from '../client/types';
import { R } from '../client/types';
import type { PatchType } from '../apiserver/types';
import { logger } from '../log';
import {
  envelope,
  toErrorShape,
  isInvokeChannel,
  SHELL_FALLBACK,
  type AddedNode,
  type ApiResourceInfo,
  type ApplyResult,
  type ResourceTable,
  type BridgeEvents,
  type BridgeWatchEvent,
  type ClusterStatus,
  type DockerContextInfo,
  type Envelope,
  type EventChannel,
  type ExecOptions,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
  type LogOptions,
  type PatchKind,
  type PortForwardInfo,
  type PortForwardStart,
  type PullProgressInfo,
  type ResetInfo,
  type UsageSeriesInfo,
  type ResourceRef,
  type StepState,
  type StepTarget,
} from './contract';
import { LAB_CONTEXT } from './contract';
import type { ContextProvider } from './contexts';

const log = logger('bridge');

export { SHELL_FALLBACK };

export interface LogHandle {
  stop(): void;
}

export interface ExecHandle {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

export interface ExecCallbacks {
  onData(data: string, stream: 'stdout' | 'stderr'): void;
  onExit(code: number, message?: string): void;
}

/** What the bridge needs from a running lab: a client plus a few hooks (the cluster composition provides them). */
export interface BridgeBackend {
  client: Pick<Client, 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete'>;
  status(): ClusterStatus;
  onStatus?(cb: (s: ClusterStatus) => void): () => void;
  /** Reads the API as kubectl does (discovery, OpenAPI, Tables), for views generated from what the server serves. */
  http?: {
    discovery(): Promise<ApiResourceInfo[]>;
    table(ref: ResourceRef, opts: { namespace?: string; labelSelector?: string }): Promise<ResourceTable>;
    openapi(group: string, version: string): Promise<unknown>;
  };
  /** pods/log: chunks until the stream ends; onEnd once. */
  logs?(opts: LogOptions, onChunk: (chunk: string) => void, onEnd: (error?: unknown) => void): Promise<LogHandle>;
  /** pods/exec with a concrete command. */
  exec?(opts: ExecOptions & { command: string[] }, cb: ExecCallbacks): Promise<ExecHandle>;
  contexts?(): Promise<DockerContextInfo[]>;
  /** Docker contexts as nodes at run time */
  nodes?: { add(context: string): Promise<AddedNode>; remove(node: string): Promise<void> };
  step?: {
    get(): StepState;
    set(target: StepTarget, paused: boolean): void;
    setSlowMotion?(ms: number): void;
    onChange?(cb: (s: StepState) => void): () => void;
  };
  stopAllPods?(): Promise<number>;
  reset?(): Promise<ResetInfo>;
  /** image pulls in progress on every node, and a feed of their changes */
  pulls?: { list(): PullProgressInfo[]; onChange(cb: (p: PullProgressInfo[]) => void): () => void };
  /** usage history for the charts */
  metrics?: { series(kind: 'Pod' | 'Node', name: string, namespace?: string): Promise<UsageSeriesInfo> | UsageSeriesInfo };
  /** port-forwards, shared by every connection (they outlive a page; they end with the lab) */
  portForwards?: {
    start(a: PortForwardStart): Promise<PortForwardInfo>;
    stop(id: string): Promise<void>;
    list(): PortForwardInfo[];
    onChange(cb: (all: PortForwardInfo[]) => void): () => void;
  };
}

/** The channel a connection pushes events on (ipc webContents.send, or a WebSocket frame). */
export type BridgeSend = <E extends EventChannel>(channel: E, payload: BridgeEvents[E]) => void;

export interface BridgeConnection {
  invoke(channel: unknown, args: unknown): Promise<Envelope<unknown>>;
  /** Stops every watch, log stream and exec session this connection started. */
  close(): void;
}

const byGroupResource = new Map<string, ResourceType>(Object.values(R).map((t) => [`${t.group}/${t.resource}`, t]));
const byApiVersionKind = new Map<string, ResourceType>(Object.values(R).map((t) => [`${t.group ? `${t.group}/${t.version}` : t.version}/${t.kind}`, t]));

/** ResourceRef from the UI -> the client's ResourceType (kind and scope filled from the known table). */
export function resolveRef(ref: ResourceRef): ResourceType {
  const known = byGroupResource.get(`${ref.group}/${ref.resource}`);
  return {
    group: ref.group,
    version: ref.version || known?.version || 'v1',
    resource: ref.resource,
    kind: ref.kind ?? known?.kind ?? ref.resource,
    namespaced: ref.namespaced ?? known?.namespaced ?? true,
  };
}

export function typeOfObject(obj: { apiVersion?: string; kind?: string }): ResourceType | undefined {
  return byApiVersionKind.get(`${obj.apiVersion}/${obj.kind}`);
}

const patchTypes: Record<PatchKind, PatchType> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

let seq = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(++seq).toString(36)}`;

export class BridgeServer {
  /** `contexts`: the clusters a connection may switch to (the lab's own backend is `backend`) */
  constructor(
    private readonly backend: BridgeBackend,
    private readonly opts: { contexts?: ContextProvider } = {},
  ) {}

  connect(send: BridgeSend): BridgeConnection {
    // the cluster this connection (one window) shows; contexts:use swaps it
    let b = this.backend;
    let contextId = LAB_CONTEXT;
    let switching: Promise<unknown> | undefined;
    const watches = new Map<string, { stop(): void }>();
    const logs = new Map<string, LogHandle>();
    const execs = new Map<string, ExecHandle>();
    let closed = false;
    let unsubs: (() => void)[] = [];
    const subscribe = () => {
      unsubs.forEach((u) => u());
      unsubs = [];
      if (b.onStatus) unsubs.push(b.onStatus((s) => !closed && send('cluster:status', s)));
      if (b.step?.onChange) unsubs.push(b.step.onChange((s) => !closed && send('step:state', s)));
      if (b.pulls) unsubs.push(b.pulls.onChange((p) => !closed && send('pulls:progress', p)));
      if (b.portForwards) unsubs.push(b.portForwards.onChange((all) => !closed && send('portforward:changed', all)));
    };
    subscribe();
    const endSessions = () => {
      watches.forEach((w) => w.stop());
      logs.forEach((l) => l.stop());
      execs.forEach((x) => x.close());
      watches.clear();
      logs.clear();
      execs.clear();
    };

    const handlers: { [C in InvokeChannel]: (a: InvokeArgs<C>) => Promise<InvokeResult<C>> | InvokeResult<C> } = {
      'api:get': (a) => b.client.get(resolveRef(a.ref), a.name, a.namespace, a.subresource),
      'api:list': (a) => b.client.list(resolveRef(a.ref), { namespace: a.namespace, labelSelector: a.labelSelector, fieldSelector: a.fieldSelector }),
      'api:create': (a) =>
        b.client.create(resolveRef(a.ref), a.object, {
          namespace: a.namespace ?? a.object.metadata?.namespace,
          dryRun: a.dryRun,
          subresource: a.subresource,
          name: a.name,
        }),
      'api:apply': (a) => this.apply(a.manifest, a.namespace, a.dryRun, b.client),
      'api:patch': (a) =>
        b.client.patch(resolveRef(a.ref), a.name, patchTypes[a.kind ?? 'merge'], a.patch, { namespace: a.namespace, subresource: a.subresource }),
      'api:delete': (a) => b.client.delete(resolveRef(a.ref), a.name, { namespace: a.namespace, gracePeriodSeconds: a.gracePeriodSeconds }),
      'api:update': (a) =>
        b.client.update(resolveRef(a.ref), a.object, { namespace: a.namespace ?? a.object.metadata?.namespace, dryRun: a.dryRun, fieldManager: 'kubelab' }),
      'api:discovery': () => {
        if (!b.http) throw notAvailable('discovery');
        return b.http.discovery();
      },
      'api:table': (a) => {
        if (!b.http) throw notAvailable('tables');
        return b.http.table(a.ref, { namespace: a.namespace, labelSelector: a.labelSelector });
      },
      'api:openapi': (a) => {
        if (!b.http) throw notAvailable('OpenAPI');
        if (typeof a?.version !== 'string' || typeof a.group !== 'string') throw badRequest('api:openapi needs {group, version}');
        return b.http.openapi(a.group, a.version);
      },
      'watch:start': async (a) => {
        const id = newId('w');
        const w = startWatch(
          b.client,
          resolveRef(a.ref),
          a,
          (events, resync) => !closed && send('watch:event', { id, events, resync }),
          (e) => !closed && send('watch:error', { id, error: toErrorShape(e) }),
        );
        watches.set(id, w);
        return id;
      },
      'watch:stop': (a) => {
        watches.get(a.id)?.stop();
        watches.delete(a.id);
      },
      'logs:start': async (a) => {
        if (!b.logs) throw notAvailable('logs');
        const id = newId('l');
        const h = await b.logs(
          a,
          (chunk) => !closed && send('logs:data', { id, chunk }),
          (e) => {
            logs.delete(id);
            if (!closed) send('logs:end', { id, ...(e ? { error: toErrorShape(e) } : {}) });
          },
        );
        if (closed) h.stop();
        else logs.set(id, h);
        return id;
      },
      'logs:stop': (a) => {
        logs.get(a.id)?.stop();
        logs.delete(a.id);
      },
      'exec:start': async (a) => {
        if (!b.exec) throw notAvailable('exec');
        const id = newId('x');
        const h = await b.exec(
          { ...a, command: a.command?.length ? a.command : SHELL_FALLBACK },
          {
            onData: (data, stream) => !closed && send('exec:data', { id, data, stream }),
            onExit: (code, message) => {
              execs.delete(id);
              if (!closed) send('exec:exit', { id, code, ...(message ? { message } : {}) });
            },
          },
        );
        execs.set(id, h);
        return id;
      },
      'exec:write': (a) => execs.get(a.id)?.write(a.data),
      'exec:resize': (a) => execs.get(a.id)?.resize(a.cols, a.rows),
      'exec:close': (a) => {
        execs.get(a.id)?.close();
        execs.delete(a.id);
      },
      'cluster:status': () => b.status(),
      'cluster:stopAllPods': () => {
        if (!b.stopAllPods) throw notAvailable('stop all pods');
        return b.stopAllPods();
      },
      'cluster:reset': () => {
        if (!b.reset) throw notAvailable('resetting the lab');
        return b.reset();
      },
      'nodes:contexts': async () => (b.contexts ? b.contexts() : []),
      'nodes:add': (a) => {
        if (!b.nodes) throw notAvailable('adding nodes');
        if (typeof a?.context !== 'string' || !a.context) throw badRequest('nodes:add needs a Docker context name: {context}');
        return b.nodes.add(a.context);
      },
      'nodes:remove': (a) => {
        if (!b.nodes) throw notAvailable('removing nodes');
        if (typeof a?.node !== 'string' || !a.node) throw badRequest('nodes:remove needs a node name: {node}');
        return b.nodes.remove(a.node);
      },
      'contexts:list': () => ({ current: contextId, contexts: this.opts.contexts?.list() ?? [{ id: LAB_CONTEXT, name: 'kubelab', lab: true }] }),
      'contexts:use': async (a) => {
        if (typeof a?.id !== 'string' || !a.id) throw badRequest('contexts:use needs a context id: {id}');
        if (a.id === contextId) return b.status();
        if (!this.opts.contexts) {
          if (a.id !== LAB_CONTEXT) throw notAvailable('other clusters');
          return b.status();
        }
        const next = await this.opts.contexts.backend(a.id);
        if (closed) throw new Error('bridge connection closed');
        endSessions();
        b = next;
        contextId = a.id;
        subscribe();
        log.info('window switched cluster', { context: a.id });
        return b.status();
      },
      'step:get': () => b.step?.get() ?? { scheduler: false, kubelets: {} },
      'pulls:list': () => b.pulls?.list() ?? [],
      'portforward:start': (a) => {
        if (!b.portForwards) throw notAvailable('port-forward');
        return b.portForwards.start(a);
      },
      'portforward:stop': (a) => {
        if (!b.portForwards) throw notAvailable('port-forward');
        if (typeof a?.id !== 'string') throw badRequest('portforward:stop needs {id}');
        return b.portForwards.stop(a.id);
      },
      'portforward:list': () => b.portForwards?.list() ?? [],
      'metrics:series': (a) => {
        if (!a || (a.kind !== 'Pod' && a.kind !== 'Node') || typeof a.name !== 'string')
          throw badRequest('metrics:series needs {kind: Pod|Node, name, namespace}');
        return b.metrics ? b.metrics.series(a.kind, a.name, a.namespace) : { intervalMs: 0, points: [], unavailable: 'metrics are not served here' };
      },
      'step:set': (a) => {
        if (!b.step) throw notAvailable('step mode');
        if ('slowMotionMs' in a) b.step.setSlowMotion?.(a.slowMotionMs);
        else b.step.set(a.target, a.paused);
        const s = b.step.get();
        send('step:state', s);
        return s;
      },
    };

    return {
      invoke: (channel, args) =>
        envelope(async () => {
          if (closed) throw new Error('bridge connection closed');
          if (!isInvokeChannel(channel)) throw new Error(`unknown bridge channel ${JSON.stringify(channel)}`);
          // a switch of cluster runs alone: what was sent after it goes to the cluster it switched to
          if (channel === 'contexts:use') {
            const s = (switching ?? Promise.resolve()).catch(() => undefined).then(() => handlers['contexts:use'](args as InvokeArgs<'contexts:use'>));
            switching = s;
            try {
              return await s;
            } finally {
              if (switching === s) switching = undefined;
            }
          }
          if (switching) await switching.catch(() => undefined);
          return (handlers[channel] as (a: unknown) => unknown)(args);
        }),
      close() {
        if (closed) return;
        closed = true;
        unsubs.forEach((u) => u());
        endSessions();
      },
    };
  }

  /** `kubectl apply` for the UI: create each document, or merge-patch it where it already exists. */
  async apply(manifest: string, namespace?: string, dryRun?: boolean, client: BridgeBackend['client'] = this.backend.client): Promise<ApplyResult[]> {
    const docs = parseAllDocuments(manifest);
    const out: ApplyResult[] = [];
    for (const doc of docs) {
      if (doc.errors.length) throw Object.assign(new Error(`error parsing manifest: ${doc.errors[0].message}`), { status: 400, reason: 'BadRequest' });
      const obj = doc.toJS() as KubeObject | null;
      if (!obj) continue;
      if (typeof obj !== 'object' || !obj.kind || !obj.apiVersion) {
        throw Object.assign(new Error('error validating data: apiVersion and kind must be set'), { status: 400, reason: 'BadRequest' });
      }
      const type = typeOfObject(obj);
      if (!type) {
        throw Object.assign(new Error(`no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`), { status: 404, reason: 'NotFound' });
      }
      obj.metadata ??= {};
      const ns = type.namespaced ? (obj.metadata.namespace ?? namespace ?? 'default') : undefined;
      if (ns) obj.metadata.namespace = ns;
      try {
        const created = await client.create(type, obj, { namespace: ns, dryRun, fieldManager: 'kubelab' });
        out.push({ kind: obj.kind, name: created.metadata.name ?? '', namespace: ns, action: 'created', object: created });
      } catch (e) {
        if ((e as { reason?: string }).reason !== 'AlreadyExists' || !obj.metadata.name) throw e;
        const { status: _s, ...rest } = obj;
        const patched = await client.patch(type, obj.metadata.name, 'application/merge-patch+json', rest, { namespace: ns, dryRun, fieldManager: 'kubelab' });
        out.push({ kind: obj.kind, name: obj.metadata.name, namespace: ns, action: 'configured', object: patched });
      }
    }
    return out;
  }
}

function badRequest(message: string) {
  return Object.assign(new Error(message), { status: 400, reason: 'BadRequest' });
}

function notAvailable(what: string) {
  return Object.assign(new Error(`${what} is not available in this lab`), { status: 501, reason: 'NotImplemented' });
}

/**
 * The UI's watch: the Reflector's list/watch/relist loop (client/reflector.ts), a list going out as a resync and
 * events batched per tick, so a thousand pods arrive as one UI update. Failures are reported and retried with backoff.
 */
export function startWatch(
  client: BridgeBackend['client'],
  type: ResourceType,
  opts: { namespace?: string; labelSelector?: string; fieldSelector?: string },
  emit: (events: BridgeWatchEvent[], resync: boolean) => void,
  onError: (e: unknown) => void,
): { stop(): void } {
  let pending: BridgeWatchEvent[] = [];
  const pendingKeys = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const drop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    pending = [];
    pendingKeys.clear();
  };
  const flush = () => {
    timer = undefined;
    if (stopped || !pending.length) return;
    const batch = pending;
    pending = [];
    pendingKeys.clear();
    emit(batch, false);
  };
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  const reflector = new Reflector(
    client,
    type,
    { ...opts, retryDelayMs: 1000 },
    {
      replace(items) {
        drop();
        // list items carry no apiVersion and kind; the UI's objects do
        emit(
          items.map((o) => ({ type: 'ADDED', object: { apiVersion, kind: type.kind, ...o } })),
          true,
        );
      },
      event(ev) {
        // a second change of one object goes out in its own batch, so the UI shows every state it passed (ContainerCreating)
        const key = `${ev.object.metadata?.namespace ?? ''}/${ev.object.metadata?.name ?? ''}`;
        if (pendingKeys.has(key)) {
          if (timer) clearTimeout(timer);
          flush();
        }
        pendingKeys.add(key);
        pending.push(ev);
        timer ??= setTimeout(flush, 16);
      },
      watchEnded() {
        if (timer) clearTimeout(timer);
        flush();
        log.debug(`watch ${type.resource} ended; watching again`);
      },
      error: (e) => !stopped && onError(e),
    },
  );
  void reflector.run();
  return {
    stop() {
      stopped = true;
      drop();
      reflector.stop();
    },
  };
}
