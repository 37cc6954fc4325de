// Composition root of the lab, used by `kubelab serve` and by the Electron app alike: starts every part in
// order (data dir + PKI -> store -> apiserver -> HTTPS -> controllers -> scheduler -> kubelets -> proxy),
// reports a typed lifecycle with progress, and stops in reverse.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ensurePki, writeKubeconfig, type Pki } from './apiserver/pki';
import { createApiServer, type ApiServer } from './apiserver/index';
import { componentUsers } from './apiserver/bootstrap';
import { createStreamHandler } from './apiserver/streams/index';
import { apiserverUser } from './apiserver/authn';
import { versionInfo } from './apiserver/http';
import { openStore, type Store } from './store/index';
import { selectContexts, listDockerContexts, type ContextEnv } from './runtime/docker/contexts';
import { ensureSandboxImage } from './runtime/docker/sandbox-image';
import { DockerRuntime } from './runtime/docker/index';
import { VirtualRuntime } from './runtime/virtual/index';
import type { ClusterPhase, ClusterStatus, DockerContextInfo } from './bridge/contract';
import { ControllerManager, type ControllerManagerOptions } from './controllers/index';
import { Scheduler } from './scheduler/index';
import { Kubelet } from './kubelet/index';
import { Proxy } from './proxy/index';
import { TraceRecorder, TRACER_USER } from './trace/recorder';
import { R } from './client/types';
import { logger } from './log';

const log = logger('cluster');

/** How long stop() waits for one part before it goes on to the next. */
const STOP_DEADLINE_MS = 15_000;

export interface ClusterOptions {
  dataDir: string;
  /** HTTPS port on 127.0.0.1; 0 picks a free one */
  apiPort?: number;
  /** Docker contexts to use as nodes; empty = the current context */
  nodes?: string[];
  /** simulated nodes on top of the Docker ones */
  virtualNodes?: number;
  controllerOptions?: ControllerManagerOptions;
  /** where Docker contexts are read from (tests pass a temp HOME) */
  contextEnv?: ContextEnv;
}

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

/** Something the cluster starts and stops; every control-plane part fits this. */
export interface Component {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

interface Stage {
  description: string;
  run(): Promise<void>;
}

export interface ClusterEvents {
  status: [ClusterStatus];
}

export class Cluster extends EventEmitter<ClusterEvents> {
  readonly dataDir: string;
  phase: ClusterPhase = 'STOPPED';
  progress?: ClusterStatus['progress'];
  message?: string;
  /** what a user should know about a running lab (no Docker engine: virtual node) */
  notice?: string;
  pki?: Pki;
  store?: Store;
  clusterId?: string;
  apiPort?: number;
  apiUrl?: string;
  kubeconfig?: string;
  nodes: LabNode[] = [];
  /** Docker contexts considered, with whether they answered (for the UI and the log). */
  contextReport: DockerContextInfo[] = [];
  /** every component records per-pod steps here; stored as PodTrace objects through the API */
  readonly tracer = new TraceRecorder();
  api?: ApiServer;
  controllerManager?: ControllerManager;
  scheduler?: Scheduler;
  kubelets: Kubelet[] = [];
  proxy?: Proxy;
  /** Docker nodes' runtimes, handed to the proxy for its Service relays */
  private dockerRuntimes: DockerRuntime[] = [];
  /** started parts, newest last; stop() walks this backwards */
  private running: { name: string; stop: () => void | Promise<void> }[] = [];
  private stopping?: Promise<void>;

  constructor(readonly opts: ClusterOptions) {
    super();
    this.dataDir = opts.dataDir;
  }

  status(): ClusterStatus {
    return {
      phase: this.phase,
      progress: this.progress,
      virtual: this.nodes.length > 0 && this.nodes.every((n) => n.kind === 'virtual'),
      message: this.message,
      apiUrl: this.apiUrl,
      kubeconfig: this.kubeconfig,
      dataDir: this.dataDir,
      version: versionInfo.gitVersion,
    };
  }

  private setPhase(phase: ClusterPhase, message?: string): void {
    this.phase = phase;
    this.message = message;
    this.emit('status', this.status());
  }

  /** Every Docker context (for the UI's context list), marked with the node it serves. */
  async contexts(): Promise<DockerContextInfo[]> {
    const all = await listDockerContexts(this.opts.contextEnv);
    return all.map((c) => {
      const used = this.contextReport.find((r) => r.name === c.name);
      return { name: c.name, host: c.host, current: c.current, node: used?.node, reachable: used?.reachable };
    });
  }

