// The client side of pods/portforward, as kubectl speaks it: one SPDY/3.1 session after an `Upgrade: SPDY/3.1`
// of an HTTPS request (kubectl's classic transport, which every API server serves; its WebSocket tunnel names a
// subprotocol, `SPDY/3.1+portforward.k8s.io`, that Node's ws refuses to send), and per forwarded connection an error
// stream and a data stream (headers streamtype, port, requestid). It goes through the API server's authentication,
// authorization and stream handler, so whatever path that handler takes to the pod (its dial) the UI takes too.
import { request } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createDeflate, createInflate } from 'node:zlib';
import {
  controlFrame,
  dataFrame,
  encodeHeaderBlock,
  FLAG_FIN,
  FRAME,
  PORT_FORWARD_PROTOCOL,
  SPDY_DICTIONARY,
  splitFrames,
  zlibPass,
  type SpdyFrame,
} from '../apiserver/streams/port-forward';
import { endpointOptions, statusError, type ApiEndpoint } from './streams-client';

interface ClientStream {
  id: number;
  onData?: (d: Buffer) => void;
  onEnd?: () => void;
  onReset?: () => void;
  localClosed: boolean;
}

/** What one forwarded connection reports back: how it ended. */
export interface ForwardedConnection {
  /** resolves when both sides are done; `error` is what the error stream said, if anything */
  done: Promise<{ error?: string }>;
}

export interface PortForwardSession {
  /** Carries one local connection to `port` of the pod; counts bytes through the callbacks. */
  forward(port: number, local: Socket, count?: { in(n: number): void; out(n: number): void }): ForwardedConnection;
  close(): void;
  readonly closed: boolean;
  /** called once when the session ends (the pod went, the API server closed it, or close()) */
  onClose(cb: (reason: string) => void): void;
}

const podPath = (ns: string, pod: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/portforward`;

/** Opens a port-forward session to a pod; rejects with the API server's Status (404, 400 not running, 403). */
export function openPortForward(api: ApiEndpoint, namespace: string, pod: string): Promise<PortForwardSession> {
  const url = new URL(podPath(namespace, pod), api.url);
  const o = endpointOptions(api);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ...o,
      method: 'POST',
      headers: { ...o.headers, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': PORT_FORWARD_PROTOCOL },
    });
    req.on('upgrade', (_res, socket, head) => {
      const session = new SpdyClientSession(socket);
      if (head.length) session.feed(head);
      resolve(session);
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => reject(statusError(res.statusCode ?? 500, body)));
    });
    req.on('error', reject);
    req.end();
  });
}

class SpdyClientSession implements PortForwardSession {
  private rest = Buffer.alloc(0);
  private readonly inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  private readonly deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private readonly streams = new Map<number, ClientStream>();
  private nextId = 1;
  private requestId = 0;
  private closeCbs: ((reason: string) => void)[] = [];
  closed = false;

  constructor(private readonly socket: Duplex) {
    socket.on('data', (b: Buffer) => this.feed(b));
    socket.on('close', () => this.end('the API server closed the session'));
    socket.on('error', (e) => this.end(e.message));
  }

  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }

  feed(chunk: Buffer): void {
    const { frames, rest } = splitFrames(this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk);
    this.rest = Buffer.from(rest);
    for (const f of frames) this.inbound = this.inbound.then(() => this.handle(f)).catch((e) => this.end(`bad SPDY frame: ${(e as Error).message}`));
  }

  private async handle(f: SpdyFrame): Promise<void> {
    if (this.closed) return;
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return;
      if (f.data.length) s.onData?.(f.data);
      if (f.flags & FLAG_FIN) s.onEnd?.();
      return;
    }
    switch (f.type) {
      case FRAME.synReply:
        // keep the shared decompression context in step (the reply's headers are empty)
        await zlibPass(this.inflate, f.data.subarray(4));
        return;
      case FRAME.headers:
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
        this.end('the API server ended the session');
        return;
      default:
        return;
    }
  }

  private send(build: () => Promise<Buffer>): Promise<void> {
    const next = this.outbound.then(async () => {
      if (this.closed) return;
      const b = await build();
      if (!this.socket.destroyed) this.socket.write(b);
    });
    this.outbound = next.catch(() => {});
    return next;
  }

  private open(headers: Record<string, string>, fin: boolean): ClientStream {
    const id = this.nextId;
    this.nextId += 2;
    const s: ClientStream = { id, localClosed: fin };
    this.streams.set(id, s);
    void this.send(async () => {
      const head = Buffer.alloc(10);
      head.writeUInt32BE(id, 0);
      head.writeUInt32BE(0, 4); // associated stream
      return controlFrame(FRAME.synStream, fin ? FLAG_FIN : 0, Buffer.concat([head, await zlibPass(this.deflate, encodeHeaderBlock(headers))]));
    });
    return s;
  }

  private write(s: ClientStream, data: Buffer): void {
    if (s.localClosed || this.closed) return;
    for (let off = 0; off < data.length; off += 16 * 1024) {
      const part = data.subarray(off, off + 16 * 1024);
      void this.send(async () => dataFrame(s.id, 0, part));
    }
  }

  private finish(s: ClientStream): void {
    if (s.localClosed) return;
    s.localClosed = true;
    void this.send(async () => dataFrame(s.id, FLAG_FIN, Buffer.alloc(0)));
  }

  forward(port: number, local: Socket, count?: { in(n: number): void; out(n: number): void }): ForwardedConnection {
    const requestid = String(this.requestId++);
    // as kubectl: the error stream first, its write side closed at once; then the data stream
    const error = this.open({ streamtype: 'error', port: String(port), requestid }, true);
    const data = this.open({ streamtype: 'data', port: String(port), requestid }, false);
    let errorText = '';
    let settle!: (r: { error?: string }) => void;
    const done = new Promise<{ error?: string }>((r) => (settle = r));
    let remoteEnded = false;
    let errorEnded = false;
    const finishIfDone = () => {
      if (!remoteEnded || !errorEnded) return;
      this.streams.delete(data.id);
      this.streams.delete(error.id);
      settle(errorText ? { error: errorText } : {});
    };
    error.onData = (d) => (errorText += d.toString('utf8'));
    error.onEnd = () => {
      errorEnded = true;
      if (errorText) local.destroy();
      finishIfDone();
    };
    const reset = () => {
      remoteEnded = errorEnded = true;
      local.destroy();
      finishIfDone();
    };
    error.onReset = reset;
    data.onReset = reset;
    data.onData = (d) => {
      count?.in(d.length);
      if (!local.destroyed) local.write(d);
    };
    data.onEnd = () => {
      remoteEnded = true;
      local.end();
      finishIfDone();
    };
    local.on('data', (d: Buffer) => {
      count?.out(d.length);
      this.write(data, d);
    });
    local.on('end', () => this.finish(data));
    local.on('close', () => this.finish(data));
    local.on('error', () => this.finish(data));
    return { done };
  }

  private end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onReset?.();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.socket.destroy();
    const cbs = this.closeCbs.splice(0);
    cbs.forEach((cb) => cb(reason));
  }

  close(): void {
    this.end('stopped');
  }
}
