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

/** The UI token comes in the page URL (`?token=`); kept in sessionStorage so reloads and route changes keep it. */
function uiToken(): string {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem('kubelab.token', fromUrl);
  return fromUrl ?? sessionStorage.getItem('kubelab.token') ?? '';
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
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${location.host}/bridge?token=${encodeURIComponent(uiToken())}`;
  const t = createWsTransport(url, (u) => new WebSocket(u), {
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
