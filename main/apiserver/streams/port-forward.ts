// pods/portforward as kubectl v1.32 speaks it: SPDY/3.1 sessions, either tunneled in WebSocket binary messages
// (subprotocol `SPDY/3.1+portforward.k8s.io`) or after a plain `Upgrade: SPDY/3.1`. Per forwarded connection
// kubectl opens an error stream and a data stream (headers streamtype, port, requestid); the data stream is
// piped to a TCP connection to the pod's IP, which the host reaches directly over the engine's Linux bridge.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import type { Pod } from 'kubernetes-types/core/v1';
import { WebSocketServer } from 'ws';
import { errors, isStatusError, StatusError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { R, type Client } from '../../client/types';
import { findPodInKubelets, type KubeletLookup } from '../../kubelet/node-set';
import { directDial } from '../../runtime/docker/net-probes';
import { logger } from '../../log';
import type { ApiRequest } from '../types';
import { SPDY_DICTIONARY } from './spdy-dictionary';

const log = logger('port-forward');

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

// the SPDY/3 header-compression dictionary, the spec's bytes (the framing around it is ours, below)
export { SPDY_DICTIONARY };

export const FRAME = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
export const FLAG_FIN = 0x01;
const RST_CANCEL = 5;
/** the largest DATA payload we send at once */
const MAX_DATA = 16 * 1024;
/** bytes queued toward kubectl above which we stop reading from the pod (spdystream has no flow control to do it) */
const HIGH_WATER = 1024 * 1024;

export interface SpdyFrame {
  control: boolean;
  /** control frames: the frame type */
  type: number;
  /** data frames: the stream id */
  streamId: number;
  flags: number;
  data: Buffer;
}

/** Splits a byte stream into SPDY/3 frames; returns the frames and the unconsumed rest. */
export function splitFrames(buf: Buffer): { frames: SpdyFrame[]; rest: Buffer } {
  const frames: SpdyFrame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const len = buf.readUIntBE(off + 5, 3);
    if (buf.length - off < 8 + len) break;
    const control = (buf[off] & 0x80) !== 0;
    const word = buf.readUInt32BE(off) & 0x7fffffff;
    frames.push({
      control,
      type: control ? buf.readUInt16BE(off + 2) : 0,
      streamId: control ? 0 : word,
      flags: buf[off + 4],
      data: buf.subarray(off + 8, off + 8 + len),
    });
    off += 8 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0); // control bit + version 3
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** A SPDY/3 name/value block (before compression). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const kb = Buffer.from(k.toLowerCase());
    const vb = Buffer.from(v);
    parts.push(u32(kb.length), kb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 4;
  const n = block.readUInt32BE(0);
  for (let i = 0; i < n; i++) {
    const kl = block.readUInt32BE(off);
    off += 4;
    const k = block.subarray(off, off + kl).toString();
    off += kl;
    const vl = block.readUInt32BE(off);
    off += 4;
    out[k.toLowerCase()] = block
      .subarray(off, off + vl)
      .toString()
      .split('\0')[0];
    off += vl;
  }
  return out;
}

/** Runs one chunk through a stateful zlib stream and returns what a sync flush yields (SPDY shares one context per direction). */
export function zlibPass(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (d: Buffer) => chunks.push(d);
    z.on('data', onData);
    z.once('error', reject);
    z.write(input);
    z.flush(zc.Z_SYNC_FLUSH, () => {
      z.off('data', onData);
      z.off('error', reject);
      resolve(Buffer.concat(chunks));
    });
  });
}

interface Wire {
  write(b: Buffer): void;
  close(): void;
  /** bytes written but not yet sent */
  buffered(): number;
}

interface SpdyStream {
  id: number;
  headers: Record<string, string>;
  /** peer sent FIN */
  remoteClosed: boolean;
  /** we sent FIN */
  localClosed: boolean;
  onData?: (d: Buffer) => void;
  onEnd?: () => void;
  onReset?: () => void;
}

/** The server side of a SPDY/3.1 session: accepts the peer's streams, replies, echoes pings, carries data. */
class SpdyServerSession {
  private rest = Buffer.alloc(0);
  private readonly inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  private readonly deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  readonly streams = new Map<number, SpdyStream>();
  closed = false;
  /** data bytes queued but not yet handed to the wire */
  private queued = 0;

  constructor(
    private readonly wire: Wire,
    private readonly onStream: (s: SpdyStream) => void,
    private readonly onClose: () => void,
  ) {}

  feed(chunk: Buffer): void {
    const { frames, rest } = splitFrames(this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk);
    this.rest = Buffer.from(rest);
    for (const f of frames)
      this.inbound = this.inbound
        .then(() => this.handle(f))
        .catch((e) => {
          log.warn('bad SPDY frame, closing the session', { error: String((e as Error)?.message ?? e) });
          this.close();
        });
  }

