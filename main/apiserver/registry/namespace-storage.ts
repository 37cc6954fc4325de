// Namespace storage beyond the generic store (upstream's pkg/registry/core/namespace/storage): a delete marks a
// namespace Terminating while spec.finalizers remain (and tells the namespace finalizer to clean it out), the
// finalize subresource changes only spec.finalizers, and the namespace goes once those are empty.
import type { KubeObject } from '../../api/object';
import type { Obj } from './common';
import type { ResourceStorage } from './types';

const specFinalizers = (o: KubeObject): string[] => ((o.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? [];

/** `deleting` is told when a namespace turns Terminating, to clean it out. */
export function namespaceStorage(deleting?: (name: string) => void): ResourceStorage {
  return {
    async beforeDelete(_req, s, old, store) {
      const obj = old.value;
      if (!specFinalizers(obj).length) return undefined;
      const marked = obj.metadata.deletionTimestamp
        ? obj
        : await store.markDeleting(s, old, obj.metadata.finalizers ?? [], 0, (next) => {
            next.status = { ...((next.status as Obj) ?? {}), phase: 'Terminating' };
          });
      deleting?.(obj.metadata.name!);
      return marked;
    },
    shouldDeleteDuringUpdate: (next) => specFinalizers(next).length === 0,
    subresources: {
      finalize: {
        parentKind: true,
        // PUT: the stored namespace with the body's spec.finalizers, nothing else
        async update(req, s, body, old, store) {
          const next = structuredClone(old.value) as Obj;
          next.spec = { ...((next.spec as Obj) ?? {}), finalizers: (body.spec as Obj | undefined)?.finalizers ?? [] };
          return store.update(req, s, old, next as KubeObject, 'finalize');
        },
        // upstream's finalizeNamespaceStrategy keeps the status; the strategy's own prepareForUpdate (which keeps the
        // old spec.finalizers) must not run here
        prepareForUpdate(obj, old) {
          obj.status = structuredClone(old.status);
        },
      },
    },
  };
}
