// Composition root of the lab, used by `kubelab serve` and by the Electron app alike: starts every part in
// order (data dir + PKI -> store -> apiserver -> HTTPS -> controllers -> scheduler -> kubelets -> proxy),
// reports a typed lifecycle with progress, and stops in reverse.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { writeFileAtomic } from './atomic-file';
import { ensurePki, writeKubeconfig, type Pki } from './apiserver/pki';
import { createApiServer, type ApiServer } from './apiserver/index';
import { componentUsers } from './apiserver/bootstrap';
import { createStreamHandler } from './apiserver/streams/index';
import { MetricsServer } from './metrics/metrics-server';
import { nodeMetricsStorage, nodeMetricsStrategy, podMetricsStorage, podMetricsStrategy } from './metrics/strategy';
import { apiserverUser } from './apiserver/authn';
import { versionInfo } from './apiserver/http';
import { openStore, type Store } from './store/index';
import { selectContexts, listDockerContexts, type ContextEnv, type SelectedContext } from './runtime/docker/contexts';
import { ensureSandboxImage } from './runtime/docker/sandbox-image';
import { directDial } from './runtime/docker/net-probes';
import type { DataPlaneMode } from './runtime/docker/data-plane';
import { DockerRuntime } from './runtime/docker/index';
import { removeLabObjects, type Removed } from './runtime/docker/lab-objects';
import { clusterCidrProblem, DEFAULT_CLUSTER_CIDR } from './api/cidr';
import { serviceCIDR } from './proxy/allocator';
import { VirtualRuntime } from './runtime/virtual/index';
import type { ClusterPhase, ClusterStatus, DockerContextInfo, NodeActivity } from './bridge/contract';
import { StatusError } from './api/errors';
import type { UserInfo } from './apiserver/types';
import { ControllerManager, type ControllerManagerOptions } from './controllers/index';
import { Scheduler } from './scheduler/index';
import { Kubelet } from './kubelet/index';
import { NodeSet, type LabNode } from './kubelet/node-set';
import { Proxy } from './proxy/index';
import { TraceRecorder, TRACER_USER } from './trace/recorder';
import { R } from './client/types';
import type { Node } from 'kubernetes-types/core/v1';
import type { KubeObject } from './api/object';
import { logger } from './log';

const log = logger('cluster');

/** How long stop() waits for one part before it goes on to the next. */
const STOP_DEADLINE_MS = 15_000;

/** The lab's node set chosen in the UI, read at the next start unless `--node` flags say otherwise. */
const NODES_FILE = 'nodes.json';
/** The lab's address plan, fixed when the data dir is made: `{"clusterCIDR": "10.244.0.0/16"}`. */
const NETWORK_FILE = 'network.json';

/** Who adds and removes nodes through the API (cordon, delete the Node and its pods), named for audit lines. */
const NODE_MANAGER_USER: UserInfo = { username: 'kubelab:node-manager', groups: ['system:masters', 'system:authenticated'] };

export interface ClusterOptions {
  dataDir: string;
  /** HTTPS port on 127.0.0.1; 0 picks a free one */
  apiPort?: number;
  /** Docker contexts to use as nodes; empty = the current context */
  nodes?: string[];
  /** simulated nodes on top of the Docker ones */
  virtualNodes?: number;
  /** how often the metrics server reads the containers' stats, ms (metrics-server's --metric-resolution); 0: no metrics */
  metricResolutionMs?: number;
  controllerOptions?: ControllerManagerOptions;
  /** where Docker contexts are read from (tests pass a temp HOME) */
  contextEnv?: ContextEnv;
  /** the pods' address range, one /24 per node; kept in the data dir (default 10.244.0.0/16) */
  clusterCIDR?: string;
  /** hostPorts and NodePorts listen on every interface (0.0.0.0) instead of 127.0.0.1 only: reachable from the network */
  exposePorts?: boolean;
  /** upstream's --service-account-max-token-expiration, seconds; absent: no cap */
  serviceAccountMaxTokenExpirationSeconds?: number;
  /** the TUN device the nodes' overlay agents get (default /dev/net/tun) */
  overlayTunDevice?: string;
  /** how pod ports are reached (probes, port-forward, NodePorts): auto (default), direct, or api through each engine's API */
  dataPlane?: DataPlaneMode;
}

