// Unknown-field detection against a resource's schema, for `fieldValidation=Strict|Warn`
// (kubectl sends Strict by default), with upstream's wording.
import type { Schema } from './registry/types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths (`spec.foo`, `spec.containers[0].bar`) of fields the schema does not declare. */
export function unknownFields(value: unknown, schema: Schema | undefined, path = ''): string[] {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return [];
  const out: string[] = [];
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    value.forEach((v, i) => out.push(...unknownFields(v, items, `${path}[${i}]`)));
    return out;
  }
  if (!isObj(value)) return out;
  const props = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties as Schema | boolean | undefined;
  for (const [k, v] of Object.entries(value)) {
    // strategic merge patch directives ($patch, $setElementOrder/..., $retainKeys, $deleteFromPrimitiveList/...)
    if (k.startsWith('$')) continue;
    const p = path ? `${path}.${k}` : k;
    if (props && k in props) out.push(...unknownFields(v, props[k], p));
    else if (isObj(additional)) out.push(...unknownFields(v, additional, p));
    else if (props && additional !== true && !(path === '' && (k === 'apiVersion' || k === 'kind'))) out.push(p);
  }
  return out;
}

/** `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"` */
export const strictDecodingMessage = (paths: string[]) => `strict decoding error: ${paths.map((p) => `unknown field "${p}"`).join(', ')}`;

/** server-side apply's wording: `.spec.foo: field not declared in schema` */
export const applySchemaMessage = (paths: string[]) => paths.map((p) => `.${p}: field not declared in schema`).join(', ');
