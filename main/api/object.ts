// The shape every API object shares. Concrete types come from `kubernetes-types`.
import type { ObjectMeta, ListMeta, OwnerReference } from 'kubernetes-types/meta/v1';

export type { ObjectMeta, ListMeta, OwnerReference };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** `namespace/name` (or `name` for cluster-scoped objects): the key work queues carry. */
export function objectKey(obj: { metadata?: ObjectMeta }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The controller ownerReference of an object, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

/** ObjectMeta's lists are omitempty upstream: a patch that deletes the last ownerReference or finalizer leaves none, not []. */
export function dropEmptyMetaLists(md: { ownerReferences?: unknown[]; finalizers?: unknown[] }): void {
  if (Array.isArray(md.ownerReferences) && md.ownerReferences.length === 0) delete md.ownerReferences;
  if (Array.isArray(md.finalizers) && md.finalizers.length === 0) delete md.finalizers;
}

export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}
