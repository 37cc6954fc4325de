// NamespaceLifecycle: no new content in a missing or terminating namespace; default, kube-system and
// kube-public can never be deleted.
import { errors } from '../../api/errors';
import { forbidden } from './forbidden';
import { requestNamespace } from './namespace-object';
import type { AdmissionAttributes, AdmissionPlugin } from './types';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export function namespaceLifecycle(): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async admit(a: AdmissionAttributes) {
      if (a.operation === 'DELETE' || a.operation === 'CONNECT') return;
      if (a.group === '' && a.resource === 'namespaces') return;
      // access reviews never leak whether a namespace exists
      if (a.group === 'authorization.k8s.io') return;
      if (!a.namespace) return;
      const ns = await requestNamespace(a);
      if (!ns) throw errors.notFound({ kind: 'namespaces', name: a.namespace });
      if (a.operation === 'CREATE' && (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
        throw forbidden(a, `unable to create new content in namespace ${a.namespace} because it is being terminated`, [
          { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' },
        ]);
      }
    },
    async validate(a: AdmissionAttributes) {
      if (a.operation === 'DELETE' && a.group === '' && a.resource === 'namespaces' && a.subresource === '' && IMMORTAL_NAMESPACES.includes(a.name)) {
        throw forbidden(a, 'this namespace may not be deleted');
      }
    },
  };
}