  private async handle(f: SpdyFrame): Promise<void> {
    if (this.closed) return;
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return;
      if (f.data.length) s.onData?.(f.data);
      if (f.flags & FLAG_FIN) this.remoteFin(s);
      return;
    }
    switch (f.type) {
      case FRAME.synStream: {
        const id = f.data.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await zlibPass(this.inflate, f.data.subarray(10)));
        const s: SpdyStream = { id, headers, remoteClosed: false, localClosed: false };
        this.streams.set(id, s);
        await this.send(async () => {
          const body = Buffer.alloc(4);
          body.writeUInt32BE(id);
          return controlFrame(FRAME.synReply, 0, Buffer.concat([body, await zlibPass(this.deflate, encodeHeaderBlock({}))]));
        });
        this.onStream(s);
        if (f.flags & FLAG_FIN) this.remoteFin(s);
        return;
      }
      case FRAME.headers:
        // keep the shared decompression context in step even though the headers are not needed
        await zlibPass(this.inflate, f.data.subarray(4));
        return;
      case FRAME.rstStream: {
        const s = this.streams.get(f.data.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          this.streams.delete(s.id);
          s.onReset?.();
        }
        return;
      }
      case FRAME.ping:
        await this.send(async () => controlFrame(FRAME.ping, 0, Buffer.from(f.data)));
        return;
      case FRAME.goaway:
        this.close();
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: kubectl's spdystream does no flow control, so neither do we
        return;
    }
  }

  private remoteFin(s: SpdyStream): void {
    if (s.remoteClosed) return;
    s.remoteClosed = true;
    s.onEnd?.();
    if (s.localClosed) this.streams.delete(s.id);
  }

  /** Queues a frame; frames leave in the order they were queued, whatever their compression takes. */
  private send(build: () => Promise<Buffer>): Promise<void> {
    const next = this.outbound.then(async () => {
      if (this.closed) return;
      this.wire.write(await build());
    });
    this.outbound = next.catch(() => {});
    return next;
  }

  write(s: SpdyStream, data: Buffer): void {
    if (s.localClosed) return;
    for (let off = 0; off < data.length; off += MAX_DATA) {
      const part = data.subarray(off, off + MAX_DATA);
      this.queued += part.length;
      void this.send(async () => {
        this.queued -= part.length;
        return dataFrame(s.id, 0, part);
      });
    }
  }

  /** True while more than HIGH_WATER bytes wait to reach the peer. */
  congested(): boolean {
    return !this.closed && this.queued + this.wire.buffered() > HIGH_WATER;
  }

  end(s: SpdyStream, data?: Buffer): void {
    if (s.localClosed) return;
    if (data?.length) this.write(s, data);
    s.localClosed = true;
    void this.send(async () => dataFrame(s.id, FLAG_FIN, Buffer.alloc(0)));
    if (s.remoteClosed) this.streams.delete(s.id);
  }

  reset(s: SpdyStream): void {
    s.localClosed = true;
    this.streams.delete(s.id);
    const body = Buffer.alloc(8);
    body.writeUInt32BE(s.id, 0);
    body.writeUInt32BE(RST_CANCEL, 4);
    void this.send(async () => controlFrame(FRAME.rstStream, 0, body));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onReset?.();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.wire.close();
    this.onClose();
  }
}

export interface PortForwardOptions {
  /** the lab's kubelets, where pods are found without a client */
  kubelets?: KubeletLookup;
  /** reads the pod; without it, pods are found in the kubelets' caches */
  client?: Client;
  /** how a pod's port is reached; default: through the kubelet of the pod's node (Kubelet.dialPod), else a TCP dial to the pod IP */
  dial?: (pod: Pod, port: number) => Promise<Duplex>;
}

async function findPod(req: ApiRequest, client: Client | undefined, kubelets?: KubeletLookup): Promise<Pod> {
  const namespace = req.namespace ?? 'default';
  const name = req.name ?? '';
  if (client) {
    try {
      return await client.get<Pod & KubeObject>(R.pods, name, namespace);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) throw errors.notFound({ kind: 'pods', name });
      throw e;
    }
  }
  const p = findPodInKubelets(kubelets, namespace, name);
  if (p) return p;
  throw errors.notFound({ kind: 'pods', name });
}

// ws reads Sec-WebSocket-Protocol as RFC 6455 tokens, which exclude '/': kubectl's SPDY/3.1+portforward.k8s.io
// would get a 400 (and kubectl would quietly fall back to plain SPDY). ws is shown a token in its place; the
// reply names the real subprotocol, which is what kubectl checks.
const TUNNEL_TOKEN = 'SPDY-3.1-portforward.k8s.io';
const tunnelServer = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(TUNNEL_TOKEN) ? TUNNEL_PROTOCOL : false),
});