  private stages(): Stage[] {
    return [
      { description: 'Preparing the data directory and certificates', run: () => this.preparePki() },
      { description: 'Opening the store', run: () => this.openStore() },
      { description: 'Serving the API on HTTPS', run: () => this.serveApi() },
      { description: 'Starting the controller manager', run: () => this.startControllers() },
      { description: 'Starting the scheduler', run: () => this.startScheduler() },
      { description: 'Starting the kubelets and registering nodes', run: () => this.registerNodes() },
      { description: 'Starting the service proxy', run: () => this.startProxy() },
    ];
  }

  /** Starts everything in order; on failure stops what started and rethrows (phase ERROR). */
  async start(): Promise<void> {
    if (this.phase !== 'STOPPED' && this.phase !== 'ERROR') throw new Error(`cannot start: cluster is ${this.phase}`);
    const stages = this.stages();
    this.setPhase('STARTING');
    try {
      for (const [i, stage] of stages.entries()) {
        this.progress = { current: i, max: stages.length, description: stage.description };
        this.emit('status', this.status());
        log.info(stage.description);
        await stage.run();
      }
      this.progress = { current: stages.length, max: stages.length, description: 'Ready' };
      this.setPhase('STARTED', this.notice);
    } catch (err) {
      const message = `${this.progress?.description ?? 'start'} failed: ${(err as Error).message}`;
      log.error(message);
      await this.stopRunning();
      this.setPhase('ERROR', message);
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.phase === 'STOPPED') return;
    if (this.stopping) return this.stopping;
    this.setPhase('STOPPING');
    this.stopping = this.stopRunning()
      .then(() => {
        this.progress = undefined;
        this.setPhase('STOPPED');
      })
      .finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async stopRunning(): Promise<void> {
    while (this.running.length) {
      const part = this.running.pop()!;
      let timer: NodeJS.Timeout | undefined;
      // one part that cannot stop (an engine that no longer answers) must not keep the store from closing
      const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_DEADLINE_MS)));
      try {
        const outcome = await Promise.race([Promise.resolve(part.stop()).then(() => 'stopped' as const), deadline]);
        if (outcome === 'timeout') log.warn(`did not stop within ${STOP_DEADLINE_MS / 1000} s; going on`, { part: part.name });
        else log.debug('stopped', { part: part.name });
      } catch (err) {
        log.warn('stopping failed', { part: part.name, error: String(err) });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Starts a part and remembers it, so stop() and a failed start() stop it in reverse order. */
  private async run(name: string, part: Component): Promise<void> {
    await part.start();
    this.running.push({ name, stop: () => part.stop() });
  }

  private async preparePki(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    this.pki = await ensurePki(this.dataDir);
    this.clusterId = await this.readClusterId();
  }

  /** A short id, stable per data dir, labelled on every container so a restarted lab adopts its own. */
  private async readClusterId(): Promise<string> {
    const path = join(this.dataDir, 'cluster-id');
    try {
      const id = (await readFile(path, 'utf8')).trim();
      if (/^[a-z0-9]{6,32}$/.test(id)) return id;
    } catch {}
    const id = randomBytes(4).toString('hex');
    await writeFile(path, id + '\n', { mode: 0o600 });
    return id;
  }

  private async openStore(): Promise<void> {
    const store = await openStore(this.dataDir);
    this.store = store;
    this.running.push({ name: 'store', stop: () => store.close() });
  }

  private async serveApi(): Promise<void> {
    const pki = this.pki!;
    const api = createApiServer({ store: this.store!, tracer: this.tracer, dataDir: this.dataDir });
    this.api = api;
    // listen first: bootstrap writes the `kubernetes` Service endpoints, which need the port
    const listener = await api.listen({ port: this.opts.apiPort ?? 6443, key: pki.key, cert: pki.cert, tokens: { admin: pki.tokens.admin } });
    this.running.push({ name: 'apiserver', stop: () => listener.close() });
    await api.bootstrap();
    // logs, exec, attach and port-forward go to the pod's kubelet, as the apiserver proxies them upstream
    api.setStreamHandler(createStreamHandler({ client: api.client(apiserverUser) }));
    this.tracer.attach(api.client({ username: TRACER_USER, groups: ['system:authenticated'] }));
    this.running.push({ name: 'trace-recorder', stop: () => this.tracer.close() });
    this.apiPort = listener.port;
    this.apiUrl = `https://127.0.0.1:${listener.port}`;
    this.kubeconfig = await writeKubeconfig(this.dataDir, pki, this.apiUrl);
    log.info('API serving', { url: this.apiUrl, kubeconfig: this.kubeconfig });
  }

  private async startControllers(): Promise<void> {
    const client = this.api!.client(componentUsers.controllerManager);
    this.controllerManager = new ControllerManager({ client, tracer: this.tracer, options: this.opts.controllerOptions });
    await this.run('controller-manager', this.controllerManager);
  }

  private async startScheduler(): Promise<void> {
    this.scheduler = new Scheduler({ client: this.api!.client(componentUsers.scheduler), tracer: this.tracer });
    await this.run('scheduler', this.scheduler);
  }

  private async startProxy(): Promise<void> {
    this.proxy = new Proxy({ client: this.api!.client(componentUsers.proxy), tracer: this.tracer, dockerNodes: this.dockerRuntimes });
    await this.run('proxy', this.proxy);
  }

  /** Picks the nodes: reachable Docker contexts, plus virtual nodes; none reachable means one virtual node. */
  private async registerNodes(): Promise<void> {
    this.notice = undefined;
    this.dockerRuntimes = [];
    const selected = await selectContexts(this.opts.nodes ?? [], this.opts.contextEnv);
    this.contextReport = selected.map((c) => ({ name: c.name, host: c.host, node: c.reachable ? c.nodeName : undefined, reachable: c.reachable, current: c.current }));
    const nodes: LabNode[] = [];
    for (const c of selected) {
      if (!c.reachable || !c.docker) {
        log.warn('Docker context not reachable, no node for it', { context: c.name, reason: c.reason ?? 'unknown' });
        continue;
      }
      if (nodes.some((n) => n.name === c.nodeName)) {
        log.warn('two contexts map to one node name; keeping the first', { context: c.name, node: c.nodeName });
        continue;
      }
      const node: LabNode = { name: c.nodeName, kind: 'docker', context: c.name, host: c.host, engineVersion: c.version, docker: c.docker };
      try {
        node.sandboxImage = await ensureSandboxImage(c.docker);
      } catch (err) {
        log.warn('sandbox image not ready on this node; pods there will fail to start', { node: node.name, error: (err as Error).message });
      }
      log.info('node from Docker context', { node: node.name, context: c.name, host: c.host, engine: c.version, sandbox: node.sandboxImage });
      nodes.push(node);
    }
    let virtual = this.opts.virtualNodes ?? 0;
    if (nodes.length === 0 && virtual === 0) {
      virtual = 1;
      const reasons = selected.map((c) => `${c.name}: ${c.reason ?? 'unreachable'}`).join('; ');
      this.notice = `No reachable Docker engine (${reasons}): the lab runs on one virtual node; pods are simulated, no containers run.`;
      log.warn(this.notice);
    }
    for (let i = 1; i <= virtual; i++) nodes.push({ name: `virtual-node-${i}`, kind: 'virtual' });
    this.nodes = nodes;
    for (const n of nodes) {
      const docker = n.docker;
      // nodes without an engine simulate their containers
      const runtime = n.kind === 'docker' && docker
        ? new DockerRuntime({ docker, clusterId: this.clusterId!, nodeName: n.name, sandboxImage: () => ensureSandboxImage(docker) })
        : new VirtualRuntime({ nodeName: n.name });
      if (runtime instanceof DockerRuntime) this.dockerRuntimes.push(runtime);
      const kubelet = new Kubelet({
        client: this.api!.client(componentUsers.node(n.name)),
        runtime,
        nodeName: n.name,
        tracer: this.tracer,
        options: {
          clusterId: this.clusterId,
          dataDir: join(this.dataDir, 'kubelet', n.name),
          virtual: n.kind === 'virtual',
          // a lab grace period shorter than upstream's 40 s needs heartbeats often enough not to flap
          ...this.heartbeat(),
        },
      });
      await this.run(`kubelet/${n.name}`, kubelet);
      this.kubelets.push(kubelet);
    }
    await this.waitForNodes(this.kubelets.map((k) => k.nodeName));
  }

  /** Resolves once every kubelet's Node object exists: the ready line promises registered nodes. */
  /** Node status and Lease renewals at upstream's 10 s, or a quarter of a shorter lab grace period. */
  private heartbeat(): { heartbeatMs: number; leaseMs: number } {
    const grace = this.opts.controllerOptions?.nodeMonitorGracePeriodSeconds;
    const ms = grace ? Math.min(10_000, Math.max(500, (grace * 1000) / 4)) : 10_000;
    return { heartbeatMs: ms, leaseMs: ms };
  }

  private async waitForNodes(names: string[], timeoutMs = 60_000): Promise<void> {
    const client = this.api!.client(componentUsers.controllerManager);
    const deadline = Date.now() + timeoutMs;
    for (const name of names) {
      for (;;) {
        try {
          await client.get(R.nodes, name);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`node ${name} did not register within ${timeoutMs / 1000} s: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }
}
