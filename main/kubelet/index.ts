// The kubelet: registers its Node, keeps the Lease, watches the pods bound to it, and converges each
// pod onto the container runtime one step at a time (computePodActions), reporting status through pods/status.
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import type { ConfigMap, Container, Node, Pod, Secret } from 'kubernetes-types/core/v1';
import { isStatusError } from '../api/errors';
import { objectKey, type KubeObject } from '../api/object';
import { toMilli, toValue } from '../api/quantity';
import { EventRecorder } from '../client/events';
import { Informer } from '../client/informer';
import { R, type Client } from '../client/types';
import { WorkQueue } from '../client/workqueue';
import { logger } from '../log';
import type { ContainerRuntime, ContainerStatus, HostPortMapping, OverlayCondition, SandboxStatus } from '../runtime/types';
import { noopTracer, now, type Tracer } from '../trace/types';
import { Backoff, formatDuration, type BackoffOptions } from './backoff';
import { buildEnv, EnvError } from './env';
import { ImageError, ImageManager } from './images';
import { NodeLeaseController, NodeStatusManager } from './node-status';
import { PodCIDRManager } from './pod-cidr';
import { computePodActions, latestInstances, type PodRuntimeState, type StartAction } from './pod-actions';
import { generatePodStatus, type WaitingReason } from './pod-status';
import { ProbeManager } from './prober';
import { PodFlowTrace } from './pod-trace';
import { podDns, podDnsAliases } from './pod-dns';
import type { Duplex } from 'node:stream';
import { directDial } from '../runtime/docker/net-probes';

/** Node annotation: how the lab reaches the node's pod ports (`direct` or `api`); `<it>-reason` says why. */
export const DATA_PLANE_ANNOTATION = 'kubelab.io/data-plane';
import { admitPod, containerSecurity, localhostSeccompProfile, sandboxSecurity, SecurityContextError } from './security-context';
import {
  MAX_CONTAINER_TERMINATION_MESSAGE,
  MAX_CONTAINER_TERMINATION_MESSAGE_LOG,
  MAX_CONTAINER_TERMINATION_MESSAGE_LOG_LINES,
  readTail,
  streamTail,
} from './termination-message';
import { containerMounts, setUpVolumes, tearDownVolumes, VolumeError, type PreparedVolume } from './volumes';

export interface KubeletOptions {
  /** the cluster id every runtime object is labelled with */
  clusterId?: string;
  /** where pod volumes live; default a temp dir */
  dataDir?: string;
  heartbeatMs?: number;
  leaseMs?: number;
  /** how often the runtime is relisted (PLEG) */
  relistMs?: number;
  /** full resync of every pod */
  resyncMs?: number;
  /** crash-loop back-off (tests shorten it) */
  backoff?: BackoffOptions;
  imageBackoff?: BackoffOptions;
  /** the node runs simulated containers */
  virtual?: boolean;
  workers?: number;
  /** sysctls beyond the safe set pods may set (upstream's --allowed-unsafe-sysctls; `kernel.msg*` patterns) */
  allowedUnsafeSysctls?: string[];
}

export interface KubeletDeps {
  client: Client;
  runtime: ContainerRuntime;
  nodeName: string;
  tracer?: Tracer;
  options?: KubeletOptions;
}

interface PodState {
  uid: string;
  waiting: Map<string, WaitingReason>;
  terminationMessages: Map<string, string>;
  /** trace milestones already recorded */
  traced: Set<string>;
  volumes?: Map<string, PreparedVolume>;
  lastStatus?: string;
  terminating?: boolean;
  /** the kubelet's own record of each container's highest restartCount, so an instance removed behind its back still counts */
  restartCounts: Map<string, number>;
  /** the highest sandbox attempt this kubelet saw for the pod */
  sandboxAttempt?: number;
  /** the first sync looked for containers already running (a restarted kubelet adopts them) */
  adoptionChecked?: boolean;
}

const log = logger('kubelet');
/** How long stop() waits for pods in their grace period before leaving them to the engine. */
export const STOP_WAIT_FOR_TERMINATIONS_MS = 2000;
const DEFAULT_TERMINATION_PATH = '/dev/termination-log';

