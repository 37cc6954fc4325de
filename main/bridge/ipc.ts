// The two IPC channel names the Electron transport uses; the contract's `domain:verb` travels inside them.
export const IPC_INVOKE = 'kubelab:invoke';
export const IPC_EVENT = 'kubelab:event';
