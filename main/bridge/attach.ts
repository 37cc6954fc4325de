// One call for a composition root: the bridge over WebSocket for a running lab, gated by the UI token; a window may
// switch to any context of the user's kubeconfig.
import { BridgeServer } from './server';
import { clusterBackend, type LabLike } from './cluster-backend';
import { ClusterContexts } from './contexts';
import { createBridgeWsHandler, type BridgeWsHandler } from './ws';

export function bridgeForLab(lab: LabLike, token: string): BridgeWsHandler {
  const backend = clusterBackend(lab);
  return createBridgeWsHandler(new BridgeServer(backend, { contexts: new ClusterContexts(backend) }), { token });
}