export class Kubelet {
  readonly client: Client;
  readonly runtime: ContainerRuntime;
  readonly nodeName: string;
  readonly tracer: Tracer;
  /** the kubelet's steps of each pod's flow, in words */
  private readonly flow: PodFlowTrace;
  readonly options: Required<Pick<KubeletOptions, 'heartbeatMs' | 'leaseMs' | 'relistMs' | 'resyncMs' | 'dataDir' | 'workers'>> & KubeletOptions;
  readonly recorder: EventRecorder;
  readonly probes: ProbeManager;
  readonly images: ImageManager;
  private pods: Informer<Pod & KubeObject>;
  private queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 10_000 });
  private nodeStatus: NodeStatusManager;
  /** the node's podCIDR: claimed on the engine, then handed to the runtime */
  readonly podCIDR: PodCIDRManager;
  private lease: NodeLeaseController;
  private crashBackoff: Backoff;
  private states = new Map<string, PodState>();
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private paused = false;
  private relistSig = new Map<string, string>();
  /** pod uid -> when its watch event first reached this kubelet (ms) */
  private watchSeen = new Map<string, number>();
  private runtimeError?: string;
  private workersDone?: Promise<void>;
  private hostIP?: string;

  constructor(deps: KubeletDeps) {
    this.client = deps.client;
    this.runtime = deps.runtime;
    this.nodeName = deps.nodeName;
    this.tracer = deps.tracer ?? noopTracer;
    this.flow = new PodFlowTrace(this.tracer, this.nodeName, this.runtime.name);
    const o = deps.options ?? {};
    this.options = {
      ...o,
      heartbeatMs: o.heartbeatMs ?? 10_000,
      leaseMs: o.leaseMs ?? 10_000,
      relistMs: o.relistMs ?? 1000,
      resyncMs: o.resyncMs ?? 10_000,
      dataDir: o.dataDir ?? path.join(os.tmpdir(), `kubelab-kubelet-${deps.nodeName}`),
      workers: o.workers ?? 4,
    };
    this.recorder = new EventRecorder(this.client, { component: 'kubelet', host: this.nodeName });
    this.crashBackoff = new Backoff(o.backoff);
    this.pods = new Informer<Pod & KubeObject>(this.client, R.pods, { fieldSelector: `spec.nodeName=${this.nodeName}` });
    this.podCIDR = new PodCIDRManager(this.client, this.nodeName, this.runtime, () => this.networkReady());
    this.nodeStatus = new NodeStatusManager(
      this.client,
      this.nodeName,
      () => this.probeRuntime(),
      !!o.virtual || this.runtime.name === 'virtual',
      (n) => this.podCIDR.registrationAnnotations(n),
    );
    this.lease = new NodeLeaseController(this.client, this.nodeName);
    this.probes = new ProbeManager(this.runtime, {
      changed: (pod) => this.queue.add(objectKey(pod as KubeObject)),
      failed: (pod, c, type, message) => {
        const kind = type[0].toUpperCase() + type.slice(1);
        void this.recorder.warning(pod as KubeObject, 'Unhealthy', `${kind} probe failed: ${message}`);
      },
      summary: (pod, c, type, outcome, failures, message) => this.flow.probe(pod, c, type, outcome, failures, message),
    });
    this.images = new ImageManager({
      runtime: this.runtime,
      recorder: this.recorder,
      tracer: this.tracer,
      pullSecrets: (pod) => this.pullSecrets(pod),
      backoff: new Backoff(o.imageBackoff),
    });
  }

  // ---- lifecycle

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await fs.mkdir(this.options.dataDir, { recursive: true });
    await this.nodeStatus.register();
    // a podCIDR the Node has already (a restart) is in effect, its network in place, before any pod is synced
    await this.podCIDR.start();
    this.hostIP = this.nodeStatus.lastInfo?.internalIP;
    await this.lease.renew(this.nodeStatus.current?.metadata?.uid).catch((e) => log.warn('lease not renewed', { node: this.nodeName, error: String(e) }));
    this.pods.addHandlers({
      add: (p) => this.onPod(p),
      update: (_o, p) => this.onPod(p),
      delete: (p) => {
        if (p.metadata.uid) this.watchSeen.delete(p.metadata.uid);
        this.queue.add(objectKey(p));
      },
    });
    await this.pods.start();
    // the node's PodOverlay condition follows its agent at once, not at the next heartbeat
    this.runtime.watchOverlay?.(() => {
      if (this.running) void this.nodeStatus.heartbeat().catch((e) => log.debug('status after an overlay change not posted', { error: String(e) }));
    });
    // how the lab reaches this node's pods, on the Node for `kubectl describe node` and the UI
    const showDataPlane = (d: { mode: string; reason: string }) => {
      if (!this.running) return;
      const annotations = { [DATA_PLANE_ANNOTATION]: d.mode, [`${DATA_PLANE_ANNOTATION}-reason`]: d.reason };
      this.client
        .patch(R.nodes, this.nodeName, 'application/merge-patch+json', { metadata: { annotations } })
        .catch((e) => log.warn('data plane not shown on the node', { node: this.nodeName, error: String(e) }));
    };
    this.runtime.onDataPlane = showDataPlane;
    if (this.runtime.dataPlane) showDataPlane(this.runtime.dataPlane);
    this.workersDone = this.queue.run(
      (key) => this.syncPod(key),
      this.options.workers,
      (key, err) => log.warn('pod sync failed', { pod: key, error: String((err as Error)?.message ?? err) }),
    );
    const every = (ms: number, fn: () => Promise<void>) => {
      let busy = false;
      const t = setInterval(() => {
        if (busy || !this.running) return;
        busy = true;
        fn()
          .catch((e) => log.debug('periodic task failed', { error: String(e) }))
          .finally(() => (busy = false));
      }, ms);
      t.unref?.();
      this.timers.push(t);
    };
    every(this.options.heartbeatMs, async () => {
      await this.podCIDR.resync();
      await this.nodeStatus.heartbeat();
    });
    every(this.options.leaseMs, () => this.lease.renew(this.nodeStatus.current?.metadata?.uid));
    every(this.options.relistMs, () => this.relist());
    every(this.options.resyncMs, async () => {
      for (const p of this.pods.list()) this.queue.add(objectKey(p));
    });
    await this.relist();
    log.info('kubelet started', { node: this.nodeName, runtime: this.runtime.name });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.pods.stop();
    this.podCIDR.stop();
    this.probes.stopAll();
    this.queue.shutDown();
    // a graceful kill can wait out a 30 s grace period; the engine finishes it without us, the next start deletes the pod
    const terminating = [...this.states.values()].filter((s) => s.terminating).length;
    const done = this.workersDone?.catch(() => undefined) ?? Promise.resolve();
    if (!terminating) return void (await done);
    let timer: NodeJS.Timeout | undefined;
    const left = await Promise.race([done.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), STOP_WAIT_FOR_TERMINATIONS_MS)))]);
    clearTimeout(timer);
    if (left)
      log.info('stopping with pods still terminating: their containers go on stopping in the engine; the next start finishes', {
        node: this.nodeName,
        pods: terminating,
      });
  }

  /** Step mode: pods wait unsynced until resume(); the node stays Ready. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const p of this.pods.list()) this.queue.add(objectKey(p));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The pod as the kubelet sees it (for streams). */
  /** The Node object as this kubelet last registered or updated it. */
  get node(): Node | undefined {
    return this.nodeStatus.current;
  }

  /**
   * A connection to one of a pod's ports, as this node reaches it: through the runtime (inside the pod's network
   * namespace, over the engine's API where pod IPs are not routable) or a direct dial to the pod IP.
   */
  dialPod(pod: { uid?: string; ip?: string }, port: number, timeoutMs = 10_000): Promise<Duplex> {
    const { uid, ip } = pod;
    if (!ip) return Promise.reject(new Error('the pod has no IP yet'));
    if (this.runtime.dialPod && uid) return this.runtime.dialPod({ uid }, ip, port, timeoutMs);
    return directDial(ip, port, timeoutMs);
  }

  findPod(namespace: string, name: string): Pod | undefined {
    const p = this.pods.getByName(name, namespace);
    return p && p.spec?.nodeName === this.nodeName ? p : undefined;
  }

  /** Every container instance of a pod, newest first per name. */
  async podContainers(uid: string): Promise<ContainerStatus[]> {
    return (await this.runtime.listContainers()).filter((c) => c.pod.uid === uid);
  }

  // ---- runtime

  /** The node got its podCIDR: say Ready, and start the pods that waited for addresses. */
  private networkReady(): void {
    if (!this.running) return;
    void this.nodeStatus
      .heartbeat()
      .then(() => (this.hostIP = this.nodeStatus.lastInfo?.internalIP ?? this.hostIP))
      .catch((e) => log.debug('status after the pod CIDR not posted', { error: String(e) }));
    for (const p of this.pods.list()) this.queue.add(objectKey(p));
  }

  private overlayReported?: string;

  /** An event on the Node when its pod overlay comes up or goes off, with why. */
  private overlayEvent(c: OverlayCondition): void {
    if (c.status === 'Unknown' || c.reason === this.overlayReported) return;
    const node = this.nodeStatus.current as (Node & KubeObject) | undefined;
    if (!node) return; // registering: the next heartbeat reports it
    this.overlayReported = c.reason;
    void (c.status === 'True' ? this.recorder.normal(node, c.reason, c.message) : this.recorder.warning(node, c.reason, c.message)).catch(() => undefined);
  }

  private async probeRuntime() {
    try {
      const info = await this.runtime.info();
      const images = await this.runtime.listImages().catch(() => []);
      this.runtimeError = undefined;
      const overlay = this.runtime.overlayCondition?.();
      if (overlay) this.overlayEvent(overlay);
      return { info, images, networkNotReady: this.podCIDR.notReady(), overlay };
    } catch (e) {
      this.runtimeError = String((e as Error).message ?? e);
      return { error: this.runtimeError, images: [] };
    }
  }

  private onPod(p: Pod & KubeObject): void {
    if (p.spec?.nodeName !== this.nodeName) return;
    // when the watch delivered the pod, so the trace can say how long it waited for a worker
    if (p.metadata.uid && !this.watchSeen.has(p.metadata.uid)) this.watchSeen.set(p.metadata.uid, Date.now());
    this.queue.add(objectKey(p));
  }

  /** PLEG: notice container changes the kubelet did not cause (exits, OOM) and clean up orphans. */
  private async relist(): Promise<void> {
    if (!this.pods.hasSynced()) return;
    let sandboxes: SandboxStatus[];
    let containers: ContainerStatus[];
    try {
      [sandboxes, containers] = await Promise.all([this.runtime.listSandboxes(), this.runtime.listContainers()]);
    } catch (e) {
      this.runtimeError = String((e as Error).message ?? e);
      return;
    }
    const byUid = new Map<string, string[]>();
    for (const s of sandboxes) (byUid.get(s.pod.uid) ?? byUid.set(s.pod.uid, []).get(s.pod.uid)!).push(`${s.id}:${s.state}`);
    for (const c of containers) (byUid.get(c.pod.uid) ?? byUid.set(c.pod.uid, []).get(c.pod.uid)!).push(`${c.id}:${c.state}`);
    const liveUids = new Map<string, Pod>();
    for (const p of this.pods.list()) if (p.spec?.nodeName === this.nodeName && p.metadata.uid) liveUids.set(p.metadata.uid, p);
    for (const [uid, parts] of byUid) {
      const pod = liveUids.get(uid);
      if (!pod) {
        if (!this.paused) await this.removeOrphan(uid, sandboxes, containers);
        continue;
      }
      const sig = parts.sort().join(',');
      if (this.relistSig.get(uid) !== sig) {
        this.relistSig.set(uid, sig);
        this.queue.add(objectKey(pod as KubeObject));
      }
    }
    for (const uid of [...this.relistSig.keys()]) if (!byUid.has(uid)) this.relistSig.delete(uid);
  }

  /** Containers of a pod that no longer exists (only ours: the runtime lists nothing else). */
  private async removeOrphan(uid: string, sandboxes: SandboxStatus[], containers: ContainerStatus[]): Promise<void> {
    const mine = containers.filter((c) => c.pod.uid === uid);
    const st = this.states.get(uid);
    if (st?.terminating) return;
    log.info('removing containers of a pod that no longer exists', { uid, containers: mine.length });
    for (const c of mine) {
      this.probes.forget(c.id);
      if (c.state === 'running') await this.runtime.stopContainer(c.id, 2).catch(() => undefined);
      await this.runtime.removeContainer(c.id).catch(() => undefined);
    }
    for (const s of sandboxes.filter((x) => x.pod.uid === uid)) {
      await this.runtime.stopSandbox(s.id).catch(() => undefined);
      await this.runtime.removeSandbox(s.id).catch(() => undefined);
    }
    await tearDownVolumes(this.options.dataDir, uid, this.runtime).catch(() => undefined);
    this.states.delete(uid);
    this.crashBackoff.resetPrefix(`${uid}/`);
  }

  private async podRuntimeState(uid: string): Promise<PodRuntimeState> {
    const [sandboxes, containers] = await Promise.all([this.runtime.listSandboxes(), this.runtime.listContainers()]);
    return { sandboxes: sandboxes.filter((s) => s.pod.uid === uid), containers: containers.filter((c) => c.pod.uid === uid) };
  }

  private stateFor(pod: Pod): PodState {
    const uid = pod.metadata!.uid!;
    let s = this.states.get(uid);
    if (!s) this.states.set(uid, (s = { uid, waiting: new Map(), terminationMessages: new Map(), traced: new Set(), restartCounts: new Map() }));
    return s;
  }

  // ---- the pod worker

  private async syncPod(key: string): Promise<void> {
    if (this.paused || !this.running) return;
    const pod = this.pods.get(key);
    if (!pod || pod.spec?.nodeName !== this.nodeName) return; // gone: relist removes its containers
    const st = this.stateFor(pod);
    this.flow.observed(pod, st.traced, this.watchSeen.get(pod.metadata.uid!) ?? Date.now());
    if (pod.metadata.deletionTimestamp) {
      await this.terminatePod(pod, st);
      return;
    }
    const uid = pod.metadata.uid!;
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    let state = await this.podRuntimeState(uid);
    const syncStart = now();
    const found = st.adoptionChecked ? [] : state.containers.filter((c) => c.state === 'running');
    st.adoptionChecked = true;
    if (terminal) {
      for (const c of state.containers)
        if (c.state === 'running') await this.killContainer(pod, c, 'Pod has terminated', pod.spec?.terminationGracePeriodSeconds ?? 30);
      for (const s of state.sandboxes) if (s.state === 'ready') await this.runtime.stopSandbox(s.id);
      state = await this.podRuntimeState(uid);
      await this.updateStatus(pod, st, state);
      return;
    }

    // the kubelet's own admission, before anything runs (upstream's sysctl allowlist)
    if (state.sandboxes.length === 0 && state.containers.length === 0 && !pod.status?.containerStatuses?.length) {
      const rejected = admitPod(pod, this.options.allowedUnsafeSysctls);
      if (rejected) {
        void this.recorder.warning(pod, rejected.reason, rejected.message);
        this.flow.admitRefused(pod, rejected.reason, rejected.message);
        await this.client
          .patch(
            R.pods,
            pod.metadata.name!,
            'application/merge-patch+json',
            { status: { phase: 'Failed', reason: rejected.reason, message: rejected.message } },
            { namespace: pod.metadata.namespace, subresource: 'status' },
          )
          .catch((e: unknown) => {
            if (!isStatusError(e, 'NotFound')) throw e;
          });
        return;
      }
    }

    // Converge as upstream's kuberuntime SyncPod does, a few rounds per sync (each round computes afresh)
    for (let round = 0; round < 8; round++) {
      remember(pod, st, state);
      // Step 1: compute sandbox and container changes
      const actions = computePodActions(pod, state, this.actionContext(uid, st));
      // Step 2: kill the pod if the sandbox changed; Step 3: kill any containers that should not be running
      if (actions.sandboxChanged) {
        void this.recorder.normal(pod, 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
        this.flow.sandboxChanged(
          pod,
          actions.sandboxAttempt,
          actions.containersToKill.map((k) => k.name),
        );
      }
      let changed = await this.killAndRemove(pod, state, actions);
      // Step 4: create the sandbox if necessary, then compute again
      if (actions.createSandbox) {
        // say the pod is being set up (ContainerCreating, Init:0/N) before the slow part, as upstream's first status does
        if (state.sandboxes.length === 0 && !pod.status?.containerStatuses?.length) await this.updateStatus(pod, st, state);
        if (!(await this.createSandbox(pod, st, actions.sandboxAttempt))) break;
        state = await this.podRuntimeState(uid);
        continue;
      }
      // (Step 5, ephemeral containers, is not served)
      const sandbox = state.sandboxes.find((s) => s.id === actions.sandboxId);
      if (actions.initFailed) this.flow.initFailed(pod, st.traced, actions.initFailed);
      for (const b of actions.backOff) this.backOff(pod, st, key, b);
      // Step 6: start the next init container
      if (sandbox && actions.initContainerToStart) {
        const spec = pod.spec!.initContainers!.find((c) => c.name === actions.initContainerToStart!.name)!;
        changed = (await this.startContainer(pod, st, sandbox, spec, actions.initContainerToStart, 'init')) || changed;
      }
      // (Step 7, in-place resize, is not served) Step 8: start the containers
      if (sandbox) {
        for (const a of actions.containersToStart) {
          const spec = pod.spec!.containers.find((c) => c.name === a.name)!;
          changed = (await this.startContainer(pod, st, sandbox, spec, a, 'regular')) || changed;
        }
      }
      if (!changed) break;
      state = await this.podRuntimeState(uid);
      // an init container just started: let it run; the relist brings us back when it exits
      if (actions.initContainerToStart) break;
    }
    await this.updateStatus(pod, st, state);
    this.flow.adopted(pod, st.traced, syncStart, found);
  }

  /** What computePodActions needs to know beyond the pod and the runtime: restart counts, probes, crash backoff. */
  private actionContext(uid: string, st: PodState): Parameters<typeof computePodActions>[2] {
    return {
      now: Date.now(),
      lastRestartCount: (name) => st.restartCounts.get(name),
      lastSandboxAttempt: st.sandboxAttempt,
      unhealthy: this.probes.unhealthy,
      backoffUntil: (name, last) => {
        const fin = last.finishedAt ? new Date(last.finishedAt).getTime() : Date.now();
        const started = last.startedAt ? new Date(last.startedAt).getTime() : undefined;
        return this.crashBackoff.until(`${uid}/${name}`, fin, started);
      },
    };
  }

  /** Steps 2 and 3: the containers to kill (together, as upstream's killPodWithSyncResult), then removals and sandboxes. */
  private async killAndRemove(pod: Pod & KubeObject, state: PodRuntimeState, actions: ReturnType<typeof computePodActions>): Promise<boolean> {
    let changed = false;
    await Promise.all(
      actions.containersToKill.map(async (k) => {
        const c = state.containers.find((x) => x.id === k.id);
        if (c) {
          await this.killContainer(pod, c, k.message, pod.spec?.terminationGracePeriodSeconds ?? 30);
          changed = true;
        }
      }),
    );
    for (const id of actions.containersToRemove) {
      this.probes.forget(id);
      await this.runtime.removeContainer(id);
      changed = true;
    }
    for (const id of actions.sandboxesToKill) {
      await this.runtime.stopSandbox(id);
      changed = true;
    }
    return changed;
  }

  /** A crashed container waits out its backoff: CrashLoopBackOff, an event, and a sync when it ends. */
  private backOff(pod: Pod & KubeObject, st: PodState, key: string, b: { name: string; until: number }): void {
    const uid = pod.metadata.uid!;
    const delay = formatDuration(this.crashBackoff.delay(`${uid}/${b.name}`));
    st.waiting.set(b.name, {
      reason: 'CrashLoopBackOff',
      message: `back-off ${delay} restarting failed container=${b.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
    });
    void this.recorder.warning(pod, 'BackOff', `Back-off restarting failed container ${b.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`);
    this.queue.addAfter(key, Math.max(50, b.until - Date.now() + 20));
  }

  private async createSandbox(pod: Pod & KubeObject, st: PodState, attempt: number): Promise<boolean> {
    const uid = pod.metadata.uid!;
    const ref = { uid, name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default' };
    const network = this.podCIDR.notReady();
    if (network) {
      // upstream syncPod: no sandbox before the runtime network is ready; the pod is taken up again once it is
      void this.recorder.warning(pod, 'NetworkNotReady', `network is not ready: ${network}`);
      for (const c of pod.spec?.containers ?? []) st.waiting.set(c.name, { reason: 'ContainerCreating' });
      return false;
    }
    // volumes first, as upstream mounts them before the sandbox starts
    const vStart = now();
    try {
      st.volumes = await setUpVolumes(pod, this.options.dataDir, this.runtime, this.volumeSources(pod));
      this.flow.volumesReady(pod, st.traced, vStart, st.volumes);
    } catch (e) {
      const msg = (e as Error).message;
      void this.recorder.warning(pod, 'FailedMount', msg);
      this.flow.volumesFailed(pod, vStart, msg);
      for (const c of pod.spec?.containers ?? []) st.waiting.set(c.name, { reason: 'ContainerCreating' });
      this.queue.addAfter(objectKey(pod), 2000);
      return false;
    }
    const hostPorts: HostPortMapping[] = [];
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      for (const p of c.ports ?? []) {
        if (p.hostPort)
          hostPorts.push({
            containerPort: p.containerPort,
            hostPort: p.hostPort,
            hostIP: p.hostIP,
            protocol: (p.protocol ?? 'TCP') as HostPortMapping['protocol'],
          });
      }
    }
    const start = now();
    try {
      const sb = await this.runtime.runSandbox({
        pod: ref,
        hostname: pod.spec?.hostname ?? pod.metadata.name!,
        attempt,
        hostPorts,
        hostAliases: (pod.spec?.hostAliases ?? []).map((a) => ({ ip: a.ip ?? '', hostnames: a.hostnames ?? [] })),
        dnsAliases: podDnsAliases(pod),
        dns: podDns(pod),
        ...sandboxSecurity(pod),
      });
      this.flow.sandboxCreated(pod, start, sb, attempt, hostPorts);
      for (const p of sb.loopbackOnly ?? []) {
        void this.recorder.warning(
          pod,
          'HostPortLoopbackOnly',
          `hostPort ${p.hostPort}/${p.protocol} is bound on 127.0.0.1 only, not on hostIP ${p.hostIP}: the lab was started without --expose-ports`,
        );
      }
      return true;
    } catch (e) {
      const msg = `Failed to create pod sandbox: ${(e as Error).message}`;
      void this.recorder.warning(pod, 'FailedCreatePodSandBox', msg);
      this.flow.sandboxFailed(pod, start, msg);
      this.queue.addAfter(objectKey(pod), 2000);
      return false;
    }
  }

  /** Pull, create and start one container; false if it could not (the reason is kept as its waiting state). */
  private async startContainer(
    pod: Pod & KubeObject,
    st: PodState,
    sandbox: SandboxStatus,
    spec: Container,
    a: StartAction,
    kind: 'init' | 'regular',
  ): Promise<boolean> {
    const uid = pod.metadata.uid!;
    const key = objectKey(pod);
    let id = a.existingId;
    if (!id) {
      try {
        await this.images.ensure(pod, spec);
      } catch (e) {
        if (!(e instanceof ImageError)) throw e;
        st.waiting.set(spec.name, { reason: e.reason, message: e.reason === 'ImagePullBackOff' ? `${e.message}` : e.message });
        if (e.reason === 'ErrImagePull') this.queue.addAfter(key, 1000);
        else if (e.retryAt) this.queue.addAfter(key, Math.max(100, e.retryAt - Date.now() + 20));
        return false;
      }
      let env: Array<{ name: string; value: string }>;
      let mounts;
      let security;
      try {
        env = await buildEnv(pod, spec, { ...this.envSources(), podIP: sandbox.ip, hostIP: this.hostIP });
        if (!st.volumes) st.volumes = await setUpVolumes(pod, this.options.dataDir, this.runtime, this.volumeSources(pod, sandbox.ip));
        mounts = await containerMounts(spec, st.volumes, env);
        const image = await this.runtime.inspectImage(spec.image!);
        const profile = localhostSeccompProfile(pod, spec);
        security = containerSecurity(pod, spec, image?.user, profile === undefined ? undefined : await this.seccompProfile(profile));
      } catch (e) {
        if (!(e instanceof EnvError) && !(e instanceof VolumeError) && !(e instanceof SecurityContextError)) throw e;
        const msg = (e as Error).message;
        st.waiting.set(spec.name, { reason: 'CreateContainerConfigError', message: msg });
        void this.recorder.warning(pod, 'Failed', `Error: ${msg}`);
        this.queue.addAfter(key, 2000);
        return false;
      }
      // the termination message file lives on the node, so it outlives the container
      const tmDir = path.join(this.options.dataDir, 'pods', uid, 'containers', spec.name);
      await fs.mkdir(tmDir, { recursive: true });
      const tmFile = path.join(tmDir, `${a.restartCount}-termination-log`);
      await fs.writeFile(tmFile, '', { mode: 0o666 });
      mounts.push({ type: 'bind', source: tmFile, target: spec.terminationMessagePath || DEFAULT_TERMINATION_PATH });
      const limits = spec.resources?.limits ?? {};
      const createStart = now();
      try {
        id = await this.runtime.createContainer(sandbox.id, {
          pod: { uid, name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default' },
          name: spec.name,
          image: spec.image!,
          command: spec.command,
          args: spec.args,
          env,
          workingDir: spec.workingDir,
          mounts,
          tty: spec.tty,
          stdin: spec.stdin,
          stdinOnce: spec.stdinOnce,
          nanoCpus: limits.cpu ? Number(toMilli(String(limits.cpu))) * 1_000_000 : undefined,
          memoryBytes: limits.memory ? Number(toValue(String(limits.memory))) : undefined,
          ...security,
          restartCount: a.restartCount,
          kind,
        });
      } catch (e) {
        const msg = (e as Error).message;
        st.waiting.set(spec.name, { reason: 'CreateContainerError', message: msg });
        void this.recorder.warning(pod, 'Failed', `Error: ${msg}`);
        this.flow.containerFailed(pod, 'create-container', createStart, spec, msg);
        this.queue.addAfter(key, 2000);
        return false;
      }
      void this.recorder.normal(pod, 'Created', `Created container ${spec.name}`);
      this.flow.containerCreated(pod, kind, createStart, spec, id, sandbox, a, mounts);
    }
    const startStart = now();
    try {
      await this.runtime.startContainer(id);
    } catch (e) {
      const msg = (e as Error).message;
      st.waiting.set(spec.name, { reason: 'RunContainerError', message: msg });
      void this.recorder.warning(pod, 'Failed', `Error: ${msg}`);
      this.flow.containerFailed(pod, 'start-container', startStart, spec, msg);
      this.crashBackoff.next(`${uid}/${spec.name}`);
      return true;
    }
    if (a.restartCount > 0) this.crashBackoff.next(`${uid}/${spec.name}`);
    st.waiting.delete(spec.name);
    void this.recorder.normal(pod, 'Started', `Started container ${spec.name}`);
    this.flow.containerStarted(pod, kind, startStart, spec, id, a);
    if (spec.lifecycle?.postStart) await this.runHook(pod, spec, id, 'PostStart', sandbox.ip);
    return true;
  }

  private async runHook(pod: Pod & KubeObject, spec: Container, id: string, which: 'PostStart' | 'PreStop', podIP?: string): Promise<boolean> {
    const h = which === 'PostStart' ? spec.lifecycle?.postStart : spec.lifecycle?.preStop;
    if (!h) return true;
    const start = now();
    let res: { ok: boolean; message?: string };
    if (h.exec) res = await this.runtime.probe(id, podIP, { exec: { command: h.exec.command ?? [] } }, 30_000);
    else if (h.httpGet)
      res = await this.runtime.probe(
        id,
        podIP,
        { httpGet: { host: h.httpGet.host, port: Number(h.httpGet.port), path: h.httpGet.path, scheme: h.httpGet.scheme as 'HTTP' } },
        30_000,
      );
    else if (h.sleep) {
      await new Promise((r) => setTimeout(r, (h.sleep!.seconds ?? 0) * 1000));
      res = { ok: true };
    } else res = { ok: true };
    this.flow.hook(pod, which, start, spec, res);
    if (!res.ok) {
      void this.recorder.warning(
        pod,
        `Failed${which}Hook`,
        `${h.exec ? 'Exec' : 'HTTP'} lifecycle hook (${h.exec ? (h.exec.command ?? []).join(' ') : (h.httpGet?.path ?? '')}) for Container "${spec.name}" in Pod "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})" failed - error: ${res.message}`,
      );
      if (which === 'PostStart') {
        const c = await this.runtime.inspectContainer(id);
        if (c) await this.killContainer(pod, c, `FailedPostStartHook`, 0);
      }
    }
    return res.ok;
  }

  private async killContainer(pod: Pod & KubeObject, c: ContainerStatus, message: string, graceSeconds: number): Promise<void> {
    const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === c.name);
    void this.recorder.normal(pod, 'Killing', message.startsWith('Container') || message.startsWith('Stopping') ? message : `Stopping container ${c.name}`);
    const start = Date.now();
    if (spec?.lifecycle?.preStop && c.state === 'running') {
      await Promise.race([this.runHook(pod, spec, c.id, 'PreStop', pod.status?.podIP), new Promise((r) => setTimeout(r, graceSeconds * 1000))]);
    }
    const left = Math.max(0, graceSeconds - (Date.now() - start) / 1000);
    this.probes.stopContainer(c.id);
    await this.runtime.stopContainer(c.id, left);
    this.probes.unhealthy.delete(c.id);
  }

  /** Graceful deletion: preStop, SIGTERM, grace period, SIGKILL, removal, then the final delete of the object. */
  private async terminatePod(pod: Pod & KubeObject, st: PodState): Promise<void> {
    if (st.terminating) return;
    st.terminating = true;
    const uid = pod.metadata.uid!;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const start = now();
    try {
      const state = await this.podRuntimeState(uid);
      await Promise.all(state.containers.filter((c) => c.state === 'running').map((c) => this.killContainer(pod, c, `Stopping container ${c.name}`, grace)));
      for (const c of state.containers) {
        this.probes.forget(c.id);
        await this.runtime.removeContainer(c.id);
      }
      for (const s of state.sandboxes) {
        await this.runtime.stopSandbox(s.id);
        await this.runtime.removeSandbox(s.id);
      }
      await tearDownVolumes(this.options.dataDir, uid, this.runtime).catch(() => undefined);
      this.flow.terminated(pod, start, state.containers.length, grace);
      try {
        await this.client.delete(R.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e) {
        if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
      }
      this.states.delete(uid);
      this.crashBackoff.resetPrefix(`${uid}/`);
    } finally {
      st.terminating = false;
    }
  }

  private async updateStatus(pod: Pod & KubeObject, st: PodState, state: PodRuntimeState): Promise<void> {
    const sandbox = [...state.sandboxes].sort((a, b) => b.attempt - a.attempt)[0];
    // probes for running containers; termination messages for exited ones
    for (const spec of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const [last] = latestInstances(state.containers, spec.name);
      if (!last) continue;
      if (last.state === 'running') this.probes.ensure(pod, spec, last.id, last.startedAt, sandbox?.ip);
      else this.probes.stopContainer(last.id);
      if (last.state === 'exited' && !st.terminationMessages.has(last.id)) {
        const file = path.join(this.options.dataDir, 'pods', pod.metadata.uid!, 'containers', spec.name, `${last.restartCount}-termination-log`);
        let msg = await readTail(file, MAX_CONTAINER_TERMINATION_MESSAGE).catch((err: Error) => `Error on reading termination log ${file}: ${err.message}`);
        if (!msg && spec.terminationMessagePolicy === 'FallbackToLogsOnError' && last.exitCode !== 0) {
          const s = await this.runtime.logs(last.id, { tail: MAX_CONTAINER_TERMINATION_MESSAGE_LOG_LINES }).catch(() => undefined);
          if (s) {
            msg = await streamTail(s, MAX_CONTAINER_TERMINATION_MESSAGE_LOG).catch(
              (err: Error) => `Error on reading termination message from logs: ${err.message}`,
            );
          }
        }
        st.terminationMessages.set(last.id, msg);
        this.flow.exited(
          pod,
          st.traced,
          spec,
          last,
          (pod.spec?.initContainers ?? []).some((c) => c.name === spec.name),
        );
      }
      // a waiting reason only holds while the container is not running
      if (last.state === 'running' && st.waiting.get(spec.name)?.reason === 'CrashLoopBackOff') st.waiting.delete(spec.name);
    }
    const status = generatePodStatus({
      pod,
      sandbox,
      containers: state.containers,
      waiting: st.waiting,
      ready: (id, spec) => this.probes.isReady(id, spec),
      started: (id, spec) => this.probes.isStarted(id, spec),
      terminationMessages: st.terminationMessages,
      hostIP: this.hostIP,
      now: new Date().toISOString(),
    });
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (ready) this.flow.ready(pod, st.traced, status);
    const json = JSON.stringify(status);
    if (json === st.lastStatus) return;
    try {
      await this.client.patch(
        R.pods,
        pod.metadata.name!,
        'application/merge-patch+json',
        { status },
        { namespace: pod.metadata.namespace, subresource: 'status' },
      );
      st.lastStatus = json;
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  // ---- sources for env and volumes

  private async getOptional<T>(type: typeof R.configmaps | typeof R.secrets, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.client.get<T & KubeObject>(type, name, namespace);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  private envSources() {
    const alloc = this.nodeStatus.current?.status?.allocatable;
    return {
      configMap: (ns: string, name: string) => this.getOptional<ConfigMap>(R.configmaps, ns, name),
      secret: (ns: string, name: string) => this.getOptional<Secret>(R.secrets, ns, name),
      nodeName: this.nodeName,
      hostIP: this.hostIP,
      nodeAllocatable: alloc ? { cpu: alloc.cpu as string, memory: alloc.memory as string } : undefined,
    };
  }

  private volumeSources(pod: Pod, podIP?: string) {
    return {
      ...this.envSources(),
      podIP,
      serviceAccountToken: async (p: Pod, audience?: string, expirationSeconds?: number) => {
        const sa = p.spec?.serviceAccountName ?? 'default';
        const res = await this.client.create<KubeObject>(
          R.serviceaccounts,
          {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            metadata: { name: sa, namespace: p.metadata?.namespace },
            spec: {
              audiences: audience ? [audience] : [],
              expirationSeconds: expirationSeconds ?? 3607,
              boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: p.metadata?.name, uid: p.metadata?.uid },
            },
          },
          { namespace: p.metadata?.namespace, name: sa, subresource: 'token' },
        );
        return (res as { status?: { token?: string } }).status?.token;
      },
    };
  }

  /** A Localhost seccomp profile, from `<data dir>/seccomp/` (upstream: /var/lib/kubelet/seccomp). */
  private async seccompProfile(rel: string): Promise<string> {
    const dir = path.join(this.options.dataDir, 'seccomp');
    const file = path.join(dir, rel);
    if (!rel || path.isAbsolute(rel) || !file.startsWith(dir + path.sep)) throw new SecurityContextError(`invalid localhostProfile ${JSON.stringify(rel)}`);
    try {
      return JSON.stringify(JSON.parse(await fs.readFile(file, 'utf8')));
    } catch (e) {
      throw new SecurityContextError(`cannot load seccomp profile ${JSON.stringify(file)}: ${(e as Error).message}`);
    }
  }

  private async pullSecrets(pod: Pod): Promise<Secret[]> {
    const out: Secret[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      const s = await this.getOptional<Secret>(R.secrets, pod.metadata?.namespace ?? 'default', ref.name ?? '');
      if (s) out.push(s);
    }
    return out;
  }
}

/** Keep the kubelet's own record of restart counts and sandbox attempts from what the runtime shows and the status it last reported. */
function remember(pod: Pod, st: PodState, state: PodRuntimeState): void {
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    if (cs.containerID && !st.restartCounts.has(cs.name)) st.restartCounts.set(cs.name, cs.restartCount);
  }
  for (const c of state.containers) if (c.restartCount >= (st.restartCounts.get(c.name) ?? -1)) st.restartCounts.set(c.name, c.restartCount);
  for (const sb of state.sandboxes) if (sb.attempt >= (st.sandboxAttempt ?? -1)) st.sandboxAttempt = sb.attempt;
}
