// The lab's kube-proxy. NodePort Services listen on the host (127.0.0.1:<nodePort> by default) and
// balance each new TCP connection round robin over the Service's ready endpoints, read live from the
// Endpoints informer, so a connection never goes to a pod that has stopped being Ready.
// Inside pods, Services resolve by name through a relay container per Service and Docker node (service-relays.ts).
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../api/object';
import { objectKey } from '../api/object';
import { Informer } from '../client/informer';
import { R, type Client } from '../client/types';
import { WorkQueue } from '../client/workqueue';
import { logger } from '../log';
import { directDial } from '../runtime/docker/net-probes';
import { noopTracer, now, type Tracer } from '../trace/types';
import { backendsFor, RoundRobin, type Backend } from './balancer';
import { PodOverlay } from './overlay';
import { ServiceRelays, type RelayNode } from './service-relays';

const log = logger('proxy');
type Svc = Service & KubeObject;
type Ep = Endpoints & KubeObject;

export interface ProxyOptions {
  client: Client;
  tracer?: Tracer;
  /** address NodePorts listen on; 127.0.0.1 unless the lab is told otherwise */
  nodePortAddress?: string;
  /**
   * how to reach an endpoint: the lab passes the dialer of the endpoint's node (through the engine's API where pod
   * IPs are not routable from here); the default dials the IP directly
   */
  dial?: (b: Backend) => Promise<Duplex>;
  /** Docker nodes whose pods reach Services by name (a relay per Service on each); none: NodePorts only */
  dockerNodes?: RelayNode[];
}

interface Listener {
  server: Server;
  svcKey: string;
  portName: string;
  rr: RoundRobin;
  /** pod uids already traced as reachable through this listener */
  traced: Set<string>;
}

