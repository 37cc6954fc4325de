// What upstream's decoding into typed Go structs refuses: a JSON value of the wrong type for its
// field (`json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string`)
// and bodies nested deeper than Go's decoder accepts. Types only: unknown fields are fieldValidation's.
import type { Schema } from './registry/types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Deeper bodies are refused before anything walks them. Go's decoder allows 10000; our recursive helpers
 * (patches, managedFields, comparisons) run out of stack near 3000, and real objects nest under 50.
 */
export const MAX_NESTING_DEPTH = 1000;

/**
 * True when `[`/`{` nest deeper than `limit` in the text, outside quoted strings and comments: checked
 * before a YAML parser sees it, since deep flow collections exhaust its stack or memory.
 */
export function textNestedDeeperThan(text: string, limit = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  let quote = '';
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === '\n') comment = false;
    } else if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      comment = true;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return true;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return false;
}

/** True when arrays/objects nest deeper than `limit`; iterative, so any depth is safe to ask about. */
export function nestedDeeperThan(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export interface TypeMismatch {
  /** where, as a field path with indices: `spec.containers[0].ports[0].containerPort` */
  field: string;
  /** Go's wording of the same failure */
  message: string;
}

interface Frame {
  value: unknown;
  schema: Schema;
  field: string;
  /** Go's struct-field path: struct fields only, no indices or map keys */
  goPath: string;
  /** name of the innermost struct, as Go's error names it (approximated from field names) */
  struct: string;
}

const INT32 = [-2147483648, 2147483647];

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The struct type name Go would report for an object reached through `key`; upstream's names where common. */
function structName(key: string, parent: string, kind: string): string {
  if (key === 'metadata') return 'ObjectMeta';
  if (key === 'template') return 'PodTemplateSpec';
  if (key === 'spec') return parent === 'PodTemplateSpec' ? 'PodSpec' : `${kind}Spec`;
  if (key === 'status') return `${kind}Status`;
  const singular = key.endsWith('ies') ? `${key.slice(0, -3)}y` : key.endsWith('s') && !key.endsWith('ss') ? key.slice(0, -1) : key;
  return capitalize(singular);
}

function goType(s: Schema | undefined, key: string, parent: string, kind: string): string {
  if (!s) return 'interface {}';
  if (s['x-kubernetes-int-or-string']) return (s.anyOf as Schema[] | undefined)?.some((a) => a.type === 'number') ? 'resource.Quantity' : 'intstr.IntOrString';
  switch (s.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'integer':
      return s.format === 'int32' ? 'int32' : 'int64';
    case 'array':
      return `[]${goType(s.items as Schema | undefined, key, parent, kind)}`;
    case 'object':
      if (s.properties) return `v1.${structName(key, parent, kind)}`;
      if (isObj(s.additionalProperties)) return `map[string]${goType(s.additionalProperties, key, parent, kind)}`;
      return 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

/** Whether `v` decodes into a field of schema `s`, ignoring what lies below it. */
function fits(v: unknown, s: Schema): boolean {
  if (s['x-kubernetes-int-or-string']) {
    const allowed = ((s.anyOf as Schema[] | undefined) ?? [{ type: 'integer' }, { type: 'string' }]).map((a) => a.type);
    if (typeof v === 'string') return allowed.includes('string');
    if (typeof v === 'number') return allowed.includes('number') || (allowed.includes('integer') && Number.isInteger(v));
    return false;
  }
  switch (s.type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number';
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return false;
      return s.format !== 'int32' || (v >= INT32[0] && v <= INT32[1]);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObj(v);
    default:
      return true;
  }
}

/**
 * The first value of the wrong JSON type for its declared field, or undefined. Walks the schema and
 * the value together with an explicit stack (no recursion), so any nesting is safe; null decodes as Go's zero value.
 */
export function typeMismatch(value: unknown, schema: Schema | undefined, kind: string): TypeMismatch | undefined {
  if (!schema) return undefined;
  const stack: Frame[] = [{ value, schema, field: '', goPath: '', struct: kind }];
  while (stack.length) {
    const f = stack.pop()!;
    const { value: v, schema: s } = f;
    if (v === null || v === undefined || s['x-kubernetes-preserve-unknown-fields']) continue;
    if (!fits(v, s)) {
      const key = f.goPath.split('.').pop() ?? '';
      const got = typeof v === 'number' && (s.type === 'integer' || s['x-kubernetes-int-or-string']) ? `number ${v}` : jsonKind(v);
      const where = f.goPath ? `Go struct field ${f.struct}.${f.goPath}` : 'Go value';
      const type = f.goPath ? goType(s, key, f.struct, kind) : `v1.${kind}`;
      return { field: f.field, message: `json: cannot unmarshal ${got} into ${where} of type ${type}` };
    }
    if (Array.isArray(v)) {
      const items = s.items as Schema | undefined;
      if (!items) continue;
      for (let i = v.length - 1; i >= 0; i--) stack.push({ ...f, value: v[i], schema: items, field: `${f.field}[${i}]` });
      continue;
    }
    if (!isObj(v)) continue;
    const props = s.properties as Record<string, Schema> | undefined;
    const additional = isObj(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
    const key = f.goPath.split('.').pop() ?? '';
    // the struct that holds this object's fields: a named struct for objects with properties, else the parent's
    const struct = props && f.goPath ? structName(key, f.struct, kind) : f.struct;
    for (const k of Object.keys(v).reverse()) {
      const child = props?.[k] ?? (props ? undefined : additional);
      if (!child) continue;
      const field = f.field ? `${f.field}.${k}` : k;
      // a map value keeps the map's own Go path; a struct field extends it
      const goPath = props ? (f.goPath ? `${f.goPath}.${k}` : k) : f.goPath;
      stack.push({ value: v[k], schema: child, field, goPath, struct: props ? struct : f.struct });
    }
  }
  return undefined;
}
