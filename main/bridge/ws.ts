// Browser mode: the bridge contract over a WebSocket at /bridge, authenticated by the UI token.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { logger } from '../log';
import type { BridgeServer } from './server';

const log = logger('bridge');

/** Frames on the socket: the UI invokes with a sequence number; main answers it or pushes an event. */
export type WsClientFrame = { t: 'invoke'; n: number; c: string; a: unknown };
export type WsServerFrame = { t: 'result'; n: number; env: unknown } | { t: 'event'; c: string; p: unknown };

export const BRIDGE_PATH = '/bridge';

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Only pages served by the UI server itself may connect (blocks cross-site WebSocket hijacking). */
function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // non-browser clients (tests, tools) send none; the token still gates them
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
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
    const conn = server.connect((c, p) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'event', c, p } satisfies WsServerFrame));
    });
    ws.on('message', async (data) => {
      let frame: WsClientFrame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      if (frame?.t !== 'invoke' || typeof frame.n !== 'number') return;
      const env = await conn.invoke(frame.c, frame.a);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', n: frame.n, env } satisfies WsServerFrame));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      conn.close();
    });
    ws.on('error', () => ws.terminate());
  });

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== BRIDGE_PATH) return false;
      if (!tokenMatches(url.searchParams.get('token'), opts.token) || !originAllowed(req)) {
        log.warn('refused a bridge connection', { reason: originAllowed(req) ? 'bad token' : 'foreign origin' });
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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
