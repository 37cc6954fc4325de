// The container runtime contract the kubelet drives, in the spirit of the CRI: pod sandboxes,
// containers, images, exec and logs. DockerRuntime runs it on a Docker engine; VirtualRuntime simulates it.
import type { Readable, Writable } from 'node:stream';

/** Labels every object a runtime creates carries, so a restarted lab adopts them and never touches others'. */
export const LABEL = {
  podUid: 'io.kubernetes.pod.uid',
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  containerName: 'io.kubernetes.container.name',
  restartCount: 'io.kubernetes.container.restartCount',
  /** `podsandbox` or `container`, as dockershim labelled them */
  type: 'io.kubernetes.docker.type',
  cluster: 'kubelab.io/cluster',
  node: 'kubelab.io/node',
} as const;

/** The sandbox's container name label, as upstream. */
export const SANDBOX_CONTAINER_NAME = 'POD';

export interface RuntimeInfo {
  /** `docker` or `virtual` */
  name: string;
  version: string;
  kernelVersion: string;
  osImage: string;
  /** GOOS-style: `linux` */
  os: string;
  /** GOARCH-style: `amd64` */
  arch: string;
  cpus: number;
  memoryBytes: number;
  storageBytes: number;
  /** address pods and the host reach this node by */
  internalIP?: string;
}

export interface ImageInfo {
  id: string;
  names: string[];
  sizeBytes: number;
  /** the image's configured user (`1000`, `nginx:nginx`, '' for root), where the runtime knows it */
  user?: string;
}

export interface PullLayer {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export interface PullProgress {
  image: string;
  layers: PullLayer[];
}

export interface PullResult {
  imageID: string;
  sizeBytes: number;
  layers: PullLayer[];
}

export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
}

export interface HostPortMapping {
  containerPort: number;
  hostPort: number;
  hostIP?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface PodRefLabels {
  uid: string;
  name: string;
  namespace: string;
}

export interface OverlayCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface SandboxConfig {
  pod: PodRefLabels;
  hostname: string;
  /** attempt number: 0 for the first sandbox of the pod */
  attempt: number;
  hostPorts: HostPortMapping[];
  /** extra /etc/hosts lines: `ip name` */
  hostAliases?: Array<{ ip: string; hostnames: string[] }>;
  /** DNS names others on the node network can resolve to this pod */
  dnsAliases?: string[];
  /** the pod's resolv.conf (search path, options, nameservers), shared by the containers joining the sandbox */
  dns?: { search?: string[]; options?: string[]; servers?: string[] };
  /** the pod's host namespaces (spec.hostNetwork, hostPID, hostIPC) */
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  /** namespaced sysctls, set on the sandbox whose namespaces the containers join */
  sysctls?: Record<string, string>;
}

export interface SandboxStatus {
  id: string;
  pod: PodRefLabels;
  attempt: number;
  state: 'ready' | 'notready';
  ip?: string;
  network?: string;
  /** the sandbox (pause) image, where the runtime knows it */
  image?: string;
  createdAt: string;
  /** hostPorts whose hostIP asked for more than loopback but were bound on 127.0.0.1 (the lab does not expose ports) */
  loopbackOnly?: HostPortMapping[];
}

export interface Mount {
  /** host path (bind) or a runtime volume name (volume) */
  source: string;
  target: string;
  readOnly?: boolean;
  type: 'bind' | 'volume' | 'tmpfs';
}

export interface ContainerConfig {
  pod: PodRefLabels;
  name: string;
  image: string;
  /** ENTRYPOINT override (Kubernetes `command`) */
  command?: string[];
  /** CMD override (Kubernetes `args`) */
  args?: string[];
  env: Array<{ name: string; value: string }>;
  workingDir?: string;
  mounts: Mount[];
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  nanoCpus?: number;
  memoryBytes?: number;
  user?: string;
  /** supplemental groups (supplementalGroups and fsGroup) */
  groupAdd?: string[];
  privileged?: boolean;
  readOnlyRootfs?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** Docker's security options: no-new-privileges, seccomp=..., apparmor=..., label=..., systempaths=unconfined */
  securityOpt?: string[];
  /** the process namespace: the host's (hostPID), or the sandbox's shared with the pod (shareProcessNamespace) */
  pidMode?: 'host' | 'pod';
  /** hostIPC: the host's IPC namespace instead of the sandbox's */
  ipcHost?: boolean;
  /** hostNetwork: the host's hostname too, as upstream */
  utsHost?: boolean;
  restartCount: number;
  /** kind of container, for the labels and the flow view */
  kind: 'init' | 'regular';
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  pod: PodRefLabels;
  name: string;
  image: string;
  imageID: string;
  state: ContainerState;
  restartCount: number;
  /** the sandbox whose namespaces it joined, when the runtime knows */
  sandboxId?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** `OOMKilled`, `Error`, `Completed` for exited containers */
  reason?: string;
  message?: string;
}

/** One reading of a running container's resource use, as cAdvisor gives the kubelet (counters, not rates). */
export interface ContainerStatsSample {
  id: string;
  /** when the runtime read it, ms since the epoch */
  timestamp: number;
  /** CPU time used since the container started, nanoseconds (cumulative: a rate needs two samples) */
  cpuUsageNanos: number;
  /** memory in use less the inactive file cache: what the kubelet and `kubectl top` call the working set */
  memoryWorkingSetBytes: number;
}

export interface ExecOptions {
  stdin?: boolean;
  tty?: boolean;
}

/** A running exec session; streams are raw bytes. */
export interface ExecSession {
  stdin?: Writable;
  stdout: Readable;
  /** absent with a TTY (stderr is merged into stdout) */
  stderr?: Readable;
  resize(width: number, height: number): Promise<void>;
  /** resolves with the exit code once the process ends */
  wait(): Promise<number>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export interface LogOptions {
  follow?: boolean;
  tail?: number;
  /** unix seconds */
  since?: number;
  timestamps?: boolean;
}

export type ProbeAction =
  | { exec: { command: string[] } }
  | { httpGet: { host?: string; port: number; path?: string; scheme?: 'HTTP' | 'HTTPS'; headers?: Array<{ name: string; value: string }> } }
  | { tcpSocket: { host?: string; port: number } }
  | { grpc: { port: number; service?: string } };

export interface ProbeResult {
  ok: boolean;
  message?: string;
}

/** What an engine already uses, for choosing the node's pod /24 (main/api/pod-cidr-claim.ts). */
export interface PodCIDRConstraints {
  /** subnets of the engine's other networks, and this host's routes where the engine's bridges are on this host */
  unavailable: string[];
  /** the subnet the lab's own network on this engine already has */
  preferred?: string;
}

export type PodCIDRClaim = { ok: true } | { ok: false; reason: string };

export interface ContainerRuntime {
  readonly name: 'docker' | 'virtual';
  /** throws if the engine cannot be reached */
  info(): Promise<RuntimeInfo>;
  listImages(): Promise<ImageInfo[]>;
  /** undefined if the image is not on the node */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  pullImage(ref: string, auth?: RegistryAuth, onProgress?: (p: PullProgress) => void): Promise<PullResult>;

