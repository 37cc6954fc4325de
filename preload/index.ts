// Electron preload: exposes the bridge transport as window.kubelab; ipcRenderer itself never leaves this file.
// The renderer builds the typed API on it (createKubelabApi), as it does over the WebSocket in browser mode:
// contextBridge copies errors without their own fields, so envelopes cross and the renderer throws BridgeError.
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNELS, isInvokeChannel, type BridgeTransport } from '../main/bridge/contract';
import { IPC_INVOKE, IPC_EVENT } from '../main/bridge/ipc';

// every push arrives on one IPC channel and is fanned out here by contract channel
const listeners = new Map<string, Set<(p: unknown) => void>>();
ipcRenderer.on(IPC_EVENT, (_e, channel: string, payload: unknown) => listeners.get(channel)?.forEach((cb) => cb(payload)));

const transport: BridgeTransport = {
  invoke(channel, args) {
    if (!isInvokeChannel(channel))
      return Promise.resolve({ error: { name: 'Error', message: `unknown channel ${String(channel)}`, status: 400, reason: 'BadRequest' } });
    return ipcRenderer.invoke(IPC_INVOKE, channel, args);
  },
  on(channel, cb) {
    if (!EVENT_CHANNELS.includes(channel)) throw new Error(`unknown event channel ${channel}`);
    const set = listeners.get(channel) ?? new Set();
    set.add(cb as (p: unknown) => void);
    listeners.set(channel, set);
    return () => {
      set.delete(cb as (p: unknown) => void);
    };
  },
};

contextBridge.exposeInMainWorld('kubelab', transport);
