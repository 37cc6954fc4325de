// DockerRuntime: the ContainerRuntime on a real Docker engine through dockerode, as dockershim did it:
// a pause container per pod on a user-defined network, the pod's containers joining its namespaces.
import fs from 'node:fs';
import { hostname } from 'node:os';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { logger } from '../../log';
import { parseCidr4, podNetworkPlan } from '../../api/cidr';
import { hostRoutes } from './host-routes';
import { NETWORK_LABEL, sweepNetworks } from './lab-objects';
import { NodeAgent } from './node-agent';
import { directDial, probeNetwork, type Dialer } from './net-probes';
import { dialInContainer, SpareDialers } from './pod-dialer';
import { PAUSE_MODES_LABEL } from './sandbox-image';
import { checkDirectReach, type DataPlane, type DataPlaneMode } from './data-plane';
import {
  LABEL,
  SANDBOX_CONTAINER_NAME,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatsSample,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  type ExecSession,
  type HostPortMapping,
  type ImageInfo,
  type LogOptions,
  type OverlayCondition,
  type PodCIDRClaim,
  type PodCIDRConstraints,
  type PodRefLabels,
  type ProbeAction,
  type ProbeResult,
  type PullLayer,
  type PullProgress,
  type PullResult,
  type RegistryAuth,
  type RuntimeInfo,
  type SandboxConfig,
  type SandboxStatus,
} from '../types';

const log = logger('runtime');

export interface DockerRuntimeOptions {
  docker: Docker;
  clusterId: string;
  nodeName: string;
  /** the pause image to run sandboxes from, or a function that makes sure it exists and names it */
  sandboxImage: string | (() => Promise<string>);
  /** network pods of this node join; default `kubelab-<clusterId>-<nodeName>` */
  networkName?: string;
  /** the lab that runs this node (its data dir on this host), labelled on its network for other labs' sweeps */
  owner?: { dataDir: string; host: string };
  /** the lab's nodes now: a network of this lab for a node not among them is a leftover its start may remove */
  labNodes?: () => string[];
  /**
   * How the lab reaches pod ports (probes, port-forward, NodePorts): `api` through the engine's Docker API (an exec
   * of the sandbox's dialer, works on every engine), `direct` by dialing pod IPs from this process, `auto` (default)
   * direct where a check shows this machine reaches the engine's pod addresses, else api.
   */
  dataPlane?: DataPlaneMode;
  /** the cluster's pod CIDR: with it the node runs the pod overlay's agent and its pods route that range to it */
  clusterCIDR?: string;
  /** the TUN device handed to the node agent (default /dev/net/tun) */
  overlayTunDevice?: string;
  /** the lab-wide `--expose-ports`: hostPorts may bind beyond loopback (else always 127.0.0.1, whatever hostIP says) */
  exposePorts?: boolean;
}

const isLoopback = (ip: string) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip === '::1';

/**
 * The address a hostPort binds on the engine's host. Without the lab-wide option a pod never opens a port to the
 * network: any hostIP that is not a loopback address (0.0.0.0, ::, an interface's address) binds 127.0.0.1. With it,
 * upstream's rule: the hostIP given, or every interface when none is.
 */
export function hostPortAddress(hostIP: string | undefined, exposePorts: boolean): string {
  if (exposePorts) return hostIP || '0.0.0.0';
  return hostIP && isLoopback(hostIP) ? hostIP : '127.0.0.1';
}

const statusCode = (e: unknown) => (e as { statusCode?: number })?.statusCode;
/** Docker's answer when a container is started on a network that no longer exists. */
export const networkNotFound = (e: unknown, network: string) =>
  statusCode(e) === 404 && String((e as Error)?.message ?? '').includes(`network ${network} not found`);
const GOARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm', i386: '386', s390x: 's390x', ppc64le: 'ppc64le' };

/** dockershim's container names: k8s_<container>_<pod>_<namespace>_<uid>_<attempt> */
export const dockerName = (container: string, pod: PodRefLabels, attempt: number) => `k8s_${container}_${pod.name}_${pod.namespace}_${pod.uid}_${attempt}`;

interface Inspected {
  state: string;
  status: ContainerStatus;
}

/** The parts of Docker's stats document a sample needs (GET /containers/{id}/stats). */
export interface DockerStats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/** A Docker stats document as a sample: cumulative CPU, and the working set as cAdvisor counts it (usage less inactive file). */
export function dockerStatsSample(id: string, s: DockerStats, now = Date.now()): ContainerStatsSample | undefined {
  const cpu = s.cpu_stats?.cpu_usage?.total_usage;
  const usage = s.memory_stats?.usage;
  if (cpu === undefined || usage === undefined) return undefined; // not running any more: Docker sends zeros-less documents
  const st = s.memory_stats?.stats ?? {};
  // cgroup v1 names it total_inactive_file, v2 inactive_file
  const inactive = st.total_inactive_file ?? st.inactive_file ?? 0;
  const read = s.read ? Date.parse(s.read.replace(/(\.\d{3})\d+/, '$1')) : NaN;
  return { id, timestamp: Number.isFinite(read) && read > 0 ? read : now, cpuUsageNanos: cpu, memoryWorkingSetBytes: Math.max(0, usage - inactive) };
}