  /** Sandboxes of this cluster on this node, including stopped ones. */
  listSandboxes(): Promise<SandboxStatus[]>;
  runSandbox(cfg: SandboxConfig): Promise<SandboxStatus>;
  stopSandbox(id: string): Promise<void>;
  removeSandbox(id: string): Promise<void>;

  /** Containers (not sandboxes) of this cluster on this node, including exited ones. */
  listContainers(): Promise<ContainerStatus[]>;
  createContainer(sandboxId: string, cfg: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerStatus | undefined>;

  exec(id: string, cmd: string[], opts?: ExecOptions): Promise<ExecSession>;
  execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult>;
  /** Attach to the container's own stdin/stdout/stderr (kubectl attach, run -it); wait() resolves when it exits. */
  attach?(id: string, opts?: ExecOptions): Promise<ExecSession>;
  /** Plain text log stream (stdout and stderr interleaved). */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  /** Read a file from a (possibly exited) container: the termination message. */
  readFile?(id: string, path: string): Promise<string | undefined>;
  /** Run a probe from the node: exec inside the container, or a connection to the pod IP. */
  probe(containerId: string, podIP: string | undefined, action: ProbeAction, timeoutMs: number): Promise<ProbeResult>;
  /** How the lab reaches this node's pod ports once decided (`direct` or `api`, and why); `onDataPlane` hears the decision. */
  dataPlane?: { mode: string; reason: string };
  onDataPlane?: (d: { mode: string; reason: string }) => void;
  /** A TCP connection to host:port from inside the pod's network namespace (port-forward, NodePorts); without it: a direct dial. */
  dialPod?(pod: { uid: string }, host: string, port: number, timeoutMs?: number): Promise<import('node:stream').Duplex>;

  /** CRI UpdateRuntimeConfig: the node's spec.podCIDR, from which its pods get their addresses. */
  updatePodCIDR?(cidr: string): Promise<void>;
  /** Engine-backed runtimes: what the engine uses already, and claiming a /24 there (making the pod network with it). */
  podCIDRConstraints?(): Promise<PodCIDRConstraints>;
  /** the node's PodOverlay condition (whether its pods reach other nodes' pods), where the runtime runs an overlay */
  overlayCondition?(): OverlayCondition | undefined;
  /** calls back when that condition may have changed */
  watchOverlay?(cb: () => void): void;
  claimPodCIDR?(cidr: string): Promise<PodCIDRClaim>;

  /** One stats sample per running container asked for; containers that are gone are left out. */
  containerStats?(ids: string[]): Promise<ContainerStatsSample[]>;
  /** Shared volumes that live in the runtime (emptyDir medium Memory). */
  ensureVolume?(name: string, pod: PodRefLabels, medium: 'Memory'): Promise<string>;
  removePodVolumes?(podUid: string): Promise<void>;
  close?(): Promise<void>;
}
