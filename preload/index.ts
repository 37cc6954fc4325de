// Electron preload: exposes the one bridge contract as window.kubelab; ipcRenderer itself never leaves this file.
import { contextBridge, ipcRenderer } from 'electron';
import { createKubelabApi, EVENT_CHANNELS, type BridgeTransport } from '../main/bridge/contract';
import { IPC_INVOKE, IPC_EVENT } from '../main/bridge/ipc';

// every push arrives on one IPC channel and is fanned out here by contract channel
const listeners = new Map<string, Set<(p: unknown) => void>>();
ipcRenderer.on(IPC_EVENT, (_e, channel: string, payload: unknown) => listeners.get(channel)?.forEach((cb) => cb(payload)));

const transport: BridgeTransport = {
  invoke: (channel, args) => ipcRenderer.invoke(IPC_INVOKE, channel, args),
  on(channel, cb) {
    if (!EVENT_CHANNELS.includes(channel)) throw new Error(`unknown event channel ${channel}`);
    const set = listeners.get(channel) ?? new Set();
    set.add(cb as (p: unknown) => void);
    listeners.set(channel, set);
    return () => set.delete(cb as (p: unknown) => void);
  },
};

contextBridge.exposeInMainWorld('kubelab', createKubelabApi(transport));