/** What a reset removed, and from which engines. */
export interface ResetResult {
  clusterId?: string;
  removed: Removed;
  /** contexts of the engines cleaned */
  engines: string[];
  /** engines that did not answer (their objects stay), with why */
  unreachable: string[];
}

export type { LabNode } from './kubelet/node-set';

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

/** A selected Docker context as the lab reports it (the Overview's engines panel). */
const contextInfo = (c: SelectedContext): DockerContextInfo => ({
  name: c.name,
  host: c.host,
  node: c.reachable ? c.nodeName : undefined,
  reachable: c.reachable,
  current: c.current,
  reason: c.reason,
});

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
  /** the pods' address range in effect (from the data dir) */
  clusterCIDR?: string;
  apiPort?: number;
  apiUrl?: string;
  kubeconfig?: string;
  /** the lab's nodes: each one's engine or simulation, runtime and kubelet, by node name */
  readonly nodeSet = new NodeSet();
  /** Docker contexts considered, with whether they answered (for the UI and the log). */
  contextReport: DockerContextInfo[] = [];
  /** every component records per-pod steps here; stored as PodTrace objects through the API */
  readonly tracer = new TraceRecorder();
  api?: ApiServer;
  controllerManager?: ControllerManager;
  scheduler?: Scheduler;
  proxy?: Proxy;
  /** CPU and memory per pod and node, served as metrics.k8s.io */
  metrics?: MetricsServer;
  /** the Docker nodes' runtimes as the proxy reads them for its Service relays (kept equal to the node set's, in place) */
  private readonly relayNodes: DockerRuntime[] = [];
  /** started parts, newest last; stop() walks this backwards */
  private running: { name: string; stop: () => void | Promise<void> }[] = [];
  private stopping?: Promise<void>;
  private resetting = false;
  /** Docker contexts the user chose as nodes (reachable or not); persisted in nodes.json on add/remove */
  private chosenContexts: string[] = [];
  /** node additions and removals run one at a time */
  private nodeOps: Promise<unknown> = Promise.resolve();
  /** the node being added or removed right now, for the UI */
  nodeActivity?: NodeActivity;

  constructor(readonly opts: ClusterOptions) {
    super();
    this.dataDir = opts.dataDir;
  }

  /** The lab's nodes, in the order they were added. */
  get nodes(): LabNode[] {
    return this.nodeSet.nodes();
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
      ...(this.nodeActivity ? { nodeActivity: this.nodeActivity } : {}),
    };
  }

  private setPhase(phase: ClusterPhase, message?: string): void {
    this.phase = phase;
    this.message = message;
    this.emit('status', this.status());
  }

  /** Every Docker context (for the UI's context list), marked with the node it serves; the others probed now, so "Add as node" knows. */
  async contexts(): Promise<DockerContextInfo[]> {
    const all = await listDockerContexts(this.opts.contextEnv);
    const serving = new Map(this.nodes.filter((n) => n.context).map((n) => [n.context!, n.name]));
    const unused = all.filter((c) => !serving.has(c.name)).map((c) => c.name);
    // an empty list would mean "the current context" to selectContexts
    const probed = unused.length ? await selectContexts(unused, { ...this.opts.contextEnv, timeoutMs: 2000 }) : [];
    return all.map((c) => {
      const p = probed.find((x) => x.name === c.name);
      const node = serving.get(c.name);
      return { name: c.name, host: c.host, current: c.current, node, reachable: node ? true : p?.reachable, ...(p?.reason ? { reason: p.reason } : {}) };
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
      { description: 'Starting the metrics server', run: () => this.startMetrics() },
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

  /**
   * Resets the lab, as Docker Desktop's "Reset Kubernetes Cluster": stops it, removes its containers, volumes and pod
   * networks from every engine it runs nodes on (only objects with its cluster label), and deletes the data dir
   * (store, certificates, tokens, kubeconfig, node set). The next start() makes a new lab with a new cluster id there.
   */
  async reset(): Promise<ResetResult> {
    if (this.phase === 'STARTING' || this.phase === 'STOPPING') throw new StatusError(409, 'Conflict', `cannot reset the lab while it is ${this.phase}`);
    if (this.resetting) throw new StatusError(409, 'Conflict', 'the lab is being reset already');
    this.resetting = true;
    try {
      const clusterId =
        this.clusterId ??
        (await readFile(join(this.dataDir, 'cluster-id'), 'utf8').then(
          (s) => s.trim(),
          () => undefined,
        ));
      const engines = await this.resetEngines();
      await this.stop();
      const result: ResetResult = { clusterId, removed: { containers: 0, networks: 0, volumes: 0 }, engines: [], unreachable: [] };
      if (clusterId) {
        for (const e of engines) {
          try {
            const r = await removeLabObjects(e.docker, { clusterId, lastOnEngine: true });
            for (const k of Object.keys(r) as (keyof Removed)[]) result.removed[k] += r[k];
            result.engines.push(e.name);
          } catch (err) {
            result.unreachable.push(`${e.name}: ${(err as Error).message}`);
          }
        }
      }
      await rm(this.dataDir, { recursive: true, force: true });
      this.clusterId = undefined;
      this.clusterCIDR = undefined;
      this.pki = undefined;
      this.store = undefined;
      this.api = undefined;
      this.apiUrl = undefined;
      this.kubeconfig = undefined;
      this.nodeSet.clear();
      this.syncRelayNodes();
      this.contextReport = [];
      this.chosenContexts = [];
      log.info('lab reset: its objects are gone from its engines and its data dir is deleted', {
        dataDir: this.dataDir,
        ...result.removed,
        engines: result.engines.join(',') || 'none',
        unreachable: result.unreachable.join('; ') || 'none',
      });
      this.emit('status', this.status());
      return result;
    } finally {
      this.resetting = false;
    }
  }

  /** The engines a reset cleans: those of the running nodes, else (a lab that is not running) those its node set names. */
  private async resetEngines(): Promise<{ name: string; docker: Docker }[]> {
    const running = this.nodes.filter((n) => n.kind === 'docker' && n.docker);
    const byHost = new Map<string, { name: string; docker: Docker }>();
    if (running.length) {
      for (const n of running) if (!byHost.has(n.host ?? n.name)) byHost.set(n.host ?? n.name, { name: n.context ?? n.name, docker: n.docker! });
    } else {
      const wanted = this.opts.nodes?.length ? this.opts.nodes : await this.readChosenContexts();
      for (const c of await selectContexts(wanted, this.opts.contextEnv)) {
        if (c.reachable && c.docker && !byHost.has(c.host)) byHost.set(c.host, { name: c.name, docker: c.docker });
      }
    }
    return [...byHost.values()];
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
    this.clusterCIDR = await this.readClusterCIDR();
  }

  /**
   * The cluster CIDR of this data dir: written at its first start (the option, else the default) and kept, since
   * every node's podCIDR and pod address comes from it; another one asked for later is refused with what to do.
   */
  private async readClusterCIDR(): Promise<string> {
    const wanted = this.opts.clusterCIDR;
    const problem = wanted ? clusterCidrProblem(wanted, `${serviceCIDR.base}/${serviceCIDR.bits}`) : undefined;
    if (problem) throw new Error(`--cluster-cidr: ${problem}`);
    const path = join(this.dataDir, NETWORK_FILE);
    let kept: string | undefined;
    try {
      const saved = JSON.parse(await readFile(path, 'utf8')) as { clusterCIDR?: unknown };
      if (typeof saved.clusterCIDR === 'string' && !clusterCidrProblem(saved.clusterCIDR)) kept = saved.clusterCIDR;
    } catch {}
    if (kept && wanted && kept !== wanted) {
      throw new Error(
        `this lab's cluster CIDR is ${kept} (kept in ${path}); its nodes' pod CIDRs come from it. To use ${wanted}, reset the lab or start one with another --data-dir`,
      );
    }
    const cidr = kept ?? wanted ?? DEFAULT_CLUSTER_CIDR;
    if (!kept) {
      await writeFileAtomic(path, JSON.stringify({ clusterCIDR: cidr }, null, 2) + '\n');
    }
    return cidr;
  }

  /** A short id, stable per data dir, labelled on every container so a restarted lab adopts its own. */
  private async readClusterId(): Promise<string> {
    const path = join(this.dataDir, 'cluster-id');
    try {
      const id = (await readFile(path, 'utf8')).trim();
      if (/^[a-z0-9]{6,32}$/.test(id)) return id;
    } catch {}
    const id = randomBytes(4).toString('hex');
    await writeFileAtomic(path, id + '\n');
    return id;
  }

  private async openStore(): Promise<void> {
    const store = await openStore(this.dataDir);
    this.store = store;
    this.running.push({ name: 'store', stop: () => store.close() });
  }

  private async serveApi(): Promise<void> {
    const pki = this.pki!;
    const api = createApiServer({
      store: this.store!,
      tracer: this.tracer,
      dataDir: this.dataDir,
      serviceAccountMaxTokenExpirationSeconds: this.opts.serviceAccountMaxTokenExpirationSeconds,
    });
    this.api = api;
    // listen first: bootstrap writes the `kubernetes` Service endpoints, which need the port
    const listener = await api.listen({ port: this.opts.apiPort ?? 6443, key: pki.key, cert: pki.cert, tokens: { admin: pki.tokens.admin } });
    this.running.push({ name: 'apiserver', stop: () => listener.close() });
    await api.bootstrap();
    // logs, exec, attach and port-forward go to the pod's kubelet, as the apiserver proxies them upstream
    api.setStreamHandler(createStreamHandler({ client: api.client(apiserverUser), kubelets: this.nodeSet }));
    // metrics.k8s.io, served in-process where upstream aggregates metrics-server's API
    api.addResource(
      nodeMetricsStrategy,
      nodeMetricsStorage(() => this.metrics),
    );
    api.addResource(
      podMetricsStrategy,
      podMetricsStorage(() => this.metrics),
    );
    this.tracer.attach(api.client({ username: TRACER_USER, groups: ['system:authenticated'] }));
    this.running.push({ name: 'trace-recorder', stop: () => this.tracer.close() });
    this.apiPort = listener.port;
    this.apiUrl = `https://127.0.0.1:${listener.port}`;
    this.kubeconfig = await writeKubeconfig(this.dataDir, pki, this.apiUrl);
    log.info('API serving', { url: this.apiUrl, kubeconfig: this.kubeconfig });
  }

  private async startControllers(): Promise<void> {
    const client = this.api!.client(componentUsers.controllerManager);
    this.controllerManager = new ControllerManager({ client, tracer: this.tracer, options: { ...this.opts.controllerOptions, clusterCIDR: this.clusterCIDR } });
    await this.run('controller-manager', this.controllerManager);
  }

  private async startScheduler(): Promise<void> {
    this.scheduler = new Scheduler({ client: this.api!.client(componentUsers.scheduler), tracer: this.tracer });
    await this.run('scheduler', this.scheduler);
  }

  private async startMetrics(): Promise<void> {
    if (this.opts.metricResolutionMs === 0) return;
    this.metrics = new MetricsServer({ kubelets: () => this.nodeSet.kubelets(), resolutionMs: this.opts.metricResolutionMs });
    await this.run('metrics-server', this.metrics);
  }

  private async startProxy(): Promise<void> {
    this.proxy = new Proxy({
      client: this.api!.client(componentUsers.proxy),
      tracer: this.tracer,
      dockerNodes: this.relayNodes,
      nodePortAddress: this.opts.exposePorts ? '0.0.0.0' : '127.0.0.1',
      // an endpoint is reached as its node reaches it (through the engine's API where pod IPs are not routable)
      dial: (b) => {
        const kubelet = b.nodeName ? this.nodeSet.kubelet(b.nodeName) : undefined;
        return kubelet ? kubelet.dialPod({ uid: b.pod?.uid, ip: b.ip }, b.port) : directDial(b.ip, b.port, 10_000);
      },
    });
    await this.run('proxy', this.proxy);
  }

  /** Picks the nodes: reachable Docker contexts, plus virtual nodes; none reachable means one virtual node. */
  private async registerNodes(): Promise<void> {
    this.notice = undefined;
    this.nodeSet.clear();
    this.syncRelayNodes();
    const wanted = this.opts.nodes?.length ? this.opts.nodes : await this.readChosenContexts();
    const selected = await selectContexts(wanted, this.opts.contextEnv);
    this.chosenContexts = selected.map((c) => c.name);
    this.contextReport = selected.map(contextInfo);
    this.setProgressDetail(`Docker contexts found: ${contextsLine(selected)}`);
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
      nodes.push(await this.nodeFromContext(c));
    }
    let virtual = this.opts.virtualNodes ?? 0;
    if (nodes.length === 0 && virtual === 0) {
      virtual = 1;
      const reasons = selected.map((c) => `${c.name}: ${c.reason ?? 'unreachable'}`).join('; ');
      this.notice = `No reachable Docker engine (${reasons}): the lab runs on one virtual node; pods are simulated, no containers run.`;
      log.warn(this.notice);
    }
    for (let i = 1; i <= virtual; i++) nodes.push({ name: `virtual-node-${i}`, kind: 'virtual' });
    for (const n of nodes) this.nodeSet.add(n);
    this.setProgressDetail(`Docker contexts found: ${contextsLine(selected)}; nodes registering: ${nodes.map((n) => n.name).join(', ')}`);
    for (const n of nodes) await this.startNode(n);
    await this.waitForNodes(nodes.map((n) => n.name));
  }

  private setProgressDetail(detail: string): void {
    if (this.progress) this.progress = { ...this.progress, detail };
    log.info(detail);
    this.emit('status', this.status());
  }

  /** A reachable context as a lab node, its sandbox image prepared (a failure there is logged, not fatal). */
  private async nodeFromContext(c: SelectedContext): Promise<LabNode> {
    const node: LabNode = { name: c.nodeName, kind: 'docker', context: c.name, host: c.host, engineVersion: c.version, docker: c.docker };
    try {
      node.sandboxImage = await ensureSandboxImage(c.docker!);
    } catch (err) {
      log.warn('sandbox image not ready on this node; pods there will fail to start', { node: node.name, error: (err as Error).message });
    }
    log.info('node from Docker context', { node: node.name, context: c.name, host: c.host, engine: c.version, sandbox: node.sandboxImage });
    return node;
  }

  /** Starts the kubelet of a node of the node set on its runtime (Docker, or simulated without an engine); start and addNode share it. */
  private async startNode(n: LabNode): Promise<Kubelet> {
    const docker = n.docker;
    const runtime =
      n.kind === 'docker' && docker
        ? new DockerRuntime({
            docker,
            clusterId: this.clusterId!,
            nodeName: n.name,
            sandboxImage: () => ensureSandboxImage(docker),
            owner: { dataDir: this.dataDir, host: hostname() },
            labNodes: () => this.nodeSet.names(),
            exposePorts: this.opts.exposePorts,
            clusterCIDR: this.clusterCIDR ?? DEFAULT_CLUSTER_CIDR,
            overlayTunDevice: this.opts.overlayTunDevice,
            dataPlane: this.opts.dataPlane,
          })
        : new VirtualRuntime({ nodeName: n.name });
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
    await kubelet.start();
    this.nodeSet.setKubelet(n.name, kubelet, runtime);
    this.syncRelayNodes();
    this.running.push({
      name: `kubelet/${n.name}`,
      stop: () => {
        this.nodeSet.clearKubelet(n.name);
        return kubelet.stop();
      },
    });
    return kubelet;
  }

  /** The proxy's view of the Docker nodes follows the node set (the proxy holds this array). */
  private syncRelayNodes(): void {
    this.relayNodes.splice(0, this.relayNodes.length, ...this.nodeSet.dockerRuntimes());
  }

  /** Adds a Docker context as a node of the running lab, as start would have; the choice is kept for the next start. */
  addNode(context: string): Promise<LabNode> {
    return this.nodeOp(() => this.doAddNode(context));
  }

  /** Takes a node out of the running lab: cordon, stop its kubelet, delete the Node and its pods, remove its containers. */
  removeNode(nodeName: string): Promise<void> {
    return this.nodeOp(() => this.doRemoveNode(nodeName));
  }

  private nodeOp<T>(op: () => Promise<T>): Promise<T> {
    const next = this.nodeOps.then(op, op);
    this.nodeOps = next.catch(() => undefined);
    return next;
  }

  private setActivity(activity: NodeActivity | undefined): void {
    this.nodeActivity = activity;
    if (activity) log.info(`${activity.action === 'add' ? 'Adding' : 'Removing'} node ${activity.node}: ${activity.step}`);
    this.emit('status', this.status());
  }

  private requireStarted(what: string): void {
    if (this.phase !== 'STARTED') throw new StatusError(409, 'Conflict', `cannot ${what}: the lab is ${this.phase}`);
  }

  private async doAddNode(context: string): Promise<LabNode> {
    this.requireStarted(`add a node from Docker context "${context}"`);
    const known = (await listDockerContexts(this.opts.contextEnv)).map((c) => c.name);
    const refusedEarly = addNodeRefusal(context, known, this.nodes);
    if (refusedEarly) throw refusedEarly;
    const [c] = await selectContexts([context], this.opts.contextEnv);
    this.upsertContextReport(c);
    const refused = addNodeRefusal(context, known, this.nodes, c);
    if (refused) {
      this.emit('status', this.status());
      throw refused;
    }
    try {
      this.setActivity({ action: 'add', node: c.nodeName, context, step: 'preparing the sandbox image' });
      const node = await this.nodeFromContext(c);
      this.setActivity({ action: 'add', node: node.name, context, step: 'starting the kubelet' });
      this.nodeSet.add(node);
      try {
        await this.startNode(node);
        this.setActivity({ action: 'add', node: node.name, context, step: 'waiting for the Node to register' });
        await this.waitForNodes([node.name]);
      } catch (err) {
        await this.dropNode(node.name);
        throw err;
      }
      if (node.docker) await this.proxy?.dockerNodesChanged();
      if (!this.chosenContexts.includes(context)) this.chosenContexts.push(context);
      await this.writeChosenContexts();
      log.info('node added', { node: node.name, context });
      return node;
    } finally {
      this.setActivity(undefined);
    }
  }

  private async doRemoveNode(name: string): Promise<void> {
    this.requireStarted(`remove node "${name}"`);
    const refused = removeNodeRefusal(name, this.nodes);
    if (refused) throw refused;
    const node = this.nodes.find((n) => n.name === name)!;
    const client = this.api!.client(NODE_MANAGER_USER);
    const ignoreNotFound = (e: unknown) => {
      if ((e as { code?: number }).code !== 404) throw e;
    };
    const step = (s: string) => this.setActivity({ action: 'remove', node: name, context: node.context, step: s });
    try {
      step('cordoning');
      await client.patch(R.nodes, name, 'application/merge-patch+json', { spec: { unschedulable: true } }).catch(ignoreNotFound);
      step('stopping the kubelet');
      await this.dropNode(name);
      step('deleting the Node object');
      await client.delete(R.nodes, name).catch(ignoreNotFound);
      await client.delete(R.leases, name, { namespace: 'kube-node-lease' }).catch(() => undefined);
      // upstream PodGC deletes pods bound to a node that no longer exists (gcOrphaned), at once: no kubelet will confirm
      step('deleting its pods');
      const pods = await client.list(R.pods, { fieldSelector: `spec.nodeName=${name}` });
      await Promise.all(
        pods.items.map((p) => client.delete(R.pods, p.metadata.name!, { namespace: p.metadata.namespace, gracePeriodSeconds: 0 }).catch(ignoreNotFound)),
      );
      if (node.docker) {
        step('removing its containers');
        // an engine that stopped answering (the reason to remove it, often) keeps its containers; the node still goes
        await this.removeNodeContainers(node).catch((e) => log.warn("cannot remove the node's containers", { node: name, error: String(e) }));
      }
      this.contextReport = this.contextReport.map((r) => (r.node === name ? { ...r, node: undefined } : r));
      this.chosenContexts = this.chosenContexts.filter((c) => c !== node.context);
      await this.writeChosenContexts();
      log.info('node removed', { node: name, context: node.context, pods: pods.items.length });
    } finally {
      this.setActivity(undefined);
    }
  }

  /** Takes a node out of the node set and stops its kubelet, if it runs (stop() will not stop it again); its runtime leaves the proxy's Docker nodes. */
  private async dropNode(name: string): Promise<void> {
    const i = this.running.findIndex((p) => p.name === `kubelet/${name}`);
    if (i >= 0) this.running.splice(i, 1);
    const kubelet = this.nodeSet.remove(name)?.kubelet;
    this.syncRelayNodes();
    if (!kubelet) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([kubelet.stop(), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_DEADLINE_MS)))]).finally(() => clearTimeout(timer));
  }

  /** Removes this lab's containers, volumes and pod network of the node from its engine (its labels: never anyone else's). */
  private async removeNodeContainers(node: LabNode): Promise<void> {
    // the network older labs shared per engine goes too, unless another node of the lab runs on the same engine
    const lastOnEngine = !this.nodes.some((n) => n.kind === 'docker' && n.host === node.host);
    const removed = await removeLabObjects(node.docker!, { clusterId: this.clusterId!, nodeName: node.name, lastOnEngine });
    log.info("removed the node's objects from its engine", { node: node.name, ...removed });
  }

  private upsertContextReport(c: SelectedContext): void {
    const entry = contextInfo(c);
    const i = this.contextReport.findIndex((r) => r.name === c.name);
    if (i >= 0) this.contextReport[i] = entry;
    else this.contextReport.push(entry);
  }

  /** The contexts chosen by adds and removes, or none (then the current context) when the file is absent or unreadable. */
  private async readChosenContexts(): Promise<string[]> {
    try {
      const saved = JSON.parse(await readFile(join(this.dataDir, NODES_FILE), 'utf8')) as { contexts?: unknown };
      if (Array.isArray(saved.contexts) && saved.contexts.every((c) => typeof c === 'string')) return saved.contexts as string[];
    } catch {}
    return [];
  }

  /** Written atomically, so a crash never leaves half a file. */
  private async writeChosenContexts(): Promise<void> {
    const path = join(this.dataDir, NODES_FILE);
    await writeFileAtomic(path, JSON.stringify({ contexts: this.chosenContexts }, null, 2) + '\n');
  }

  /** Node status and Lease renewals at upstream's 10 s, or a quarter of a shorter lab grace period. */
  private heartbeat(): { heartbeatMs: number; leaseMs: number } {
    const grace = this.opts.controllerOptions?.nodeMonitorGracePeriodSeconds;
    const ms = grace ? Math.min(10_000, Math.max(500, (grace * 1000) / 4)) : 10_000;
    return { heartbeatMs: ms, leaseMs: ms };
  }

  /**
   * Resolves once every kubelet's Node object exists (the ready line promises registered nodes) and has its podCIDR
   * (so pods get addresses at once); a node still without one after a while is logged with where to look, not fatal.
   */
  private async waitForNodes(names: string[], timeoutMs = 60_000, podCIDRMs = 15_000): Promise<void> {
    const client = this.api!.client(componentUsers.controllerManager);
    const deadline = Date.now() + timeoutMs;
    for (const name of names) {
      let registered: number | undefined;
      for (;;) {
        try {
          const n = await client.get<Node & KubeObject>(R.nodes, name);
          registered ??= Date.now();
          if (n.spec?.podCIDR) break;
          if (Date.now() - registered > podCIDRMs) {
            log.warn('node has no pod CIDR yet; its pods wait for one (kubectl describe node shows why)', { node: name });
            break;
          }
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`node ${name} did not register within ${timeoutMs / 1000} s: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

/** `default, node2 (node2: connection refused)`: every context considered, with why the unreachable ones are not nodes. */
export function contextsLine(contexts: { name: string; reachable: boolean; reason?: string }[]): string {
  const names = contexts.map((c) => c.name).join(', ');
  const down = contexts.filter((c) => !c.reachable).map((c) => `${c.name}: ${c.reason ?? 'unreachable'}`);
  return down.length ? `${names} (${down.join('; ')})` : names;
}

/**
 * Why a context cannot become a node now, as a Status error (undefined: it can). Without `probed` only what is
 * known before probing the engine is checked (an unknown context, a context already serving a node).
 */
export function addNodeRefusal(
  context: string,
  knownContexts: string[],
  nodes: Pick<LabNode, 'name' | 'context'>[],
  probed?: { nodeName: string; reachable: boolean; reason?: string },
): StatusError | undefined {
  if (!knownContexts.includes(context)) {
    return new StatusError(404, 'NotFound', `no Docker context named "${context}" (known: ${knownContexts.join(', ') || 'none'})`);
  }
  const serving = nodes.find((n) => n.context === context);
  if (serving) return new StatusError(409, 'AlreadyExists', `Docker context "${context}" is already node "${serving.name}"`);
  if (!probed) return undefined;
  if (nodes.some((n) => n.name === probed.nodeName)) return new StatusError(409, 'AlreadyExists', `nodes "${probed.nodeName}" already exists`);
  if (!probed.reachable)
    return new StatusError(503, 'ServiceUnavailable', `Docker context "${context}" is not reachable: ${probed.reason ?? 'unknown reason'}`);
  return undefined;
}

/** Why a node cannot be removed (undefined: it can): it is not one of the lab's, or it is the last one. */
export function removeNodeRefusal(name: string, nodes: Pick<LabNode, 'name'>[]): StatusError | undefined {
  if (!nodes.some((n) => n.name === name)) {
    return new StatusError(404, 'NotFound', `nodes "${name}" not found in this lab (nodes: ${nodes.map((n) => n.name).join(', ') || 'none'})`);
  }
  if (nodes.length === 1) return new StatusError(409, 'Conflict', `node "${name}" is the lab's only node; add another before removing it`);
  return undefined;
}