export class DockerRuntime implements ContainerRuntime {
  readonly name = 'docker' as const;
  readonly docker: Docker;
  readonly clusterId: string;
  readonly nodeName: string;
  readonly networkName: string;
  private sandboxImageRef?: string;
  private networkReady?: Promise<{ gateway?: string }>;
  /** the node's spec.podCIDR, handed over by the kubelet (updatePodCIDR) */
  podCIDR?: string;
  private swept?: Promise<void>;
  private inspectCache = new Map<string, Inspected>();
  private ttyCache = new Map<string, boolean>();
  /** the pod overlay's end on this node (node-agent.ts); relayed between nodes by proxy/overlay.ts */
  readonly agent: NodeAgent;
  private dataPlaneChoice?: Promise<DataPlane>;
  /** the data plane as decided (auto: once a pod runs to check with), for the node's status */
  dataPlane?: DataPlane;
  /** called once the data plane is decided */
  onDataPlane?: (d: { mode: string; reason: string }) => void;

  constructor(private readonly opts: DockerRuntimeOptions) {
    this.docker = opts.docker;
    this.clusterId = opts.clusterId;
    this.nodeName = opts.nodeName;
    this.networkName = opts.networkName ?? `kubelab-${opts.clusterId}-${opts.nodeName}`;
    this.agent = new NodeAgent({
      docker: opts.docker,
      clusterId: opts.clusterId,
      nodeName: opts.nodeName,
      networkName: this.networkName,
      tunDevice: opts.overlayTunDevice,
    });
    this.spares = new SpareDialers(opts.docker);
    const mode = opts.dataPlane ?? 'auto';
    if (mode !== 'auto') this.dataPlane = { mode, reason: `chosen with --data-plane ${mode}` };
  }

  /** The node's PodOverlay condition, for its status: whether pods here reach pods of other nodes, and why not. */
  overlayCondition(): OverlayCondition | undefined {
    if (!this.opts.clusterCIDR) return undefined;
    const s = this.agent.state;
    if (s.state === 'up')
      return {
        status: 'True',
        reason: 'OverlayUp',
        message: `the node agent carries pod traffic between ${s.podCIDR} and the other nodes of ${this.opts.clusterCIDR}`,
      };
    if (s.state === 'off') return { status: 'False', reason: s.reason, message: `${s.message}; pods of this node reach only pods and Services of this node` };
    return { status: 'Unknown', reason: 'OverlayStarting', message: 'the node agent is starting' };
  }

  watchOverlay(cb: () => void): void {
    this.agent.on('state', cb);
  }

  /** A container joined the pod network (a sandbox, a Service relay): route the other nodes' podCIDRs to the node agent. */
  async joinedPodNetwork(containerId: string): Promise<void> {
    if (!this.opts.clusterCIDR) return;
    // the agent starts with the node's podCIDR (updatePodCIDR); start() is idempotent, so whoever comes first starts it
    if (this.podCIDR) void this.agent.start(this.opts.clusterCIDR, this.podCIDR, podNetworkPlan(this.podCIDR).agentAddress);
    await this.agent.settled();
    await this.agent.addRoute(containerId).catch((e) =>
      log.warn('no route to other nodes for a container', {
        node: this.nodeName,
        container: containerId.slice(0, 12),
        error: String((e as Error).message ?? e),
      }),
    );
  }

  private get ownFilter(): string[] {
    return [`${LABEL.cluster}=${this.clusterId}`, `${LABEL.node}=${this.nodeName}`];
  }

  async info(): Promise<RuntimeInfo> {
    const [info, version] = await Promise.all([this.docker.info(), this.docker.version()]);
    let storageBytes = 0;
    try {
      const st = await fs.promises.statfs(info.DockerRootDir ?? '/var/lib/docker');
      storageBytes = st.blocks * st.bsize;
    } catch {
      storageBytes = 0;
    }
    const { gateway } = this.podCIDR ? await this.ensureNetwork().catch(() => ({ gateway: undefined })) : { gateway: undefined };
    return {
      name: 'docker',
      version: version.Version,
      kernelVersion: info.KernelVersion ?? '',
      osImage: info.OperatingSystem ?? '',
      os: info.OSType ?? 'linux',
      arch: GOARCH[info.Architecture] ?? info.Architecture ?? 'amd64',
      cpus: info.NCPU ?? 1,
      memoryBytes: info.MemTotal ?? 0,
      storageBytes,
      internalIP: gateway,
    };
  }

  /** The node's pod network with its podCIDR, made (labelled as ours) if missing, replacing one of another subnet. */
  ensureNetwork(): Promise<{ gateway?: string }> {
    const cidr = this.podCIDR;
    if (!cidr)
      return Promise.reject(new Error(`the node has no podCIDR yet: its pod network ${this.networkName} is made once the nodeipam controller assigns one`));
    if (!this.networkReady) {
      this.networkReady = (async () => {
        const r = await this.networkWith(cidr);
        if (!r.ok) throw new Error(`cannot make the pod network ${this.networkName} with the node's podCIDR ${cidr}: ${r.reason}`);
        return { gateway: podNetworkPlan(cidr).gateway };
      })();
      this.networkReady.catch(() => (this.networkReady = undefined));
    }
    return this.networkReady;
  }

  /** The fixed address kept for the node agent on the pod network: the last usable one of the podCIDR (e.g. 10.244.3.254). */
  get agentAddress(): string | undefined {
    return this.podCIDR ? podNetworkPlan(this.podCIDR).agentAddress : undefined;
  }

