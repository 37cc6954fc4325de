// The Electron preload's transport (window.kubelab) as the renderer uses it: arguments cross as plain JSON, as they
// do over the WebSocket, because contextBridge cannot clone Vue's reactive proxies ("An object could not be cloned").
import type { BridgeTransport } from '../../main/bridge/contract';

const plain = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export function ipcTransport(exposed: BridgeTransport): BridgeTransport {
  return {
    invoke: (channel, args) => exposed.invoke(channel, plain(args)),
    on: (channel, cb) => exposed.on(channel, cb),
  };
}
