// The server's OpenAPI v3 schema of a kind, walked along the YAML path at the cursor: the field names the editor
// completes, with their types and descriptions (what `kubectl explain` prints). Pure.

export type JsonSchema = {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  $ref?: string;
  allOf?: JsonSchema[];
  enum?: unknown[];
  required?: string[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-int-or-string'?: boolean;
  [k: string]: unknown;
};

export interface OpenApiDoc {
  components?: { schemas?: Record<string, JsonSchema> };
}

/** `$ref` (and upstream's `allOf: [{$ref}]` wrapping) followed to the schema it names. */
export function deref(doc: OpenApiDoc, s: JsonSchema | undefined, depth = 0): JsonSchema | undefined {
  if (!s || depth > 20) return s;
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
  if (!ref) return s;
  const name = ref.replace(/^#\/components\/schemas\//, '');
  const target = doc.components?.schemas?.[name];
  return target ? deref(doc, { ...target, description: s.description ?? target.description }, depth + 1) : s;
}

/** The schema of a kind in its group version's document, found by its group-version-kind as kubectl does. */
export function kindSchema(doc: OpenApiDoc, group: string, version: string, kind: string): JsonSchema | undefined {
  for (const s of Object.values(doc.components?.schemas ?? {})) {
    if ((s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version && g.kind === kind)) return s;
  }
  return undefined;
}

/** A path segment: a mapping key, or `[]` for an item of a sequence. */
export type PathSeg = string;

export function schemaAt(doc: OpenApiDoc, root: JsonSchema | undefined, path: PathSeg[]): JsonSchema | undefined {
  let s = deref(doc, root);
  for (const seg of path) {
    if (!s) return undefined;
    if (seg === '[]') s = deref(doc, s.items);
    else s = deref(doc, s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined));
  }
  return s;
}

/** The type as `kubectl explain` names it: <string>, <[]Container>, <map[string]string>, <Object>. */
export function typeName(doc: OpenApiDoc, s: JsonSchema | undefined): string {
  if (!s) return '';
  if (s['x-kubernetes-int-or-string']) return 'IntOrString';
  const ref = s.$ref ?? s.allOf?.[0]?.$ref;
  if (ref) return ref.split('.').pop() ?? 'Object';
  const r = deref(doc, s);
  if (!r) return '';
  if (r.type === 'array') return `[]${typeName(doc, r.items) || 'Object'}`;
  if (r.type === 'object' && typeof r.additionalProperties === 'object') return `map[string]${typeName(doc, r.additionalProperties) || 'Object'}`;
  if (r.type === 'object' || r.properties) return 'Object';
  return r.type ?? '';
}

export interface FieldInfo {
  name: string;
  type: string;
  description?: string;
  required: boolean;
}

/** The fields one may write at `path`. */
export function fieldsAt(doc: OpenApiDoc, root: JsonSchema | undefined, path: PathSeg[]): FieldInfo[] {
  const s = schemaAt(doc, root, path);
  if (!s?.properties) return [];
  const req = new Set(s.required ?? []);
  return Object.entries(s.properties).map(([name, p]) => ({
    name,
    type: typeName(doc, p),
    description: deref(doc, p)?.description ?? p.description,
    required: req.has(name),
  }));
}

const keyLine = /^(\s*)((?:- +)*)([^\s#:'"][^:#]*?|"[^"]*"|'[^']*'):(?:\s|$)/;

/**
 * Where a key typed at `offset` would go in block-style YAML: the keys (and `[]` for sequence items) from the
 * document's root to the mapping that holds it. `spec:\n  containers:\n  - name: web\n    |` is [spec, containers, []].
 */
export function yamlPathAt(text: string, offset: number): PathSeg[] {
  const before = text.slice(0, offset).split('\n');
  const cur = before.pop() ?? '';
  const m = /^(\s*)((?:- +)*)/.exec(cur)!;
  const path: PathSeg[] = [];
  let col = m[1].length + m[2].length;
  // typing after "- ": a key of a new item of the sequence whose dash is at m[1]
  let itemAt = m[2] ? m[1].length : -1;
  if (itemAt >= 0) path.unshift('[]');
  for (let i = before.length - 1; i >= 0; i--) {
    const line = before[i];
    if (/^---/.test(line)) break;
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const k = keyLine.exec(line);
    const indent = /^\s*/.exec(line)![0].length;
    const dashes = k ? k[2].length : /^\s*((?:- +)*)/.exec(line)![1].length;
    const keyCol = indent + dashes;
    if (itemAt >= 0) {
      // the sequence's own key: at the dash's column (kubectl's indentless style) or left of it
      if (!k || keyCol > itemAt || (dashes && indent === itemAt)) continue;
    } else if (!k || keyCol >= col) {
      // a sibling item's dash at the column left of ours means we are in that item
      if (dashes && indent < col && keyCol === col) {
        path.unshift('[]');
        itemAt = indent;
      }
      continue;
    }
    path.unshift(k[3].replace(/^["']|["']$/g, '').trim());
    col = keyCol;
    itemAt = -1;
    if (dashes) {
      // the key opened an item of a sequence: `- name: web` then deeper keys
      path.unshift('[]');
      itemAt = indent;
      col = indent;
    }
  }
  return path;
}
