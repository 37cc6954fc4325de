// The two ways a renderer reaches the bridge, for tests: straight to a connection (as Electron's IPC does, JSON
// copies both ways) or over the WebSocket with its token (browser mode). Each returns the api and a close.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createKubelabApi, type BridgeEvents, type BridgeTransport, type EventChannel, type KubelabApi } from '../../../main/bridge/contract';
import type { BridgeServer } from '../../../main/bridge/server';
import { createBridgeWsHandler } from '../../../main/bridge/ws';
import { createWsTransport, type SocketLike } from '../../../renderer/bridge/ws-transport';

export type TransportMode = 'direct' | 'websocket';

export function directTransport(server: BridgeServer): { t: BridgeTransport; close(): void } {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const conn = server.connect((c, p) => listeners.get(c)?.forEach((cb) => cb(JSON.parse(JSON.stringify(p)))));
  return {
    t: {
      invoke: async (c, a) => JSON.parse(JSON.stringify(await conn.invoke(c, a))),
      on<E extends EventChannel>(c: E, cb: (p: BridgeEvents[E]) => void) {
        const s = listeners.get(c) ?? new Set();
        s.add(cb as (p: unknown) => void);
        listeners.set(c, s);
        return () => s.delete(cb as (p: unknown) => void);
      },
    },
    close: () => conn.close(),
  };
}

export async function connectApi(server: BridgeServer, mode: TransportMode, token = 'secret-token'): Promise<{ api: KubelabApi; close(): Promise<void> }> {
  if (mode === 'direct') {
    const d = directTransport(server);
    return { api: createKubelabApi(d.t), close: async () => d.close() };
  }
  const handler = createBridgeWsHandler(server, { token });
  const http: Server = createServer();
  http.on('upgrade', (req, sock, head) => handler.handleUpgrade(req, sock, head) || sock.destroy());
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const t = createWsTransport(
    `ws://127.0.0.1:${port}/bridge`,
    (u) => new WebSocket(u, { origin: `http://127.0.0.1:${port}` }) as unknown as SocketLike,
    () => token,
  );
  const close = () =>
    new Promise<void>((r) => {
      t.close();
      handler.close();
      http.close(() => r());
      http.closeAllConnections();
    });
  return { api: createKubelabApi(t), close };
}
