// ServiceAccount: a pod without one runs as the namespace's `default` account.
import type { AdmissionAttributes, AdmissionPlugin } from './types';
import { isPod } from './forbidden';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export function serviceAccount(): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(a: AdmissionAttributes) {
      if (a.operation !== 'CREATE' || !isPod(a) || !a.object) return;
      // mirror pods (static pods from a kubelet) keep what they have, as upstream
      if (a.object.metadata.annotations?.['kubernetes.io/config.mirror']) return;
      const spec = (a.object.spec ??= {}) as Record<string, unknown>;
      if (!spec.serviceAccountName) {
        spec.serviceAccountName = (spec.serviceAccount as string | undefined) || DEFAULT_SERVICE_ACCOUNT;
        a.note(`set spec.serviceAccountName to ${spec.serviceAccountName as string}`);
      }
    },
  };
}