/** Serves one pods/portforward upgrade: WebSocket tunnel or plain SPDY, then one TCP connection per stream pair. */
export function servePortForward(req: ApiRequest, httpReq: IncomingMessage, socket: Duplex, head: Buffer, opts: PortForwardOptions = {}): void {
  const fail = (e: unknown) => {
    const err = e instanceof StatusError ? e : errors.internal(String((e as Error)?.message ?? e));
    const data = JSON.stringify(err.toStatus());
    socket.end(
      `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\nConnection: close\r\n\r\n${data}`,
    );
  };
  const upgrade = String(httpReq.headers.upgrade ?? '').toLowerCase();
  const offered = String(httpReq.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const tunneled = upgrade === 'websocket';
  if (tunneled && !offered.includes(TUNNEL_PROTOCOL)) return fail(errors.badRequest(`port-forward needs the WebSocket subprotocol ${TUNNEL_PROTOCOL}`));
  if (!tunneled && upgrade !== 'spdy/3.1') return fail(errors.badRequest(`unsupported upgrade "${upgrade}" for port-forward: want websocket or SPDY/3.1`));

  void findPod(req, opts.client, opts.kubelets)
    .then((pod) => {
      const podName = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      if (pod.status?.phase !== 'Running' || !pod.status.podIP) {
        throw errors.badRequest(`unable to upgrade connection: pod ${podName} is not running (phase ${pod.status?.phase ?? 'Pending'})`);
      }
      const started = () => log.info('port-forward session', { pod: podName, transport: tunneled ? 'websocket' : 'spdy', user: req.user.username });
      const dial =
        opts.dial ??
        ((p: Pod, port: number) => {
          const kubelet = p.spec?.nodeName ? opts.kubelets?.kubelet(p.spec.nodeName) : undefined;
          return kubelet ? kubelet.dialPod({ uid: p.metadata?.uid, ip: p.status?.podIP }, port) : directDial(p.status!.podIP!, port, 10_000);
        });
      const start = (wire: Wire): SpdyServerSession => {
        const conns = new Set<Duplex>();
        const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
        const session = new SpdyServerSession(
          wire,
          (s) => {
            const rid = s.headers.requestid ?? '';
            const pair = pairs.get(rid) ?? {};
            pairs.set(rid, pair);
            if (s.headers.streamtype === 'error') pair.error = s;
            else if (s.headers.streamtype === 'data') pair.data = s;
            else return session.reset(s);
            if (pair.data && pair.error) {
              pairs.delete(rid);
              forward(pair.data, pair.error);
            }
          },
          () => {
            for (const c of conns) c.destroy();
          },
        );

        const forward = (data: SpdyStream, error: SpdyStream) => {
          const port = Number(data.headers.port);
          if (!Number.isInteger(port) || port < 1 || port > 65535) {
            session.end(error, Buffer.from(`invalid port "${data.headers.port}"`));
            return session.end(data);
          }
          // bytes the client sends while the connection is being made wait here
          const early: Buffer[] = [];
          let clientEnded = false;
          let reset = false;
          let conn: Duplex | undefined;
          data.onData = (d) => (conn ? conn.write(d) : early.push(d));
          data.onEnd = () => (conn ? conn.end() : (clientEnded = true));
          data.onReset = () => {
            reset = true;
            conn?.destroy();
          };
          error.onReset = data.onReset;
          const failed = (e: Error) =>
            session.end(error, Buffer.from(`error forwarding port ${port} to pod ${podName}, uid ${pod.metadata?.uid}: ${e.message}`));
          dial(pod, port).then(
            (c) => {
              if (reset) return void c.destroy();
              conn = c;
              conns.add(c);
              for (const d of early.splice(0)) c.write(d);
              if (clientEnded) c.end();
              let errored = false;
              let wait: NodeJS.Timeout | undefined;
              c.on('data', (d: Buffer) => {
                session.write(data, d);
                if (wait || !session.congested()) return;
                c.pause();
                wait = setInterval(() => {
                  if (session.congested()) return;
                  clearInterval(wait);
                  wait = undefined;
                  c.resume();
                }, 10);
              });
              c.on('error', (e) => {
                errored = true;
                failed(e);
              });
              c.on('close', () => {
                clearInterval(wait);
                conns.delete(c);
                session.end(data);
                if (!errored) session.end(error);
              });
            },
            (e: Error) => {
              failed(e);
              session.end(data);
            },
          );
        };
        return session;
      };

      if (tunneled) {
        httpReq.headers['sec-websocket-protocol'] = TUNNEL_TOKEN;
        tunnelServer.handleUpgrade(httpReq, socket, head, (ws) => {
          started();
          const session = start({
            write: (b) => ws.readyState === ws.OPEN && ws.send(b, { binary: true }),
            close: () => ws.close(1000),
            buffered: () => ws.bufferedAmount,
          });
          ws.on('message', (raw: Buffer) => session.feed(raw));
          ws.on('close', () => session.close());
          // a broken WebSocket frame ends this session only
          ws.on('error', (e) => {
            log.debug('port-forward websocket error', { error: e.message });
            ws.terminate();
          });
        });
        return;
      }
      started();
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
      );
      const session = start({
        write: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        close: () => socket.end(),
        buffered: () => socket.writableLength,
      });
      if (head.length) session.feed(head);
      socket.on('data', (b: Buffer) => session.feed(b));
      socket.on('close', () => session.close());
      socket.on('error', () => session.close());
    })
    .catch(fail);
}
