// Port-forwards the UI starts: each listens on 127.0.0.1 and carries every connection to the target's pod over one
// pods/portforward session (port-forward-client.ts), as `kubectl port-forward` does. Unlike kubectl, which resolves
// a Deployment or Service to one pod once and exits when that pod goes, a forward here follows: it watches the pods,
// drops the session when its pod is deleted or stops running, and picks the next running pod (as Lens does), so a
// rollout or a deleted pod does not end a forward the user still has open. The forwards end with the lab.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../api/object';
import { specSelectorString } from '../api/selectors';
import { R, type Client, type ResourceType } from '../client/types';
import { logger } from '../log';
import { kubectlPortForward, type PortForwardInfo, type PortForwardStart } from './contract';
import { openPortForward, type PortForwardSession } from './port-forward-client';
import type { ApiEndpoint } from './streams-client';

const log = logger('port-forward');

type Obj = Record<string, any>;

const status = (code: number, reason: string, message: string) => Object.assign(new Error(message), { status: code, reason });

/** kubectl's preference among a selector's pods (podutils.ByLogging): running, ready, fewer restarts, older. */
export function choosePod(pods: Obj[]): Obj | undefined {
  const candidates = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running');
  const ready = (p: Obj) => (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
  const restarts = (p: Obj) => (p.status?.containerStatuses ?? []).reduce((n: number, c: Obj) => n + (c.restartCount ?? 0), 0);
  return candidates.sort(
    (a, b) =>
      Number(ready(b)) - Number(ready(a)) ||
      restarts(a) - restarts(b) ||
      Date.parse(a.metadata?.creationTimestamp ?? '') - Date.parse(b.metadata?.creationTimestamp ?? ''),
  )[0];
}

/** A container port of the pod by number or name (kubectl's convertPodNamedPortToNumber). */
export function podPort(pod: Obj, port: number | string): number {
  if (typeof port === 'number' || /^\d+$/.test(port)) return Number(port);
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const p = (c.ports ?? []).find((x: Obj) => x.name === port);
    if (p) return p.containerPort;
  }
  throw status(400, 'BadRequest', `Pod '${pod.metadata?.name}' does not have a named port '${port}'`);
}

/** The pod port a Service port leads to (kubectl's translateServicePortToTargetPort). */
export function serviceTargetPort(svc: Obj, port: number | string, pod: Obj): number {
  const sp = (svc.spec?.ports ?? []).find((p: Obj) => (typeof port === 'number' || /^\d+$/.test(port) ? p.port === Number(port) : p.name === port));
  if (!sp) throw status(400, 'BadRequest', `Service ${svc.metadata?.name} does not have a service port ${port}`);
  const target = sp.targetPort ?? sp.port;
  return typeof target === 'number' ? target : podPort(pod, target);
}

type PodClient = Pick<Client, 'get' | 'list' | 'watch'>;

interface Forward {
  info: PortForwardInfo;
  server: Server;
  session?: PortForwardSession;
  opening?: Promise<PortForwardSession>;
  sockets: Set<Socket>;
  stopWatch?: () => void;
  stopped: boolean;
}

const MAX_ERRORS = 20;
let seq = 0;

