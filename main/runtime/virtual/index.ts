// VirtualRuntime: the ContainerRuntime simulated in memory, for nodes without a Docker engine and for
// learning at scale. Containers "run" after a start delay; init containers (and commands that `exit N`)
// finish; probes pass; logs and a few exec commands are simulated. Nothing touches a real engine.
import { PassThrough, Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { addressAt, parseCidr4, type Cidr4 } from '../../api/cidr';
import type {
  ContainerConfig,
  ContainerRuntime,
  ContainerStatus,
  ExecOptions,
  ExecResult,
  ExecSession,
  ImageInfo,
  LogOptions,
  ProbeAction,
  ProbeResult,
  PullProgress,
  PullResult,
  RegistryAuth,
  RuntimeInfo,
  SandboxConfig,
  SandboxStatus,
  ContainerStatsSample,
} from '../types';

export interface VirtualRuntimeOptions {
  nodeName: string;
  /** simulated time from start to running, and of a pull */
  startDelayMs?: number;
  pullDelayMs?: number;
  /** second octet of pod IPs before the node has a podCIDR: 10.<n>.x.y, distinct per node */
  subnet?: number;
  cpus?: number;
  memoryBytes?: number;
}

interface VContainer {
  status: ContainerStatus;
  cfg: ContainerConfig;
  sandboxId: string;
  logs: string[];
  followers: Set<PassThrough>;
  timer?: NodeJS.Timeout;
  exitAfter?: number;
}

let subnetCounter = 0;
const id = () => randomBytes(32).toString('hex');
const ts = () => new Date().toISOString();

/** The exit code a simulated command ends with, if it ends: `exit N` anywhere in it, or an init container. */
export function simulatedExit(cfg: Pick<ContainerConfig, 'command' | 'args' | 'kind'>): number | undefined {
  const text = [...(cfg.command ?? []), ...(cfg.args ?? [])].join(' ');
  const m = /(?:^|[;&|\s])exit\s+(\d+)/.exec(text);
  if (m) return Number(m[1]);
  if (cfg.kind === 'init') return 0;
  if (/^(true|\/bin\/true)$/.test(text.trim())) return 0;
  return undefined;
}

export class VirtualRuntime implements ContainerRuntime {
  readonly name = 'virtual' as const;
  private sandboxes = new Map<string, SandboxStatus>();
  private containers = new Map<string, VContainer>();
  private images = new Map<string, ImageInfo>();
  private nextIp = 2;
  private readonly subnet: number;
  /** the node's spec.podCIDR, once the kubelet hands it over: pod IPs come from it */
  private podCIDR?: Cidr4;
  private readonly startDelayMs: number;
  private readonly pullDelayMs: number;

  constructor(private readonly opts: VirtualRuntimeOptions) {
    this.subnet = opts.subnet ?? 200 + (subnetCounter++ % 50);
    this.startDelayMs = opts.startDelayMs ?? 200;
    this.pullDelayMs = opts.pullDelayMs ?? 300;
  }

  async info(): Promise<RuntimeInfo> {
    return {
      name: 'virtual',
      version: '1.0.0',
      kernelVersion: 'virtual',
      osImage: 'kubelab virtual node (simulated containers)',
      os: 'linux',
      arch: 'amd64',
      cpus: this.opts.cpus ?? 4,
      memoryBytes: this.opts.memoryBytes ?? 8 * 1024 ** 3,
      storageBytes: 100 * 1024 ** 3,
      internalIP: this.podCIDR ? addressAt(this.podCIDR, 1) : `10.${this.subnet}.0.1`,
    };
  }

  async listImages(): Promise<ImageInfo[]> {
    return [...this.images.values()];
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    return this.images.get(ref);
  }

  async pullImage(ref: string, _auth?: RegistryAuth, onProgress?: (p: PullProgress) => void): Promise<PullResult> {
    const total = 1_000_000 + (ref.length % 7) * 1_000_000;
    const layers = [{ id: ref.length.toString(16).padStart(12, '0'), status: 'Downloading', current: 0, total }];
    onProgress?.({ image: ref, layers });
    await new Promise((r) => setTimeout(r, this.pullDelayMs));
    layers[0] = { ...layers[0], status: 'Pull complete', current: total };
    onProgress?.({ image: ref, layers });
    const info = { id: `sha256:${id()}`, names: [ref], sizeBytes: total };
    this.images.set(ref, info);
    return { imageID: info.id, sizeBytes: total, layers };
  }

  async listSandboxes(): Promise<SandboxStatus[]> {
    return [...this.sandboxes.values()].map((s) => ({ ...s }));
  }

  async runSandbox(cfg: SandboxConfig): Promise<SandboxStatus> {
    const s: SandboxStatus = {
      id: id(),
      pod: cfg.pod,
      attempt: cfg.attempt,
      state: 'ready',
      ip: this.nextAddress(),
      network: 'virtual',
      createdAt: ts(),
    };
    this.sandboxes.set(s.id, s);
    return { ...s };
  }

  async updatePodCIDR(cidr: string): Promise<void> {
    const c = parseCidr4(cidr);
    if (c) this.podCIDR = c;
  }

  /** The lowest address of the podCIDR no sandbox holds (.1 is the node's), or the old counter before it has one. */
  private nextAddress(): string {
    if (!this.podCIDR) {
      const n = this.nextIp++;
      return `10.${this.subnet}.${Math.floor(n / 250)}.${(n % 250) + 2}`;
    }
    const used = new Set([...this.sandboxes.values()].map((s) => s.ip));
    const hosts = 2 ** (32 - this.podCIDR.bits) - 2;
    for (let i = 2; i <= hosts; i++) {
      const ip = addressAt(this.podCIDR, i);
      if (!used.has(ip)) return ip;
    }
    throw new Error(`no free address left in the node's podCIDR ${addressAt(this.podCIDR, 0)}/${this.podCIDR.bits}`);
  }

  async stopSandbox(sid: string): Promise<void> {
    const s = this.sandboxes.get(sid);
    if (s) s.state = 'notready';
  }

  async removeSandbox(sid: string): Promise<void> {
    this.sandboxes.delete(sid);
  }

  async listContainers(): Promise<ContainerStatus[]> {
    return [...this.containers.values()].map((c) => ({ ...c.status }));
  }

  /**
   * Simulated use, steady per container and a little noisy: CPU about 1-9 millicores (capped by its limit), memory
   * 6-30 MiB (capped by its limit), both derived from the container id so a chart has a shape but no surprises.
   */
  async containerStats(ids: string[]): Promise<ContainerStatsSample[]> {
    const now = Date.now();
    const out: ContainerStatsSample[] = [];
    for (const cid of ids) {
      const c = this.containers.get(cid);
      if (!c || c.status.state !== 'running') continue;
      const seed = parseInt(cid.slice(0, 8), 16) / 0xffffffff;
      const started = Date.parse(c.status.startedAt ?? c.status.createdAt);
      const limitCores = c.cfg.nanoCpus ? c.cfg.nanoCpus / 1e9 : Infinity;
      const cores = Math.min(limitCores, 0.001 + seed * 0.008);
      const wobble = 1 + 0.1 * Math.sin(now / 7000 + seed * 10);
      const memory = Math.min(c.cfg.memoryBytes ?? Infinity, Math.round((6 + seed * 24) * 1024 * 1024 * wobble));
      // the counter grows at `cores`, give or take 10% (the sine's slope), and never falls
      const cpu = Math.max(0, now - started) * 1e6 * cores + cores * 1e6 * 700 * (1 + Math.sin(now / 7000 + seed * 10));
      out.push({ id: cid, timestamp: now, cpuUsageNanos: Math.round(cpu), memoryWorkingSetBytes: memory });
    }
    return out;
  }

  async inspectContainer(cid: string): Promise<ContainerStatus | undefined> {
    const c = this.containers.get(cid);
    return c ? { ...c.status } : undefined;
  }

  async createContainer(sandboxId: string, cfg: ContainerConfig): Promise<string> {
    const cid = id();
    const img = this.images.get(cfg.image);
    this.containers.set(cid, {
      cfg,
      sandboxId,
      logs: [],
      followers: new Set(),
      exitAfter: simulatedExit(cfg),
      status: {
        id: cid,
        pod: cfg.pod,
        name: cfg.name,
        image: cfg.image,
        imageID: img?.id ?? `sha256:${id()}`,
        state: 'created',
        restartCount: cfg.restartCount,
        createdAt: ts(),
      },
    });
    return cid;
  }

  private log(c: VContainer, line: string): void {
    const entry = `${ts()} ${line}\n`;
    c.logs.push(entry);
    for (const f of c.followers) f.write(entry.slice(entry.indexOf(' ') + 1));
  }

  private exit(c: VContainer, code: number, reason?: string): void {
    if (c.status.state !== 'running' && c.status.state !== 'created') return;
    clearTimeout(c.timer);
    c.status = { ...c.status, state: 'exited', exitCode: code, finishedAt: ts(), reason: reason ?? (code === 0 ? 'Completed' : 'Error') };
    this.log(c, `[virtual] container ${c.cfg.name} exited with code ${code}`);
    for (const f of c.followers) f.end();
    c.followers.clear();
  }

  async startContainer(cid: string): Promise<void> {
    const c = this.containers.get(cid);
    if (!c) throw new Error(`No such container: ${cid}`);
    await new Promise((r) => setTimeout(r, this.startDelayMs));
    c.status = { ...c.status, state: 'running', startedAt: ts() };
    this.log(c, `[virtual] container ${c.cfg.name} started from ${c.cfg.image} on node ${this.opts.nodeName} (simulated: no process runs)`);
    if (c.exitAfter !== undefined) {
      const code = c.exitAfter;
      c.timer = setTimeout(() => this.exit(c, code), this.startDelayMs);
      c.timer.unref?.();
    }
  }

  async stopContainer(cid: string, _timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(cid);
    if (c) this.exit(c, 143);
  }

  async removeContainer(cid: string): Promise<void> {
    const c = this.containers.get(cid);
    if (c) clearTimeout(c.timer);
    this.containers.delete(cid);
  }

  /** The few commands a simulated container answers. */
  private simulate(cid: string, cmd: string[]): ExecResult {
    const c = this.containers.get(cid);
    const pod = c?.status.pod.name ?? '';
    const line = cmd.join(' ');
    if (!c || c.status.state !== 'running') return { exitCode: 126, stdout: '', stderr: 'container is not running\n' };
    if (line === 'cat /etc/hostname' || line === 'hostname') return { exitCode: 0, stdout: `${pod}\n`, stderr: '' };
    if (cmd[0] === 'echo') return { exitCode: 0, stdout: `${cmd.slice(1).join(' ')}\n`, stderr: '' };
    if (cmd[0] === 'true') return { exitCode: 0, stdout: '', stderr: '' };
    if (cmd[0] === 'false') return { exitCode: 1, stdout: '', stderr: '' };
    if (cmd[0] === 'env') return { exitCode: 0, stdout: c.cfg.env.map((e) => `${e.name}=${e.value}\n`).join(''), stderr: '' };
    const exit = /^sh -c exit (\d+)$/.exec(line);
    if (exit) return { exitCode: Number(exit[1]), stdout: '', stderr: '' };
    return { exitCode: 126, stdout: '', stderr: `virtual node: "${line}" cannot run here, containers are simulated (try: hostname, echo, env)\n` };
  }

  async exec(cid: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecSession> {
    const r = this.simulate(cid, cmd);
    const stdout = Readable.from(r.stdout ? [Buffer.from(r.stdout)] : []);
    const stderr = opts.tty ? undefined : Readable.from(r.stderr ? [Buffer.from(r.stderr)] : []);
    return { stdin: opts.stdin ? new PassThrough() : undefined, stdout, stderr, resize: async () => {}, wait: async () => r.exitCode };
  }

  async execSync(cid: string, cmd: string[], _timeoutMs: number): Promise<ExecResult> {
    return this.simulate(cid, cmd);
  }

  async logs(cid: string, opts: LogOptions): Promise<Readable> {
    const c = this.containers.get(cid);
    if (!c) throw new Error(`No such container: ${cid}`);
    let lines = c.logs.filter((l) => !opts.since || new Date(l.slice(0, l.indexOf(' '))).getTime() / 1000 >= opts.since!);
    if (opts.tail !== undefined && opts.tail >= 0) lines = lines.slice(Math.max(0, lines.length - opts.tail));
    const text = lines.map((l) => (opts.timestamps ? l : l.slice(l.indexOf(' ') + 1))).join('');
    const out = new PassThrough();
    out.write(text);
    if (opts.follow && c.status.state === 'running') {
      c.followers.add(out);
      out.on('close', () => c.followers.delete(out));
    } else out.end();
    return out;
  }

  async probe(_containerId: string, _podIP: string | undefined, _action: ProbeAction, _timeoutMs: number): Promise<ProbeResult> {
    return { ok: true };
  }
}
