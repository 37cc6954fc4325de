// pods/eviction (upstream's EvictionREST in pkg/registry/core/pod/storage/eviction.go): an Eviction deletes the pod
// with the Eviction's deleteOptions. The lab serves no PodDisruptionBudgets, so no budget can refuse it (429).
import type { Obj } from './common';
import type { SubresourceStorage } from './types';

export const evictionREST: SubresourceStorage = {
  async create(req, s, body, store) {
    await store.delete(req, s, (body.deleteOptions as Obj | undefined) ?? {});
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  },
};
