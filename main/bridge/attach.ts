// One call for a composition root: the bridge over WebSocket for a running lab, gated by the UI token.
import { BridgeServer } from './server';
import { clusterBackend, type LabLike } from './cluster-backend';
import { createBridgeWsHandler, type BridgeWsHandler } from './ws';

export function bridgeForLab(lab: LabLike, token: string): BridgeWsHandler {
  return createBridgeWsHandler(new BridgeServer(clusterBackend(lab)), { token });
}
