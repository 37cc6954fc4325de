// The renderer's one way to the lab: window.kubelab (Electron preload's IPC transport) if present, else the WebSocket
// of `kubelab serve`. Either transport is wrapped here, so errors are this world's BridgeError with their causes.
import { createKubelabApi, type BridgeTransport, type KubelabApi } from '../../main/bridge/contract';
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

/** The UI token comes in the page URL (`?token=`); kept in sessionStorage so reloads and route changes keep it. */
function uiToken(): string {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem('kubelab.token', fromUrl);
  return fromUrl ?? sessionStorage.getItem('kubelab.token') ?? '';
}

export function bridge(): KubelabApi {
  if (api) return api;
  if (window.kubelab) {
    api = createKubelabApi(ipcTransport(window.kubelab));
    return api;
  }
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${location.host}/bridge?token=${encodeURIComponent(uiToken())}`;
  const t = createWsTransport(url, (u) => new WebSocket(u));
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
