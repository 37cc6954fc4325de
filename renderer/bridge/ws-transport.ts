// Browser mode: the bridge contract over the WebSocket that `kubelab serve` offers at /bridge.
import { EVENT_CHANNELS, type BridgeEvents, type BridgeTransport, type Envelope, type EventChannel, type InvokeChannel } from '../../main/bridge/contract';

export interface WsTransportOptions {
  /** an invocation sent first on every (re)connect, before anything queued: the window's choice of cluster */
  preamble?: () => { channel: InvokeChannel; args: unknown } | undefined;
  onPreamble?: (result: Envelope<unknown>) => void;
}

/** The part of the WebSocket API used here (the browser's, or `ws` in Node tests). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'error', cb: () => void): void;
  addEventListener(type: 'close', cb: (ev: { code?: number }) => void): void;
  addEventListener(type: 'message', cb: (ev: { data: unknown }) => void): void;
}

export interface WsTransport extends BridgeTransport {
  /** 'open' | 'closed' changes, to show a disconnected banner. */
  onConnection(cb: (connected: boolean) => void): () => void;
  close(): void;
}

/** The server's close code for a first frame that was no valid `auth` (main/bridge/ws.ts). */
const CLOSE_UNAUTHORIZED = 4401;

/**
 * Connects to `url` (ws://host/bridge) and sends `{t:'auth', token}` as its first frame, on every (re)connect;
 * invocations made before that wait for it.
 */
export function createWsTransport(
  url: string,
  makeSocket: (url: string) => SocketLike,
  token: () => string | Promise<string>,
  opts: WsTransportOptions = {},
): WsTransport {
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  const pending = new Map<number, { resolve: (e: Envelope<unknown>) => void }>();
  const connCbs = new Set<(c: boolean) => void>();
  let n = 0;
  let closedByUs = false;
  const queue: string[] = [];
  let socket: SocketLike;
  let open = false;
  let retry = 0;

  const connect = async () => {
    let auth: string;
    try {
      auth = JSON.stringify({ t: 'auth', token: await token() });
    } catch {
      auth = JSON.stringify({ t: 'auth', token: '' });
    }
    if (closedByUs) return;
    socket = makeSocket(url);
    socket.addEventListener('open', () => {
      socket.send(auth);
      open = true;
      retry = 0;
      const pre = opts.preamble?.();
      if (pre) {
        const id = ++n;
        pending.set(id, { resolve: (e) => opts.onPreamble?.(e) });
        socket.send(JSON.stringify({ t: 'invoke', n: id, c: pre.channel, a: pre.args }));
      }
      queue.splice(0).forEach((f) => socket.send(f));
      connCbs.forEach((cb) => cb(true));
    });
    socket.addEventListener('message', (ev) => {
      let f: { t: string; n?: number; env?: Envelope<unknown>; c?: string; p?: unknown };
      try {
        f = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (f.t === 'result' && typeof f.n === 'number') {
        pending.get(f.n)?.resolve(f.env as Envelope<unknown>);
        pending.delete(f.n);
      } else if (f.t === 'event' && f.c) {
        listeners.get(f.c as EventChannel)?.forEach((cb) => cb(f.p));
      }
    });
    socket.addEventListener('close', (ev) => {
      const was = open;
      open = false;
      const refused = ev?.code === CLOSE_UNAUTHORIZED;
      // sessions died with the socket: answer what is waiting so callers don't hang
      const error = refused
        ? { name: 'Error', message: 'the lab refused this page: open the URL that kubelab serve printed', status: 401 }
        : { name: 'Error', message: 'connection to the lab was lost', status: 503 };
      pending.forEach((p) => p.resolve({ error }));
      pending.clear();
      if (was) connCbs.forEach((cb) => cb(false));
      if (!closedByUs) setTimeout(() => void connect(), Math.min(5000, 250 * 2 ** retry++));
    });
    socket.addEventListener('error', () => {});
  };
  void connect();

  return {
    invoke(channel, args) {
      const id = ++n;
      const frame = JSON.stringify({ t: 'invoke', n: id, c: channel, a: args });
      return new Promise((resolve) => {
        pending.set(id, { resolve: resolve as (e: Envelope<unknown>) => void });
        if (open) socket.send(frame);
        else queue.push(frame);
      });
    },
    on<E extends EventChannel>(channel: E, cb: (p: BridgeEvents[E]) => void) {
      if (!EVENT_CHANNELS.includes(channel)) throw new Error(`unknown event channel ${channel}`);
      const set = listeners.get(channel) ?? new Set();
      set.add(cb as (p: unknown) => void);
      listeners.set(channel, set);
      return () => set.delete(cb as (p: unknown) => void);
    },
    onConnection(cb) {
      connCbs.add(cb);
      return () => connCbs.delete(cb);
    },
    close() {
      closedByUs = true;
      socket.close();
    },
  };
}