export class Proxy {
  private svcInf: Informer<Svc>;
  private epInf: Informer<Ep>;
  private queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 10_000 });
  /** nodePort -> listener */
  private listeners = new Map<number, Listener>();
  private sockets = new Set<Socket | Duplex>();
  private readonly tracer: Tracer;
  private readonly address: string;
  private readonly relays: ServiceRelays;
  /** relays packets between the Docker nodes' agents: one flat pod network */
  readonly overlay: PodOverlay;

  constructor(private readonly opts: ProxyOptions) {
    this.svcInf = new Informer<Svc>(opts.client, R.services);
    this.epInf = new Informer<Ep>(opts.client, R.endpoints);
    this.tracer = opts.tracer ?? noopTracer;
    this.address = opts.nodePortAddress ?? '127.0.0.1';
    const nodes = opts.dockerNodes ?? [];
    this.overlay = new PodOverlay(nodes, () => void this.relays.nodesChanged());
    this.relays = new ServiceRelays(nodes, this.svcInf, this.epInf, (from, to) => this.overlay.reachable(from, to));
  }

  async start(): Promise<void> {
    const enqueue = (o: KubeObject) => this.queue.add(objectKey(o));
    this.svcInf.addHandlers({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    this.epInf.addHandlers({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    await Promise.all([this.svcInf.start(), this.epInf.start()]);
    void this.queue.run(
      (k) => this.sync(k),
      1,
      (key, err) => log.warn('sync failed', { key, error: String(err) }),
    );
    this.overlay.sync();
    await this.relays.start();
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    this.relays.stop(); // relays keep running: a restarted lab adopts them
    await this.overlay.stop();
    this.svcInf.stop();
    this.epInf.stop();
    for (const s of this.sockets) s.destroy();
    await Promise.all([...this.listeners.values()].map((l) => new Promise<void>((r) => l.server.close(() => r()))));
    this.listeners.clear();
  }

  /** Docker nodes were added or removed at run time (the array given as dockerNodes changed in place). */
  dockerNodesChanged(): Promise<void> {
    this.overlay.sync();
    return this.relays.nodesChanged();
  }

  /** NodePorts this proxy currently listens on, for the UI and tests. */
  nodePorts(): Array<{ nodePort: number; service: string; port: string }> {
    return [...this.listeners.entries()].map(([nodePort, l]) => ({ nodePort, service: l.svcKey, port: l.portName }));
  }

  private async sync(key: string): Promise<void> {
    const svc = this.svcInf.get(key);
    const wanted = new Map<number, string>();
    if (svc && (svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer')) {
      for (const p of svc.spec.ports ?? []) if (p.nodePort && (p.protocol ?? 'TCP') === 'TCP') wanted.set(p.nodePort, p.name ?? '');
    }
    for (const [port, l] of [...this.listeners]) {
      if (l.svcKey === key && wanted.get(port) !== l.portName) {
        this.listeners.delete(port);
        l.server.close();
        log.info('NodePort closed', { service: key, nodePort: port });
      }
    }
    for (const [port, portName] of wanted) {
      if (this.listeners.has(port)) continue;
      await this.listen(port, key, portName);
    }
    // trace pods newly reachable through a NodePort
    for (const [port, l] of this.listeners) {
      if (l.svcKey !== key || !svc) continue;
      const sp = svc.spec?.ports?.find((p) => (p.name ?? '') === l.portName);
      if (!sp) continue;
      for (const b of backendsFor(this.epInf.get(key), sp)) {
        if (!b.pod?.uid || l.traced.has(b.pod.uid)) continue;
        l.traced.add(b.pod.uid);
        const t = now();
        this.tracer.record(
          { namespace: b.pod.namespace ?? '', name: b.pod.name ?? '', uid: b.pod.uid },
          {
            component: 'proxy',
            action: 'nodeport',
            start: t,
            end: t,
            outcome: 'success',
            message: `NodePort ${this.address}:${port} (Service ${key} port ${sp.port}) balances to ${b.ip}:${b.port}`,
            details: { nodePort: port, service: key, backend: `${b.ip}:${b.port}` },
          },
        );
      }
    }
  }

  private listen(port: number, svcKey: string, portName: string): Promise<void> {
    const l: Listener = { server: createServer((sock) => this.forward(l, sock)), svcKey, portName, rr: new RoundRobin(), traced: new Set() };
    return new Promise((resolve) => {
      l.server.once('error', (err) => {
        log.warn('NodePort cannot listen', { service: svcKey, nodePort: port, error: String(err) });
        resolve();
      });
      l.server.listen(port, this.address, () => {
        this.listeners.set(port, l);
        log.info('NodePort listening', { service: svcKey, address: `${this.address}:${port}` });
        resolve();
      });
    });
  }

  private forward(l: Listener, client: Socket): void {
    const svc = this.svcInf.get(l.svcKey);
    const sp = svc?.spec?.ports?.find((p) => (p.name ?? '') === l.portName);
    const backend = sp && l.rr.pick(backendsFor(this.epInf.get(l.svcKey), sp));
    if (!backend) {
      client.destroy(); // no ready endpoint: refuse, as kube-proxy's REJECT rule does
      return;
    }
    this.sockets.add(client);
    // bytes the client sends before the endpoint answers stay in the socket: it is paused until then
    client.pause();
    let upstream: Duplex | undefined;
    const done = () => {
      this.sockets.delete(client);
      client.destroy();
      if (upstream) {
        this.sockets.delete(upstream);
        upstream.destroy();
      }
    };
    client.on('error', done).on('close', done);
    const dial = this.opts.dial ?? ((b: Backend) => directDial(b.ip, b.port, 10_000));
    dial(backend).then(
      (u) => {
        if (client.destroyed) return void u.destroy();
        upstream = u;
        this.sockets.add(u);
        u.on('error', done).on('close', done);
        client.pipe(u).pipe(client);
        client.resume();
      },
      (err: Error) => {
        log.debug('NodePort backend not reachable', { service: l.svcKey, backend: `${backend.ip}:${backend.port}`, error: err.message });
        done();
      },
    );
  }
}