  /** CRI UpdateRuntimeConfig: pods of this node get addresses from the node's podCIDR, on a network made with it. */
  async updatePodCIDR(cidr: string): Promise<void> {
    if (cidr !== this.podCIDR) {
      this.podCIDR = cidr;
      this.networkReady = undefined;
    }
    await this.sweepOnce();
    await this.ensureNetwork();
    // the pod overlay's end on this node, on the address the network keeps for it; pods wait for it to settle
    if (this.opts.clusterCIDR) void this.agent.start(this.opts.clusterCIDR, cidr, podNetworkPlan(cidr).agentAddress);
  }

  /** The engine's other networks' subnets and this host's routes: what the node's /24 must not overlap. */
  async podCIDRConstraints(): Promise<PodCIDRConstraints> {
    await this.sweepOnce();
    const networks = await this.docker.listNetworks();
    const own = networks.find((n) => n.Name === this.networkName);
    const unavailable = new Set<string>();
    for (const n of networks) {
      if (n.Name === this.networkName) continue;
      for (const c of n.IPAM?.Config ?? []) if (c.Subnet && parseCidr4(c.Subnet)) unavailable.add(c.Subnet);
    }
    // this host's routes (Linux): other engines' bridges here, VPNs; the node's own network's bridge is br-<id>
    const ownBridge = own ? `br-${own.Id.slice(0, 12)}` : undefined;
    for (const r of await hostRoutes()) if (r.iface !== ownBridge) unavailable.add(r.cidr);
    const preferred = own?.IPAM?.Config?.map((c) => c.Subnet).find((x): x is string => !!x && !!parseCidr4(x));
    return { unavailable: [...unavailable], ...(preferred ? { preferred } : {}) };
  }

  /** Claims a /24 on this engine by making the node's pod network with it; another lab's overlapping network refuses it. */
  claimPodCIDR(cidr: string): Promise<PodCIDRClaim> {
    return this.networkWith(cidr);
  }

  private networkLabels(): Record<string, string> {
    return {
      [LABEL.cluster]: this.clusterId,
      [LABEL.node]: this.nodeName,
      ...(this.opts.owner ? { [NETWORK_LABEL.dataDir]: this.opts.owner.dataDir, [NETWORK_LABEL.host]: this.opts.owner.host } : {}),
    };
  }

