// Browser mode: the bridge contract over a WebSocket at /bridge, for pages of the UI's own origin that send the UI token first.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { logger } from '../log';
import type { BridgeServer } from './server';

const log = logger('bridge');

/**
 * Frames on the socket. The first frame from the UI must be `auth` with the UI token (the page got it from
 * the UI server: its first URL, or GET /ui-token, which only a page of the UI's own origin can read); then
 * the UI invokes with a sequence number, and main answers it or pushes an event.
 */
export type WsClientFrame = { t: 'auth'; token: string } | { t: 'invoke'; n: number; c: string; a: unknown };
export type WsServerFrame = { t: 'result'; n: number; env: unknown } | { t: 'event'; c: string; p: unknown };

export const BRIDGE_PATH = '/bridge';
/** Close codes: the first frame was no valid `auth`; none came in time. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_AUTH_TIMEOUT = 4408;
const AUTH_TIMEOUT_MS = 10_000;

function tokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Only pages of the UI's own origin may connect. Pages of pods (NodePort, hostPort) are on 127.0.0.1 too, on
 * other ports: same site, so the UI's SameSite cookie goes with their requests, but not the same origin. A
 * request without Origin is refused as well: every browser sends one on a WebSocket handshake.
 */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  return !!origin && !!host && origin === `http://${host}`;
}

export interface BridgeWsHandler {
  /** Hand an HTTP upgrade for BRIDGE_PATH here; other paths are not touched (returns false). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export function createBridgeWsHandler(server: BridgeServer, opts: { token: string }): BridgeWsHandler {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const sockets = new Set<WebSocket>();

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    let conn: ReturnType<BridgeServer['connect']> | undefined;
    const timer = setTimeout(() => ws.close(CLOSE_AUTH_TIMEOUT, 'no auth frame'), AUTH_TIMEOUT_MS);
    ws.on('message', async (data) => {
      let frame: WsClientFrame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        frame = undefined as unknown as WsClientFrame;
      }
      if (!conn) {
        clearTimeout(timer);
        if (frame?.t !== 'auth' || !tokenMatches(frame.token, opts.token)) {
          log.warn('refused a bridge connection', { reason: frame?.t === 'auth' ? 'bad token' : 'no auth frame first' });
          return ws.close(CLOSE_UNAUTHORIZED, 'Unauthorized');
        }
        conn = server.connect((c, p) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'event', c, p } satisfies WsServerFrame));
        });
        return;
      }
      if (frame?.t !== 'invoke' || typeof frame.n !== 'number') return;
      const env = await conn.invoke(frame.c, frame.a);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', n: frame.n, env } satisfies WsServerFrame));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      sockets.delete(ws);
      conn?.close();
    });
    ws.on('error', () => ws.terminate());
  });

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== BRIDGE_PATH) return false;
      if (!originAllowed(req)) {
        log.warn('refused a bridge connection', { reason: req.headers.origin ? 'foreign origin' : 'no Origin', origin: req.headers.origin });
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return true;
    },
    close() {
      sockets.forEach((s) => s.close(1001));
      wss.close();
    },
  };
}
