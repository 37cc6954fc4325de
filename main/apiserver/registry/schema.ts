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
/** Shared leaf types referenced by name, so `kubectl explain` prints `<IntOrString>` and `<map[string]Quantity>`
 * as upstream; /openapi/v3 documents should carry these under components.schemas. */
export const sharedComponents: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description:
      'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>\n\n<binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```',
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'number' }, { type: 'string' }],
  },
};
const ref = (name: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
/** int or string, e.g. a port name or number, `25%` */
export const intOrString = (description?: string) =>
  withDesc(
    { ...ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'), 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    description,
  );
/** a resource quantity: `100m`, `1Gi`, or a plain number */
export const quantity = (description?: string) =>
  withDesc(
    {
      ...ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'number' }, { type: 'string' }],
    },
    description,
  );

export function obj(properties: Record<string, Schema>, description?: string, required?: string[]): Schema {
  return withDesc({ type: 'object', properties, ...(required?.length ? { required } : {}) }, description);
}
export const arr = (items: Schema, description?: string) => withDesc({ type: 'array', items }, description);
/** an atomic list of strings */
export const strings = (description?: string) => arr({ type: 'string' }, description);
/** a list merged by key in strategic merge patch and server-side apply */
export const listMap = (items: Schema, keys: string[], description?: string) =>
  withDesc(
    {
      type: 'array',
      items,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': keys,
      'x-kubernetes-patch-merge-key': keys[0],
      'x-kubernetes-patch-strategy': 'merge',
    },
    description,
  );
export const set = (items: Schema, description?: string) => withDesc({ type: 'array', items, 'x-kubernetes-list-type': 'set' }, description);
export const mapOf = (values: Schema, description?: string) => withDesc({ type: 'object', additionalProperties: values }, description);
export const stringMap = (description?: string) => mapOf({ type: 'string' }, description);
/** only where upstream keeps arbitrary JSON (managedFields' fieldsV1, RawExtension) */
export const preserve = (description?: string) => withDesc({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description);

/** A top-level resource: apiVersion, kind, metadata, then its own fields. */
export function resource(kindDescription: string, meta: Schema, fields: Record<string, Schema>): Schema {
  return obj(
    {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: meta,
      ...fields,
    },
    kindDescription,
  );
}
