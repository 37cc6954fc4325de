// The renderer's one way to the lab: window.kubelab (Electron preload's IPC transport) if present, else the WebSocket
// of `kubelab serve`. Either transport is wrapped here, so errors are this world's BridgeError with their causes.
import { createKubelabApi, type BridgeTransport, type Envelope, type KubelabApi } from '../../main/bridge/contract';
import { createWsTransport } from './ws-transport';
import { ipcTransport } from './ipc-transport';

declare global {
  interface Window {
    kubelab?: BridgeTransport;
  }
}

let api: KubelabApi | undefined;
let connectionCb: ((c: boolean) => void) | undefined;
let connectionState = true;
let contextFailed: ((message: string) => void) | undefined;
let contextFailure: string | undefined;

/** The cluster this window shows (a context id; absent: the lab), kept per window across reloads. */
export const chosenContext = (): string | undefined => sessionStorage.getItem('kubelab.context') ?? undefined;

/** Shows another cluster (or the lab, `lab`): the page reloads into it, so every view starts from that cluster. */
export function chooseContext(id: string): void {
  if (id === 'lab') sessionStorage.removeItem('kubelab.context');
  else sessionStorage.setItem('kubelab.context', id);
  location.reload();
}

/** Called if the chosen cluster could not be reached on load: the window shows the lab instead. */
export function onContextFailure(cb: (message: string) => void): void {
  contextFailed = cb;
  if (contextFailure) cb(contextFailure);
}

function preambleResult(env: Envelope<unknown>): void {
  if (!('error' in env)) return;
  sessionStorage.removeItem('kubelab.context');
  contextFailure = env.error.message;
  contextFailed?.(env.error.message);
}

const TOKEN_KEY = 'kubelab.token';

/**
 * The UI token comes in the first page URL (`?token=`): it is kept in this tab's sessionStorage and taken out
 * of the address bar at once (history, bookmarks, screen shares). A tab without it (opened by hand) asks the UI
 * server for it, which answers pages of its own origin only.
 */
export function takeTokenFromUrl(): void {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (!fromUrl) return;
  sessionStorage.setItem(TOKEN_KEY, fromUrl);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

async function uiToken(): Promise<string> {
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) return kept;
  const r = await fetch('/ui-token', { credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok) return '';
  const { token } = (await r.json()) as { token: string };
  sessionStorage.setItem(TOKEN_KEY, token);
  return token;
}

export function bridge(): KubelabApi {
  if (api) return api;
  const ctx = chosenContext();
  if (window.kubelab) {
    const t = ipcTransport(window.kubelab);
    // the first call of this page's connection: the server runs everything after it on that cluster
    if (ctx) void t.invoke('contexts:use', { id: ctx }).then(preambleResult);
    api = createKubelabApi(t);
    return api;
  }
  takeTokenFromUrl();
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const t = createWsTransport(`${proto}//${location.host}/bridge`, (u) => new WebSocket(u), uiToken, {
    preamble: () => (chosenContext() ? { channel: 'contexts:use', args: { id: chosenContext() } } : undefined),
    onPreamble: preambleResult,
  });
  t.onConnection((c) => {
    connectionState = c;
    connectionCb?.(c);
  });
  api = createKubelabApi(t);
  return api;
}

/** Browser mode only: tells the UI when the socket to the lab drops and comes back. */
export function onBridgeConnection(cb: (connected: boolean) => void): void {
  connectionCb = cb;
  cb(connectionState);
}

/** Tests and the fake backend install their own API. */
export function setBridge(a: KubelabApi): void {
  api = a;
}

export { BridgeError } from '../../main/bridge/contract';
export type { KubelabApi } from '../../main/bridge/contract';
