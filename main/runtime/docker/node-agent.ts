// The node agent of the pod overlay (resources/sandbox/agent.c, imported as kubelab/agent:<version>-<hash>): one
// container per Docker node on its pod network at the address kept for it (the podCIDR's last usable one), with
// NET_ADMIN, /dev/net/tun, ip_forward=1 and rp_filter off. It routes the cluster CIDR into a TUN device and frames
// the packets (2-byte length + IP packet) on its stdout; frames written to its stdin go into the TUN and on to the
// local pods. The lab holds both ends as one Docker attach stream (the engine's API is all it needs, so remote and
// VM engines work) and main/proxy/overlay.ts relays frames between nodes. Each sandbox (and relay) gets the route
// `<cluster CIDR> via <agent address>` from a short-lived agent container in its network namespace.
// Where the engine refuses (no /dev/net/tun, NET_ADMIN or sysctls refused) the state says so and everything else works.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { logger } from '../../log';
import { LABEL } from '../types';
import { ensureStaticImage } from './static-image';

const log = logger('overlay');
const COMPONENT_LABEL = 'kubelab.io/component';
/** how long the agent may take to say it is ready */
const READY_TIMEOUT_MS = 15_000;
/** bytes waiting to reach an agent beyond which packets for it are dropped */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export type OverlayState =
  { state: 'starting' } | { state: 'up'; podCIDR: string } | { state: 'off'; reason: 'OverlayRefused' | 'OverlayUnavailable'; message: string };

export interface NodeAgentEvents {
  /** an IP packet a local pod sent towards another node's podCIDR */
  packet: [Buffer];
  state: [OverlayState];
}

export interface NodeAgentOptions {
  docker: Docker;
  clusterId: string;
  nodeName: string;
  networkName: string;
  /** the TUN device to hand the agent (default /dev/net/tun; a path the engine lacks shows the refused case) */
  tunDevice?: string;
}

/** Splits a byte stream into the agent's frames (2-byte big-endian length, then the packet). */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (packet: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let off = 0;
    while (this.buf.length - off >= 2) {
      const len = this.buf.readUInt16BE(off);
      if (this.buf.length - off < 2 + len) break;
      if (len > 0) this.onFrame(this.buf.subarray(off + 2, off + 2 + len));
      off += 2 + len;
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
  }
}

export function frame(packet: Buffer): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(packet.length);
  return Buffer.concat([head, packet]);
}

/** IPv4 destination of a packet, or undefined when it is not IPv4. */
export function ipv4Destination(packet: Buffer): string | undefined {
  if (packet.length < 20 || packet[0] >> 4 !== 4) return undefined;
  return `${packet[16]}.${packet[17]}.${packet[18]}.${packet[19]}`;
}

const statusCode = (e: unknown) => (e as { statusCode?: number })?.statusCode;
const dockerMessage = (e: unknown) => String((e as { json?: { message?: string } })?.json?.message ?? (e as Error)?.message ?? e).trim();

export class NodeAgent extends EventEmitter<NodeAgentEvents> {
  state: OverlayState = { state: 'starting' };
  private stream?: NodeJS.ReadWriteStream;
  private started?: Promise<OverlayState>;
  private stopped = false;
  /** the cluster CIDR and agent address the sandboxes' routes point at, once the agent is up */
  route?: { clusterCIDR: string; via: string };
  private image?: string;

  constructor(private readonly opts: NodeAgentOptions) {
    super();
  }

  private get labels() {
    return { [LABEL.cluster]: this.opts.clusterId, [LABEL.node]: this.opts.nodeName, [COMPONENT_LABEL]: 'agent' };
  }

  /** Starts the node's agent (replacing one a previous lab start left); resolves with the state it reached. */
  start(clusterCIDR: string, podCIDR: string, agentAddress: string): Promise<OverlayState> {
    this.started ??= this.run(clusterCIDR, podCIDR, agentAddress).catch((e) =>
      this.turnOff('OverlayUnavailable', `the node agent did not start: ${dockerMessage(e)}`),
    );
    return this.started;
  }

  /** Settles once the agent is up or off (immediately when it was never started). */
  settled(): Promise<OverlayState> {
    return this.started ?? Promise.resolve(this.state);
  }

  private setState(s: OverlayState): OverlayState {
    this.state = s;
    this.emit('state', s);
    return s;
  }

  private turnOff(reason: 'OverlayRefused' | 'OverlayUnavailable', message: string): OverlayState {
    this.route = undefined;
    log.warn('pod overlay off on this node', { node: this.opts.nodeName, reason, message });
    return this.setState({ state: 'off', reason, message });
  }