export class PortForwards {
  private readonly forwards = new Map<string, Forward>();
  private readonly listeners = new Set<(all: PortForwardInfo[]) => void>();
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly deps: { client: () => PodClient; endpoint: () => ApiEndpoint | Promise<ApiEndpoint> }) {}

  list(): PortForwardInfo[] {
    return [...this.forwards.values()].map((f) => ({ ...f.info, errors: [...f.info.errors] }));
  }

  onChange(cb: (all: PortForwardInfo[]) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Byte counts change often: at most one push every 250 ms; starts, stops and pod changes go out at once. */
  private changed(now = false): void {
    if (now) {
      clearTimeout(this.timer);
      this.timer = undefined;
      const all = this.list();
      this.listeners.forEach((l) => l(all));
      return;
    }
    this.timer ??= setTimeout(() => this.changed(true), 250);
  }

  async start(a: PortForwardStart): Promise<PortForwardInfo> {
    if (!a || typeof a.namespace !== 'string' || typeof a.name !== 'string' || !a.name || !['Pod', 'Deployment', 'Service'].includes(a.kind)) {
      throw status(400, 'BadRequest', 'portforward:start needs {namespace, kind: Pod|Deployment|Service, name, port}');
    }
    if (a.port === undefined || a.port === '' || (typeof a.port === 'number' && !(Number.isInteger(a.port) && a.port > 0 && a.port < 65536))) {
      throw status(400, 'BadRequest', `invalid port "${a.port}": a port number 1-65535 or a port name`);
    }
    const localPort = a.localPort ?? 0;
    if (!Number.isInteger(localPort) || localPort < 0 || localPort > 65535) throw status(400, 'BadRequest', `invalid local port "${a.localPort}"`);
    // resolve first, as kubectl does: a missing target or port fails the start, not the first connection
    const first = await this.resolve(a);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? status(409, 'Conflict', `unable to listen on port ${localPort}: address 127.0.0.1:${localPort} already in use`) : e),
      );
      server.listen(localPort, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const id = `pf-${Date.now().toString(36)}-${(++seq).toString(36)}`;
    const f: Forward = {
      server,
      sockets: new Set(),
      stopped: false,
      info: {
        id,
        namespace: a.namespace,
        kind: a.kind,
        name: a.name,
        port: a.port,
        targetPort: first.targetPort,
        localPort: port,
        url: `http://127.0.0.1:${port}`,
        pod: first.pod,
        state: 'Active',
        connections: 0,
        totalConnections: 0,
        bytesIn: 0,
        bytesOut: 0,
        errors: [],
        startedAt: new Date().toISOString(),
        kubectl: kubectlPortForward({ ...a, localPort: port }),
      },
    };
    this.forwards.set(id, f);
    server.on('connection', (sock) => this.accept(f, sock));
    server.on('error', (e) => this.error(f, `listener: ${e.message}`));
    this.follow(f);
    log.info('port-forward started', { forward: f.info.kubectl, pod: first.pod, targetPort: first.targetPort });
    this.changed(true);
    return { ...f.info };
  }

  async stop(id: string): Promise<void> {
    const f = this.forwards.get(id);
    if (!f) throw status(404, 'NotFound', `port-forward "${id}" not found`);
    this.close(f);
    this.changed(true);
  }

  /** Ends every forward (the lab stops). */
  closeAll(): void {
    for (const f of this.forwards.values()) this.close(f);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.forEach((l) => l([]));
  }

  private close(f: Forward): void {
    f.stopped = true;
    this.forwards.delete(f.info.id);
    f.stopWatch?.();
    f.session?.close();
    f.server.close();
    for (const s of f.sockets) s.destroy();
    log.info('port-forward stopped', { forward: f.info.kubectl });
  }

  private error(f: Forward, message: string): void {
    f.info.errors.push({ at: new Date().toISOString(), message });
    if (f.info.errors.length > MAX_ERRORS) f.info.errors.splice(0, f.info.errors.length - MAX_ERRORS);
    this.changed(true);
  }

  /** The pod to forward to now, and its port. */
  private async resolve(a: Pick<PortForwardStart, 'namespace' | 'kind' | 'name' | 'port'>): Promise<{ pod: string; targetPort: number }> {
    const c = this.deps.client();
    if (a.kind === 'Pod') {
      const pod = (await c.get(R.pods, a.name, a.namespace)) as Obj;
      if (pod.status?.phase !== 'Running') {
        throw status(400, 'BadRequest', `unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Pending'}`);
      }
      return { pod: a.name, targetPort: podPort(pod, a.port) };
    }
    const owner = (await c.get(a.kind === 'Service' ? R.services : R.deployments, a.name, a.namespace)) as Obj;
    const selector = specSelectorString(owner.spec?.selector);
    if (!selector) throw status(400, 'BadRequest', `${a.kind === 'Service' ? 'service' : 'deployment'} ${a.name} has no selector: no pod to forward to`);
    const pods = await c.list(R.pods, { namespace: a.namespace, labelSelector: selector });
    const pod = choosePod(pods.items as Obj[]);
    if (!pod) throw status(404, 'NotFound', `no running pod for ${a.kind === 'Service' ? 'service' : 'deployment'} ${a.name} (selector ${selector})`);
    const targetPort = a.kind === 'Service' ? serviceTargetPort(owner, a.port, pod) : podPort(pod, a.port);
    return { pod: pod.metadata.name, targetPort };
  }

  /** A session to the current pod, opened once and shared by every connection until it ends. */
  private session(f: Forward): Promise<PortForwardSession> {
    if (f.session && !f.session.closed) return Promise.resolve(f.session);
    f.opening ??= (async () => {
      try {
        if (!f.info.pod) {
          const r = await this.resolve(f.info);
          this.setPod(f, r.pod, r.targetPort);
        }
        const s = await openPortForward(await this.deps.endpoint(), f.info.namespace, f.info.pod!);
        if (f.stopped) {
          s.close();
          throw new Error('stopped');
        }
        f.session = s;
        s.onClose((reason) => {
          if (f.session !== s) return;
          f.session = undefined;
          if (!f.stopped && reason !== 'stopped') log.debug('port-forward session ended', { pod: f.info.pod, reason });
        });
        return s;
      } finally {
        f.opening = undefined;
      }
    })();
    return f.opening;
  }

  private setPod(f: Forward, pod: string | undefined, targetPort?: number): void {
    if (f.info.pod === pod && (targetPort === undefined || f.info.targetPort === targetPort)) return;
    const was = f.info.pod;
    f.info.pod = pod;
    if (targetPort !== undefined) f.info.targetPort = targetPort;
    f.info.state = pod ? 'Active' : 'Waiting';
    if (was && pod) log.info('port-forward follows a new pod', { forward: f.info.kubectl, from: was, to: pod });
    this.changed(true);
  }

  private accept(f: Forward, sock: Socket): void {
    f.sockets.add(sock);
    f.info.connections++;
    f.info.totalConnections++;
    this.changed(true);
    let counted = true;
    const gone = () => {
      if (!counted) return;
      counted = false;
      f.sockets.delete(sock);
      f.info.connections--;
      this.changed(true);
    };
    sock.on('close', gone);
    sock.on('error', () => sock.destroy());
    sock.pause();
    this.session(f).then(
      (s) => {
        if (sock.destroyed) return;
        const c = s.forward(f.info.targetPort!, sock, {
          in: (n) => {
            f.info.bytesIn += n;
            this.changed();
          },
          out: (n) => {
            f.info.bytesOut += n;
            this.changed();
          },
        });
        sock.resume();
        void c.done.then((r) => r.error && this.error(f, r.error));
      },
      (e: Error) => {
        if (f.stopped) return sock.destroy();
        this.error(f, e.message);
        sock.destroy();
      },
    );
  }

  /** Watches the target's pods: the current one gone or not running drops the session; a Deployment/Service picks the next. */
  private follow(f: Forward): void {
    const c = this.deps.client();
    const { namespace, kind, name } = f.info;
    let stop: (() => void) | undefined;
    let stopped = false;
    f.stopWatch = () => {
      stopped = true;
      stop?.();
    };
    const reconsider = async () => {
      if (stopped || f.stopped) return;
      try {
        const r = await this.resolve(f.info);
        if (r.pod !== f.info.pod) {
          f.session?.close();
          f.session = undefined;
          this.setPod(f, r.pod, r.targetPort);
        }
      } catch (e) {
        if (f.info.pod) {
          // a Deployment's or Service's pod going is what following is for (it waits for the next); a Pod's is an error
          if (f.info.kind === 'Pod') this.error(f, `lost connection to pod ${f.info.pod}: ${(e as Error).message}`);
          f.session?.close();
          f.session = undefined;
          this.setPod(f, undefined);
        }
      }
    };
    const watchType: ResourceType = R.pods;
    const run = async () => {
      let selector: string | undefined;
      if (kind !== 'Pod') {
        try {
          const owner = (await c.get(kind === 'Service' ? R.services : R.deployments, name, namespace)) as Obj;
          selector = specSelectorString(owner.spec?.selector);
        } catch {}
      }
      while (!stopped && !f.stopped) {
        try {
          const list = await c.list(watchType, { namespace, ...(kind === 'Pod' ? { fieldSelector: `metadata.name=${name}` } : { labelSelector: selector }) });
          const w = await c.watch(
            watchType,
            {
              namespace,
              resourceVersion: list.metadata.resourceVersion,
              ...(kind === 'Pod' ? { fieldSelector: `metadata.name=${name}` } : { labelSelector: selector }),
            },
            (ev) => {
              if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
              const p = ev.object as KubeObject & Obj;
              const current = p.metadata.name === f.info.pod;
              const unusable = ev.type === 'DELETED' || !!p.metadata.deletionTimestamp || p.status?.phase !== 'Running';
              if ((current && unusable) || (!f.info.pod && !unusable)) void reconsider();
            },
          );
          stop = () => w.stop();
          if (stopped) w.stop();
          await w.done;
        } catch (e) {
          if (stopped) return;
          log.debug('port-forward pod watch failed; retrying', { error: String(e) });
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    void run();
  }
}
