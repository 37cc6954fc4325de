// pods/binding (upstream's BindingREST in pkg/registry/core/pod/storage): the scheduler's POST of a Binding sets
// spec.nodeName and the PodScheduled condition in one compare-and-swap write, once, on a pod not being deleted.
import type { KubeObject } from '../../api/object';
import { errors } from '../../api/errors';
import type { Obj } from './common';
import type { SubresourceStorage } from './types';

export const bindingREST: SubresourceStorage = {
  async create(req, s, body, store) {
    const name = req.name!;
    const target = (body.target as Obj | undefined) ?? {};
    const nodeName = target.name as string | undefined;
    if (!nodeName) throw errors.invalid('Binding', undefined, name, [{ field: 'target.name', type: 'FieldValueRequired', message: 'Required value' }]);
    const old = store.get(s, req.namespace, name);
    // the store's get is the caller's own copy already
    const pod = old.value as Obj & KubeObject;
    const spec = (pod.spec as Obj) ?? {};
    if (pod.metadata.deletionTimestamp) throw errors.conflict({ kind: 'pods/binding', name }, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw errors.conflict({ kind: 'pods/binding', name }, `pod ${name} is already assigned to node "${spec.nodeName as string}"`);
    const uid = (body.metadata as Obj | undefined)?.uid as string | undefined;
    if (uid && uid !== pod.metadata.uid)
      throw errors.conflict({ kind: 'pods/binding', name }, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    pod.spec = { ...spec, nodeName };
    const status = (pod.status as Obj) ?? {};
    const conditions = ((status.conditions as Obj[]) ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    pod.status = { ...status, conditions };
    await store.guaranteedUpdate(s, old, pod);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  },
};