  private async run(clusterCIDR: string, podCIDR: string, agentAddress: string): Promise<OverlayState> {
    const { docker, networkName } = this.opts;
    const image = (this.image = await ensureStaticImage(docker, 'agent', 'pods reach only pods of their own node'));
    const old = await docker.listContainers({ all: true, filters: { label: Object.entries(this.labels).map(([k, v]) => `${k}=${v}`) } });
    // its stdin went with the lab that held it: a new agent, on the same address, takes over
    await Promise.all(
      old.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch((e) => {
            if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e;
          }),
      ),
    );
    const device = this.opts.tunDevice ?? '/dev/net/tun';
    let c: Docker.Container;
    try {
      c = await docker.createContainer({
        name: `kubelab-agent_${this.opts.nodeName}_${this.opts.clusterId.slice(0, 8)}`,
        Image: image,
        Cmd: ['/agent', 'tun', clusterCIDR],
        OpenStdin: true,
        StdinOnce: false,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Labels: this.labels,
        HostConfig: {
          NetworkMode: networkName,
          CapAdd: ['NET_ADMIN'],
          Devices: [{ PathOnHost: device, PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }],
          Sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0' },
          // packets go through stdout: never into a log file
          LogConfig: { Type: 'none', Config: {} },
          RestartPolicy: { Name: 'no' },
        },
        NetworkingConfig: { EndpointsConfig: { [networkName]: { IPAMConfig: { IPv4Address: agentAddress } } } },
      });
    } catch (e) {
      return this.turnOff('OverlayRefused', `the engine refused the node agent (it needs ${device}, NET_ADMIN and the ip_forward sysctl): ${dockerMessage(e)}`);
    }
    const stream = (await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    this.stream = stream;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(stream, stdout, stderr);
    const reader = new FrameReader((p) => this.emit('packet', p));
    stdout.on('data', (d: Buffer) => reader.push(d));
    let errText = '';
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      stderr.on('data', (d: Buffer) => {
        errText += d.toString();
        if (/^agent: ready/m.test(errText)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      stream.on('end', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    stream.on('error', () => undefined);
    stream.on('end', () => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = undefined;
      if (this.state.state === 'up')
        this.turnOff('OverlayUnavailable', 'the node agent stopped; pods of this node reach only this node until the lab restarts');
    });
    try {
      await c.start();
    } catch (e) {
      stream.end();
      await c.remove({ force: true }).catch(() => undefined);
      return this.turnOff('OverlayRefused', `the engine refused the node agent (it needs ${device}, NET_ADMIN and the ip_forward sysctl): ${dockerMessage(e)}`);
    }
    if (!(await ready)) {
      const why =
        errText
          .split('\n')
          .filter((l) => l.startsWith('agent:'))
          .pop()
          ?.replace(/^agent: /, '') ?? 'it gave no sign of life';
      stream.end();
      await c.remove({ force: true }).catch(() => undefined);
      return this.turnOff('OverlayRefused', `the node agent could not set up the overlay: ${why}`);
    }
    this.route = { clusterCIDR, via: agentAddress };
    log.info('pod overlay up on this node', { node: this.opts.nodeName, agent: agentAddress, clusterCIDR, podCIDR });
    return this.setState({ state: 'up', podCIDR });
  }

  /** Hands a packet from another node to this node's pods. */
  send(packet: Buffer): boolean {
    const s = this.stream as (NodeJS.ReadWriteStream & { writableLength?: number }) | undefined;
    if (this.state.state !== 'up' || !s) return false;
    // a full queue drops, as a router's would: TCP inside slows down instead of the lab buffering without bound
    if ((s.writableLength ?? 0) > MAX_QUEUED_BYTES) return false;
    s.write(frame(packet));
    return true;
  }

  /**
   * Adds `<cluster CIDR> via <agent address>` in a container's network namespace (a sandbox or a relay): a short-lived
   * agent container joined to it with NET_ADMIN, so the pod's own containers get no capability. No-op while the overlay is off.
   */
  async addRoute(containerId: string): Promise<void> {
    const route = this.route;
    if (!route || !this.image) return;
    const { docker } = this.opts;
    const c = await docker.createContainer({
      Image: this.image,
      Cmd: ['/agent', 'route', route.clusterCIDR, route.via],
      Labels: { ...this.labels, [COMPONENT_LABEL]: 'agent-route' },
      HostConfig: { NetworkMode: `container:${containerId}`, CapAdd: ['NET_ADMIN'], LogConfig: { Type: 'json-file', Config: {} } },
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      if (StatusCode !== 0) {
        const logs = [...String(await c.logs({ stdout: true, stderr: true }))]
          .filter((ch) => ch >= ' ' || ch === '\n')
          .join('')
          .trim(); // without the stream headers
        throw new Error(`the pod's route to other nodes was not added: ${logs || `exit ${StatusCode}`}`);
      }
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }

  /**
   * Lets go of the agent's stream and removes its container: without the lab's switch it carries nothing, and left
   * running it would hold the node's network (a discarded lab's network could never be swept). The next start makes
   * a new one on the same address, so the routes in the pods stay right.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.end();
    this.stream = undefined;
    const label = Object.entries(this.labels).map(([k, v]) => `${k}=${v}`);
    try {
      const agents = await this.opts.docker.listContainers({ all: true, filters: { label } });
      await Promise.all(
        agents.map((c) =>
          this.opts.docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    } catch (e) {
      log.debug('node agent not removed', { node: this.opts.nodeName, error: String((e as Error).message ?? e) });
    }
  }
}
