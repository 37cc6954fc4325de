// A compact builder for the OpenAPI v3 schemas of our resources, so each schema reads like the API reference.
import type { Schema } from './types';

const withDesc = (s: Schema, description?: string): Schema => (description ? { description, ...s } : s);

export const str = (description?: string) => withDesc({ type: 'string' }, description);
export const enumOf = (values: string[], description?: string) =>
  withDesc({ type: 'string', enum: values }, description ? `${description}\n\nPossible enum values: ${values.map((v) => `\`"${v}"\``).join(', ')}` : undefined);
export const int = (description?: string) => withDesc({ type: 'integer', format: 'int32' }, description);
export const int64 = (description?: string) => withDesc({ type: 'integer', format: 'int64' }, description);
export const num = (description?: string) => withDesc({ type: 'number', format: 'double' }, description);
export const bool = (description?: string) => withDesc({ type: 'boolean' }, description);
export const time = (description?: string) => withDesc({ type: 'string', format: 'date-time' }, description);
export const bytes = (description?: string) => withDesc({ type: 'string', format: 'byte' }, description);
/** int or string, e.g. a port name or number, `25%` */
export const intOrString = (description?: string) => withDesc({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, description);
/** a resource quantity: `100m`, `1Gi`, or a plain number */
export const quantity = (description?: string) => withDesc({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'number' }, { type: 'string' }] }, description);

export function obj(properties: Record<string, Schema>, description?: string, required?: string[]): Schema {
  return withDesc({ type: 'object', properties, ...(required?.length ? { required } : {}) }, description);
}
export const arr = (items: Schema, description?: string) => withDesc({ type: 'array', items }, description);
/** an atomic list of strings */
export const strings = (description?: string) => arr({ type: 'string' }, description);
/** a list merged by key in strategic merge patch and server-side apply */
export const listMap = (items: Schema, keys: string[], description?: string) =>
  withDesc({
    type: 'array', items,
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys,
    'x-kubernetes-patch-merge-key': keys[0], 'x-kubernetes-patch-strategy': 'merge',
  }, description);
export const set = (items: Schema, description?: string) => withDesc({ type: 'array', items, 'x-kubernetes-list-type': 'set' }, description);
export const mapOf = (values: Schema, description?: string) => withDesc({ type: 'object', additionalProperties: values }, description);
export const stringMap = (description?: string) => mapOf({ type: 'string' }, description);
/** only where upstream keeps arbitrary JSON (managedFields' fieldsV1, RawExtension) */
export const preserve = (description?: string) => withDesc({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description);

/** A top-level resource: apiVersion, kind, metadata, then its own fields. */
export function resource(kindDescription: string, meta: Schema, fields: Record<string, Schema>): Schema {
  return obj({
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    metadata: meta,
    ...fields,
  }, kindDescription);
}
