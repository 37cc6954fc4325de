// The client side of pods/portforward, as kubectl speaks it: one SPDY/3.1 session after an `Upgrade: SPDY/3.1`
// of an HTTPS request (kubectl's classic transport, which every API server serves; its WebSocket tunnel names a
// subprotocol, `SPDY/3.1+portforward.k8s.io`, that Node's ws refuses to send), and per forwarded connection an error
// stream and a data stream (headers streamtype, port, requestid). It goes through the API server's authentication,
// authorization and stream handler, so whatever path that handler takes to the pod (its dial) the UI takes too.
import { request } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PORT_FORWARD_PROTOCOL } from '../apiserver/streams/port-forward';
import { SpdySession } from '../apiserver/streams/spdy';
import { endpointOptions, statusError, type ApiEndpoint } from './streams-client';

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
  private readonly spdy: SpdySession;
  private requestId = 0;
  private closeCbs: ((reason: string) => void)[] = [];

  constructor(socket: Duplex) {
    this.spdy = new SpdySession(
      {
        write: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        close: () => socket.destroy(),
        buffered: () => socket.writableLength,
      },
      {
        firstStreamId: 1,
        goawayReason: 'the API server ended the session',
        onClose: (reason) => this.closeCbs.splice(0).forEach((cb) => cb(reason)),
      },
    );
    socket.on('data', (b: Buffer) => this.feed(b));
    socket.on('close', () => this.spdy.close('the API server closed the session'));
    socket.on('error', (e) => this.spdy.close(e.message));
  }

  get closed(): boolean {
    return this.spdy.closed;
  }

  onClose(cb: (reason: string) => void): void {
    this.closeCbs.push(cb);
  }

  feed(chunk: Buffer): void {
    this.spdy.feed(chunk);
  }

  forward(port: number, local: Socket, count?: { in(n: number): void; out(n: number): void }): ForwardedConnection {
    const requestid = String(this.requestId++);
    // as kubectl: the error stream first, its write side closed at once; then the data stream
    const error = this.spdy.open({ streamtype: 'error', port: String(port), requestid }, true);
    const data = this.spdy.open({ streamtype: 'data', port: String(port), requestid }, false);
    let errorText = '';
    let settle!: (r: { error?: string }) => void;
    const done = new Promise<{ error?: string }>((r) => (settle = r));
    let remoteEnded = false;
    let errorEnded = false;
    const finishIfDone = () => {
      if (!remoteEnded || !errorEnded) return;
      this.spdy.streams.delete(data.id);
      this.spdy.streams.delete(error.id);
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
      this.spdy.write(data, d);
    });
    local.on('end', () => this.spdy.end(data));
    local.on('close', () => this.spdy.end(data));
    local.on('error', () => this.spdy.end(data));
    return { done };
  }

  close(): void {
    this.spdy.close('stopped');
  }
}