  /** The node's network with exactly this subnet: kept if it has it, else made, after vacating one with another subnet. */
  private async networkWith(cidr: string): Promise<PodCIDRClaim> {
    const plan = podNetworkPlan(cidr);
    await this.leaveLegacyNetwork();
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = (await this.docker.listNetworks({ filters: { name: [this.networkName] } })).find((n) => n.Name === this.networkName);
      if (existing) {
        const subnets = (existing.IPAM?.Config ?? []).map((c) => c.Subnet);
        if (subnets.length === 1 && subnets[0] === plan.subnet) return { ok: true };
        log.info("the pod network has another subnet than the node's podCIDR; replacing it", {
          node: this.nodeName,
          network: this.networkName,
          subnet: subnets.join(',') || '(none)',
          podCIDR: plan.subnet,
        });
        await this.vacate(existing.Id, true);
      }
      try {
        await this.docker.createNetwork({
          Name: this.networkName,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: this.networkLabels(),
          IPAM: { Driver: 'default', Config: [{ Subnet: plan.subnet, Gateway: plan.gateway, IPRange: plan.ipRange }] },
        });
        log.info('pod network created', {
          node: this.nodeName,
          network: this.networkName,
          subnet: plan.subnet,
          podRange: plan.ipRange,
          agentAddress: plan.agentAddress,
        });
        return { ok: true };
      } catch (e) {
        const message = String((e as Error)?.message ?? e);
        if (statusCode(e) === 409) continue; // made meanwhile: look again
        if (/overlaps/i.test(message)) return { ok: false, reason: message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim() };
        throw e;
      }
    }
    throw new Error(`the pod network ${this.networkName} kept changing while it was made`);
  }

  /**
   * Frees a network of this lab for removal: this node's sandboxes on it stop (the kubelet recreates them on the
   * node's network, as SandboxChanged), its Service relays go (the proxy makes them again); then it is removed.
   * A container the lab did not make keeps it in place (and an error says which), as does one of another node.
   */
  private async vacate(networkId: string, mustGo: boolean): Promise<boolean> {
    const attached = await this.docker.listContainers({ all: true, filters: { network: [networkId] } });
    const blocking: string[] = [];
    for (const c of attached) {
      const l = c.Labels ?? {};
      const name = (c.Names?.[0] ?? c.Id).replace(/^\//, '');
      if (l[LABEL.cluster] !== this.clusterId) {
        if (c.State === 'running') blocking.push(`${name} (not made by this lab)`);
        continue;
      }
      if (l[LABEL.node] !== this.nodeName) {
        if (c.State === 'running') blocking.push(`${name} (node ${l[LABEL.node] ?? '?'})`);
        continue;
      }
      if (l[LABEL.type] === 'podsandbox') await this.stopContainer(c.Id, 0);
      else if (l['kubelab.io/component'] === 'relay')
        await this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      else if (c.State === 'running')
        await this.docker
          .getNetwork(networkId)
          .disconnect({ Container: c.Id, Force: true })
          .catch(() => undefined);
    }
    if (blocking.length) {
      if (mustGo)
        throw new Error(`cannot replace network ${networkId.slice(0, 12)}: ${blocking.join(', ')} attached; disconnect them (docker network disconnect)`);
      return false;
    }
    try {
      await this.docker.getNetwork(networkId).remove();
      return true;
    } catch (e) {
      if (statusCode(e) === 404) return true;
      if (mustGo) throw e;
      return false;
    }
  }

  /** Older labs ran every node of an engine on one network named `kubelab-<cluster id>`: this node's pods leave it. */
  private async leaveLegacyNetwork(): Promise<void> {
    const legacy = `kubelab-${this.clusterId}`;
    if (legacy === this.networkName) return;
    const found = (await this.docker.listNetworks({ filters: { name: [legacy] } })).find(
      (n) => n.Name === legacy && n.Labels?.[LABEL.cluster] === this.clusterId && !n.Labels?.[LABEL.node],
    );
    if (!found) return;
    const gone = await this.vacate(found.Id, false);
    log.info(gone ? 'removed the network older lab versions shared per engine' : "this node's pods left the network older lab versions shared per engine", {
      node: this.nodeName,
      network: legacy,
    });
  }

  /** Once per runtime: the lab networks of this engine nobody can use any more go (lab-objects.ts sweepDecision). */
  private sweepOnce(): Promise<void> {
    this.swept ??= sweepNetworks(this.docker, {
      clusterId: this.clusterId,
      host: this.opts.owner?.host ?? hostname(),
      inUse: [this.networkName],
      labNodes: this.opts.labNodes?.(),
    })
      .then(() => undefined)
      .catch((e) => log.warn('sweeping unused lab networks failed', { node: this.nodeName, error: String((e as Error).message ?? e) }));
    return this.swept;
  }

  private async sandboxImage(): Promise<string> {
    if (this.sandboxImageRef) return this.sandboxImageRef;
    const s = this.opts.sandboxImage;
    this.sandboxImageRef = typeof s === 'string' ? s : await s();
    return this.sandboxImageRef;
  }

  async listImages(): Promise<ImageInfo[]> {
    const images = await this.docker.listImages();
    return images.map((i) => ({
      id: i.Id,
      names: [...(i.RepoTags ?? []), ...(i.RepoDigests ?? [])].filter((n) => n !== '<none>:<none>' && n !== '<none>@<none>'),
      sizeBytes: i.Size,
    }));
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      return { id: i.Id, names: [...(i.RepoTags ?? []), ...(i.RepoDigests ?? [])], sizeBytes: i.Size, user: i.Config?.User ?? '' };
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw e;
    }
  }

  async pullImage(ref: string, auth?: RegistryAuth, onProgress?: (p: PullProgress) => void): Promise<PullResult> {
    const layers = new Map<string, PullLayer>();
    const stream = (await this.docker.pull(ref, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, output: Array<{ error?: string }>) => {
          const failed = output?.find((o) => o.error);
          if (err || failed) reject(err ?? new Error(failed!.error));
          else resolve();
        },
        (ev: { id?: string; status?: string; error?: string; progressDetail?: { current?: number; total?: number } }) => {
          if (!ev.id || !ev.status || ev.status.startsWith('Pulling from')) return;
          const l = layers.get(ev.id) ?? { id: ev.id, status: '' };
          l.status = ev.status;
          if (ev.progressDetail?.total) l.total = ev.progressDetail.total;
          if (ev.progressDetail?.current !== undefined) l.current = ev.progressDetail.current;
          if (ev.status === 'Download complete' || ev.status === 'Pull complete') l.current = l.total;
          layers.set(ev.id, l);
          onProgress?.({ image: ref, layers: [...layers.values()] });
        },
      );
    });
    const img = await this.inspectImage(ref);
    return { imageID: img?.id ?? '', sizeBytes: img?.sizeBytes ?? 0, layers: [...layers.values()] };
  }

  // ---- sandboxes

  async listSandboxes(): Promise<SandboxStatus[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [...this.ownFilter, `${LABEL.type}=podsandbox`] } });
    return Promise.all(
      list.map(async (c) => {
        const labels = c.Labels ?? {};
        const netw = c.NetworkSettings?.Networks?.[this.networkName];
        const hostNetwork = c.HostConfig?.NetworkMode === 'host';
        const ip = c.State !== 'running' ? undefined : hostNetwork ? await this.hostNetworkIP() : netw?.IPAddress || undefined;
        return {
          id: c.Id,
          pod: { uid: labels[LABEL.podUid], name: labels[LABEL.podName], namespace: labels[LABEL.podNamespace] },
          attempt: Number(labels['io.kubernetes.sandbox.attempt'] ?? 0),
          state: c.State === 'running' ? 'ready' : 'notready',
          ip,
          network: hostNetwork ? 'host' : this.networkName,
          image: c.Image,
          createdAt: new Date(c.Created * 1000).toISOString(),
        } satisfies SandboxStatus;
      }),
    );
  }

  private labelsFor(pod: PodRefLabels, container: string, type: 'podsandbox' | 'container'): Record<string, string> {
    return {
      [LABEL.podUid]: pod.uid,
      [LABEL.podName]: pod.name,
      [LABEL.podNamespace]: pod.namespace,
      [LABEL.containerName]: container,
      [LABEL.type]: type,
      [LABEL.cluster]: this.clusterId,
      [LABEL.node]: this.nodeName,
    };
  }

  async runSandbox(cfg: SandboxConfig): Promise<SandboxStatus> {
    const sb = await this.runSandboxOnNetwork(cfg);
    if (!cfg.hostNetwork) await this.joinedPodNetwork(sb.id);
    return sb;
  }

  private async runSandboxOnNetwork(cfg: SandboxConfig): Promise<SandboxStatus> {
    const ready = this.ensureNetwork();
    await ready;
    try {
      return await this.createSandbox(cfg);
    } catch (e) {
      if (!networkNotFound(e, this.networkName)) throw e;
      // removed under us (docker network rm, a prune): make it again, once, then start the pod on it
      log.warn('pod network not found; recreating it', { node: this.nodeName, network: this.networkName });
      if (this.networkReady === ready) this.networkReady = undefined;
      await this.ensureNetwork();
      return await this.createSandbox(cfg);
    }
  }

  private async createSandbox(cfg: SandboxConfig): Promise<SandboxStatus> {
    const image = await this.sandboxImage();
    const name = dockerName(SANDBOX_CONTAINER_NAME, cfg.pod, cfg.attempt);
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    const loopbackOnly: HostPortMapping[] = [];
    for (const p of cfg.hostPorts) {
      const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
      exposed[key] = {};
      const address = hostPortAddress(p.hostIP, !!this.opts.exposePorts);
      if (p.hostIP && address !== p.hostIP) loopbackOnly.push(p);
      (bindings[key] ??= []).push({ HostIp: address, HostPort: String(p.hostPort) });
    }
    let container: Docker.Container;
    // as dockershim: a hostNetwork sandbox is in the engine host's network (its ports are the host's), no pod network
    const hostNetwork = !!cfg.hostNetwork;
    try {
      container = await this.docker.createContainer({
        name,
        Image: image,
        ...(hostNetwork ? {} : { Hostname: cfg.hostname.slice(0, 63), ExposedPorts: exposed }),
        Labels: { ...this.labelsFor(cfg.pod, SANDBOX_CONTAINER_NAME, 'podsandbox'), 'io.kubernetes.sandbox.attempt': String(cfg.attempt) },
        HostConfig: {
          NetworkMode: hostNetwork ? 'host' : this.networkName,
          ...(hostNetwork ? {} : { PortBindings: bindings }),
          ExtraHosts: (cfg.hostAliases ?? []).flatMap((a) => a.hostnames.map((h) => `${h}:${a.ip}`)),
          RestartPolicy: { Name: 'no' },
          IpcMode: cfg.hostIPC ? 'host' : 'shareable',
          ...(cfg.hostPID ? { PidMode: 'host' } : {}),
          ...(cfg.sysctls && Object.keys(cfg.sysctls).length ? { Sysctls: cfg.sysctls } : {}),
          // the pod's resolv.conf: containers joining the sandbox's network namespace share it
          ...(!hostNetwork && cfg.dns?.search?.length ? { DnsSearch: cfg.dns.search } : {}),
          ...(!hostNetwork && cfg.dns?.options?.length ? { DnsOptions: cfg.dns.options } : {}),
          ...(!hostNetwork && cfg.dns?.servers?.length ? { Dns: cfg.dns.servers } : {}),
        },
        ...(hostNetwork ? {} : { NetworkingConfig: { EndpointsConfig: { [this.networkName]: { Aliases: cfg.dnsAliases ?? [] } } } }),
      });
    } catch (e) {
      if (statusCode(e) !== 409) throw e;
      // left over from an interrupted attempt: it is ours by name (uid inside), start it
      container = this.docker.getContainer(name);
    }
    try {
      await container.start();
    } catch (e) {
      if (statusCode(e) !== 304) {
        await container.remove({ force: true }).catch(() => undefined);
        throw e;
      }
    }
    const info = await container.inspect();
    return {
      id: info.Id,
      pod: cfg.pod,
      attempt: cfg.attempt,
      state: info.State.Running ? 'ready' : 'notready',
      ip: hostNetwork ? await this.hostNetworkIP() : info.NetworkSettings.Networks?.[this.networkName]?.IPAddress || undefined,
      network: hostNetwork ? 'host' : this.networkName,
      image,
      createdAt: info.Created,
      ...(loopbackOnly.length && !hostNetwork ? { loopbackOnly } : {}),
    };
  }

  /** Where a hostNetwork pod is reached: the engine host's address on the pod network (its gateway), as the node's InternalIP. */
  private async hostNetworkIP(): Promise<string | undefined> {
    return (await this.ensureNetwork().catch(() => ({ gateway: undefined }))).gateway;
  }

  async stopSandbox(id: string): Promise<void> {
    await this.stopContainer(id, 0);
  }

  async removeSandbox(id: string): Promise<void> {
    this.dialCapable.delete(id);
    this.spares.forget(id);
    await this.removeContainer(id);
  }

  // ---- containers

  async listContainers(): Promise<ContainerStatus[]> {
    // a container Docker is removing is already gone for the kubelet (not "unknown", which it would kill)
    const list = (await this.docker.listContainers({ all: true, filters: { label: [...this.ownFilter, `${LABEL.type}=container`] } })).filter(
      (c) => c.State !== 'removing',
    );
    const live = new Set(list.map((c) => c.Id));
    for (const id of this.inspectCache.keys()) if (!live.has(id)) this.inspectCache.delete(id);
    const out = await Promise.all(
      list.map(async (c) => {
        const cached = this.inspectCache.get(c.Id);
        if (cached && cached.state === c.State) return cached.status;
        return this.inspectContainer(c.Id);
      }),
    );
    return out.filter((s): s is ContainerStatus => !!s);
  }

  async inspectContainer(id: string): Promise<ContainerStatus | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw e;
    }
    const labels = info.Config.Labels ?? {};
    const st = info.State;
    // a start the engine refused (no such executable, ...) leaves it "created" with an error: it ran and ended, as StartError
    const startFailed = st.Status === 'created' && !!st.Error;
    const state: ContainerStatus['state'] = st.Running
      ? 'running'
      : st.Status === 'created' && !startFailed
        ? 'created'
        : st.Status === 'exited' || st.Status === 'dead' || startFailed
          ? 'exited'
          : 'unknown';
    const zero = (t?: string) => (!t || t.startsWith('0001-') ? undefined : t);
    const status: ContainerStatus = {
      id: info.Id,
      pod: { uid: labels[LABEL.podUid], name: labels[LABEL.podName], namespace: labels[LABEL.podNamespace] },
      name: labels[LABEL.containerName],
      image: info.Config.Image,
      imageID: info.Image.startsWith('sha256:') ? `docker-pullable://${info.Config.Image}@${info.Image}` : info.Image,
      state,
      restartCount: Number(labels[LABEL.restartCount] ?? 0),
      sandboxId: info.HostConfig?.NetworkMode?.startsWith('container:') ? info.HostConfig.NetworkMode.slice('container:'.length) : undefined,
      createdAt: info.Created,
      startedAt: zero(st.StartedAt),
      finishedAt: state === 'exited' ? zero(st.FinishedAt) : undefined,
      exitCode: state === 'exited' ? (startFailed ? st.ExitCode || 128 : st.ExitCode) : undefined,
      reason: state === 'exited' ? (startFailed ? 'StartError' : st.OOMKilled ? 'OOMKilled' : st.ExitCode === 0 ? 'Completed' : 'Error') : undefined,
      message: state === 'exited' && st.Error ? st.Error : undefined,
    };
    this.ttyCache.set(info.Id, !!info.Config.Tty);
    this.inspectCache.set(info.Id, { state: info.State.Status, status });
    return status;
  }

  async createContainer(sandboxId: string, cfg: ContainerConfig): Promise<string> {
    const name = dockerName(cfg.name, cfg.pod, cfg.restartCount);
    const body: Docker.ContainerCreateOptions = {
      name,
      Image: cfg.image,
      Labels: { ...this.labelsFor(cfg.pod, cfg.name, 'container'), [LABEL.restartCount]: String(cfg.restartCount), 'io.kubernetes.container.kind': cfg.kind },
      Env: cfg.env.map((e) => `${e.name}=${e.value}`),
      WorkingDir: cfg.workingDir,
      Tty: !!cfg.tty,
      OpenStdin: !!cfg.stdin,
      StdinOnce: !!cfg.stdinOnce,
      AttachStdin: false,
      User: cfg.user,
      HostConfig: {
        NetworkMode: `container:${sandboxId}`,
        IpcMode: cfg.ipcHost ? 'host' : `container:${sandboxId}`,
        ...(cfg.pidMode ? { PidMode: cfg.pidMode === 'host' ? 'host' : `container:${sandboxId}` } : {}),
        ...(cfg.utsHost ? { UTSMode: 'host' } : {}),
        ...(cfg.groupAdd?.length ? { GroupAdd: cfg.groupAdd } : {}),
        ...(cfg.capAdd?.length ? { CapAdd: cfg.capAdd } : {}),
        ...(cfg.capDrop?.length ? { CapDrop: cfg.capDrop } : {}),
        ...(cfg.securityOpt?.length ? { SecurityOpt: cfg.securityOpt } : {}),
        Mounts: cfg.mounts.map((m) => ({
          Type: m.type,
          Source: m.type === 'tmpfs' ? undefined : m.source,
          Target: m.target,
          ReadOnly: !!m.readOnly,
        })) as Docker.MountSettings[],
        NanoCpus: cfg.nanoCpus,
        Memory: cfg.memoryBytes,
        Privileged: !!cfg.privileged,
        ReadonlyRootfs: !!cfg.readOnlyRootfs,
        RestartPolicy: { Name: 'no' },
      },
    };
    // Kubernetes `command` replaces ENTRYPOINT (and drops the image's CMD); `args` replaces CMD.
    if (cfg.command?.length) {
      body.Entrypoint = cfg.command;
      body.Cmd = cfg.args ?? [];
    } else if (cfg.args?.length) {
      body.Cmd = cfg.args;
    }
    try {
      const c = await this.docker.createContainer(body);
      return c.id;
    } catch (e) {
      if (statusCode(e) !== 409) throw e;
      // same name means the same pod uid and attempt: a leftover of ours, replaced
      await this.docker.getContainer(name).remove({ force: true });
      const c = await this.docker.createContainer(body);
      return c.id;
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      if (statusCode(e) !== 304) throw e;
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(timeoutSeconds)) });
    } catch (e) {
      const code = statusCode(e);
      if (code !== 304 && code !== 404) throw e;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (e) {
      const code = statusCode(e);
      if (code !== 404 && code !== 409) throw e;
    }
    this.inspectCache.delete(id);
    this.ttyCache.delete(id);
  }

  async exec(id: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecSession> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdin: !!opts.stdin, AttachStdout: true, AttachStderr: true, Tty: !!opts.tty });
    const stream = (await exec.start({ hijack: true, stdin: !!opts.stdin, Tty: !!opts.tty })) as NodeJS.ReadWriteStream & import('node:stream').Duplex;
    const stdout = new PassThrough();
    let stderr: PassThrough | undefined;
    if (opts.tty) {
      stream.pipe(stdout);
    } else {
      stderr = new PassThrough();
      this.docker.modem.demuxStream(stream, stdout, stderr);
      stream.on('end', () => {
        stdout.end();
        stderr!.end();
      });
    }
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    const stdin = opts.stdin ? new PassThrough() : undefined;
    if (stdin) {
      stdin.on('data', (d: Buffer) => {
        stream.write(d);
      });
      // half-close the hijacked connection so the process sees EOF
      stdin.on('end', () => (stream as unknown as { end(): void }).end());
    }
    return {
      stdin,
      stdout,
      stderr,
      resize: async (width, height) => {
        await exec.resize({ w: width, h: height }).catch(() => undefined);
      },
      wait: async () => {
        await ended;
        for (let i = 0; i < 100; i++) {
          const info = await exec.inspect();
          if (!info.Running) return info.ExitCode ?? 0;
          await new Promise((r) => setTimeout(r, 20));
        }
        return (await exec.inspect()).ExitCode ?? 0;
      },
    };
  }

  async attach(id: string, opts: ExecOptions = {}): Promise<ExecSession> {
    const c = this.docker.getContainer(id);
    const stream = (await c.attach({ stream: true, stdin: !!opts.stdin, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream &
      import('node:stream').Duplex;
    const stdout = new PassThrough();
    let stderr: PassThrough | undefined;
    if (opts.tty) stream.pipe(stdout);
    else {
      stderr = new PassThrough();
      this.docker.modem.demuxStream(stream, stdout, stderr);
      stream.on('end', () => {
        stdout.end();
        stderr!.end();
      });
    }
    const stdin = opts.stdin ? new PassThrough() : undefined;
    if (stdin) {
      stdin.on('data', (d: Buffer) => {
        stream.write(d);
      });
    }
    return {
      stdin,
      stdout,
      stderr,
      resize: async (width, height) => {
        await c.resize({ w: width, h: height }).catch(() => undefined);
      },
      wait: async () => ((await c.wait()) as { StatusCode?: number }).StatusCode ?? 0,
    };
  }

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    const session = await this.exec(id, cmd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    session.stdout.on('data', (d: Buffer) => out.push(d));
    session.stderr?.on('data', (d: Buffer) => err.push(d));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const code = await Promise.race([session.wait(), timeout]);
    clearTimeout(timer);
    const text = (b: Buffer[]) => Buffer.concat(b).toString('utf8');
    if (code === 'timeout') return { exitCode: -1, stdout: text(out), stderr: text(err), timedOut: true };
    return { exitCode: code, stdout: text(out), stderr: text(err) };
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const c = this.docker.getContainer(id);
    if (!this.ttyCache.has(id)) await this.inspectContainer(id);
    const tty = this.ttyCache.get(id) ?? false;
    const base = {
      stdout: true,
      stderr: true,
      timestamps: !!opts.timestamps,
      ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
      ...(opts.since ? { since: opts.since } : {}),
    };
    const out = new PassThrough();
    if (opts.follow) {
      const stream = (await c.logs({ ...base, follow: true })) as NodeJS.ReadableStream;
      if (tty) stream.pipe(out);
      else {
        this.docker.modem.demuxStream(stream, out, out);
        stream.on('end', () => out.end());
      }
      out.on('close', () => (stream as unknown as { destroy?: () => void }).destroy?.());
      return out;
    }
    const buf = (await c.logs({ ...base, follow: false })) as unknown as Buffer;
    out.end(tty ? buf : demuxBuffer(buf));
    return out;
  }

  /**
   * One-shot stats (no second sample, no 1 s wait: Docker API 1.41+), a few containers at a time, so sampling a
   * node costs one short request per running container per scrape.
   */
  async containerStats(ids: string[]): Promise<ContainerStatsSample[]> {
    const out: ContainerStatsSample[] = [];
    const queue = [...ids];
    const worker = async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        try {
          const raw = (await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as DockerStats;
          const s = dockerStatsSample(id, raw);
          if (s) out.push(s);
        } catch {
          // gone between the listing and the read: no sample, as cAdvisor would have none
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, ids.length) }, worker));
    return out;
  }

  async readFile(id: string, path: string): Promise<string | undefined> {
    try {
      const archive = (await this.docker.getContainer(id).getArchive({ path })) as NodeJS.ReadableStream;
      return await new Promise<string | undefined>((resolve, reject) => {
        const ex = tar.extract();
        let content: string | undefined;
        ex.on('entry', (header, stream, next) => {
          const chunks: Buffer[] = [];
          stream.on('data', (d: unknown) => {
            chunks.push(d as Buffer);
          });
          stream.on('end', () => {
            if (header.type === 'file' && content === undefined) content = Buffer.concat(chunks).toString('utf8');
            next();
          });
          stream.resume();
        });
        ex.on('finish', () => resolve(content));
        ex.on('error', reject);
        archive.pipe(ex);
      });
    } catch {
      return undefined;
    }
  }

  async probe(containerId: string, podIP: string | undefined, action: ProbeAction, timeoutMs: number): Promise<ProbeResult> {
    if ('exec' in action) {
      try {
        const r = await this.execSync(containerId, action.exec.command, timeoutMs);
        if (r.timedOut) return { ok: false, message: `command timed out after ${timeoutMs / 1000}s` };
        return r.exitCode === 0 ? { ok: true } : { ok: false, message: (r.stdout + r.stderr).trim() || `command exited with ${r.exitCode}` };
      } catch (e) {
        return { ok: false, message: String((e as Error).message) };
      }
    }
    let sandboxId = this.inspectCache.get(containerId)?.status.sandboxId;
    if (!sandboxId) sandboxId = (await this.inspectContainer(containerId).catch(() => undefined))?.sandboxId;
    if (!sandboxId) return { ok: false, message: `container ${containerId} has no pod sandbox` };
    return probeNetwork(podIP, action, timeoutMs, this.dialerFor(sandboxId));
  }

  /** A dialer from the network namespace of a sandbox (direct from this process when the data plane is direct). */
  dialerFor(sandboxId: string): Dialer {
    return async (host, port, timeoutMs) => {
      // a sandbox from an older pause (adopted after an upgrade) or the upstream one cannot dial: as before, directly
      if (!(await this.canDial(sandboxId))) return directDial(host, port, timeoutMs);
      const plane = await this.decideDataPlane(sandboxId);
      return plane.mode === 'direct' ? directDial(host, port, timeoutMs) : dialInContainer(this.docker, sandboxId, host, port, timeoutMs, this.spares);
    };
  }

  private dialCapable = new Map<string, Promise<boolean>>();
  private readonly spares: SpareDialers;

  /** Whether the sandbox's /pause has the dial mode (its image says so in a label the container inherits). */
  private canDial(sandboxId: string): Promise<boolean> {
    let known = this.dialCapable.get(sandboxId);
    if (!known) {
      known = this.docker
        .getContainer(sandboxId)
        .inspect()
        .then((info) => (info.Config?.Labels?.[PAUSE_MODES_LABEL] ?? '').split(',').includes('dial'))
        .catch(() => {
          this.dialCapable.delete(sandboxId);
          return false;
        });
      this.dialCapable.set(sandboxId, known);
      if (this.dialCapable.size > 4096) this.dialCapable.delete(this.dialCapable.keys().next().value!);
    }
    return known;
  }

  /**
   * A TCP connection to host:port as seen from inside a pod (its sandbox id, or the pod's uid): what port-forward
   * and NodePorts use. Rejects with `dial tcp HOST:PORT: ...` when it cannot connect.
   */
  async dialPod(target: string | { uid: string }, host: string, port: number, timeoutMs = 10_000): Promise<Duplex> {
    const sandboxId = typeof target === 'string' ? target : await this.runningSandboxOf(target.uid);
    if (!sandboxId) throw Object.assign(new Error(`dial tcp ${host}:${port}: the pod has no running sandbox on node ${this.nodeName}`), { code: 'ENOENT' });
    return this.dialerFor(sandboxId)(host, port, timeoutMs);
  }

  private async runningSandboxOf(podUid: string): Promise<string | undefined> {
    const list = await this.docker.listContainers({
      filters: { label: [...this.ownFilter, `${LABEL.type}=podsandbox`, `${LABEL.podUid}=${podUid}`], status: ['running'] },
    });
    list.sort((a, b) => Number(b.Labels?.['io.kubernetes.sandbox.attempt'] ?? 0) - Number(a.Labels?.['io.kubernetes.sandbox.attempt'] ?? 0));
    return list[0]?.Id;
  }

  /** direct or api for this node; auto checks once, with the first pod sandbox on the pod network it sees. */
  private decideDataPlane(sandboxId: string): Promise<DataPlane> {
    const mode = this.opts.dataPlane ?? 'auto';
    if (mode !== 'auto') return Promise.resolve(this.dataPlane ?? { mode, reason: `chosen with --data-plane ${mode}` });
    if (this.dataPlane) return Promise.resolve(this.dataPlane);
    if (!this.dataPlaneChoice) {
      this.dataPlaneChoice = (async () => {
        const info = await this.docker.getContainer(sandboxId).inspect();
        const ip = info.NetworkSettings?.Networks?.[this.networkName]?.IPAddress;
        // a hostNetwork sandbox cannot tell whether pod addresses are reachable: use the API now, decide with a pod
        if (!ip) return { mode: 'api' as const, reason: 'not checked yet', pending: true };
        const d = await checkDirectReach(this.docker, sandboxId, ip);
        this.setDataPlane(d);
        return d;
      })().catch((e) => ({ mode: 'api' as const, reason: `check failed: ${(e as Error).message}`, pending: true }));
      void this.dataPlaneChoice.then((d) => {
        if (d.pending) this.dataPlaneChoice = undefined;
      });
    }
    return this.dataPlaneChoice;
  }

  private setDataPlane(d: DataPlane): void {
    this.dataPlane = d;
    log.info('data plane chosen', { node: this.nodeName, mode: d.mode, reason: d.reason });
    this.onDataPlane?.(d);
  }

  async ensureVolume(name: string, pod: PodRefLabels, medium: 'Memory'): Promise<string> {
    const volName = `kubelab_${pod.uid}_${name}`;
    try {
      await this.docker.getVolume(volName).inspect();
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
      await this.docker.createVolume({
        Name: volName,
        Driver: 'local',
        DriverOpts: medium === 'Memory' ? { type: 'tmpfs', device: 'tmpfs', o: 'mode=1777' } : {},
        Labels: { [LABEL.cluster]: this.clusterId, [LABEL.node]: this.nodeName, [LABEL.podUid]: pod.uid },
      });
    }
    return volName;
  }

  async removePodVolumes(podUid: string): Promise<void> {
    const res = await this.docker.listVolumes({ filters: { label: [...this.ownFilter, `${LABEL.podUid}=${podUid}`] } });
    for (const v of res.Volumes ?? [])
      await this.docker
        .getVolume(v.Name)
        .remove()
        .catch((e) => log.debug('volume not removed', { volume: v.Name, error: String(e) }));
  }
}

/** Split Docker's multiplexed log format (8-byte frame headers) into plain text. */
export function demuxBuffer(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    if (type > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return buf; // not multiplexed
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(parts);
}
