// The renderer's API objects: each kind typed by kubernetes-types, with metadata always present as the caches hold it.
import type { KubeObject } from '../../main/api/object';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';

/**
 * Any object out of a watch cache: KubeObject's guaranteed fields without its index signature, so reading a field
 * goes through the object's kind type (Live<Pod>) and a misspelt one is a compile error.
 */
export type AnyObject = Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

/** A kind from kubernetes-types as the caches hold it (metadata present). */
export type Live<T extends { metadata?: ObjectMeta }> = T & AnyObject;

/** A kind-generic cache's object (a list or page of any kind) read as the kind the view knows it is. */
export const asLive = <T extends { metadata?: ObjectMeta }>(o: KubeObject): Live<T> => o as unknown as Live<T>;
