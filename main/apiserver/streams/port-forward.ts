// pods/portforward as kubectl v1.32 speaks it: SPDY/3.1 sessions, either tunneled in WebSocket binary messages
// (subprotocol `SPDY/3.1+portforward.k8s.io`) or after a plain `Upgrade: SPDY/3.1`. Per forwarded connection
// kubectl opens an error stream and a data stream (headers streamtype, port, requestid); the data stream is
// piped to a TCP connection to the pod's IP, which the host reaches directly over the engine's Linux bridge.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import { WebSocketServer } from 'ws';
import { errors, isStatusError, StatusError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { R, type Client } from '../../client/types';
import { findPodInKubelets, type KubeletLookup } from '../../kubelet/node-set';
import { directDial } from '../../runtime/docker/net-probes';
import { logger } from '../../log';
import type { ApiRequest } from '../types';
import { SpdySession, type SpdyStream, type Wire } from './spdy';

const log = logger('port-forward');

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

// the frame codec is re-exported for the framing tests and older importers
export { controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, FLAG_FIN, FRAME, SPDY_DICTIONARY, splitFrames, zlibPass, type SpdyFrame } from './spdy';

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
      const start = (wire: Wire): SpdySession => {
        const conns = new Set<Duplex>();
        const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
        const session = new SpdySession(wire, {
          firstStreamId: 2,
          onStream: (s) => {
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
          onClose: () => {
            for (const c of conns) c.destroy();
          },
          onBadFrame: (e) => log.warn('bad SPDY frame, closing the session', { error: e.message }),
        });

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
