// Patches as upstream applies them: JSON patch (RFC 6902), JSON merge patch (RFC 7386),
// strategic merge patch (Kubernetes merge keys and $patch directives), and server-side apply
// (managedFields in FieldsV1 form, conflicts between managers).
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1';
import { errors, StatusError } from './errors';
import type { KubeObject } from './object';

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6902. Errors are 422 like upstream ("the server rejected our request due to an error in our request"). */
export function applyJsonPatch<T>(doc: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return jsonpatch.applyPatch(structuredClone(doc), ops as Operation[], true, false).newDocument;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${msg}`);
  }
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * How each kind's lists merge, derived from its schema (x-kubernetes-patch-merge-key, x-kubernetes-list-type set with
 * patch strategy merge), as upstream derives them from the types' patchMergeKey/patchStrategy tags. Keyed by
 * `Kind:field.path` (list items add no segment). The registry registers every served kind's schema.
 */
const listKeys = new Map<string, { key?: string; set?: boolean }>();

export function registerListKeys(kind: string, schema: Record<string, unknown>): void {
  const walk = (node: Record<string, unknown> | undefined, path: string[]) => {
    if (!node) return;
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [name, child] of Object.entries(props ?? {})) {
      const p = [...path, name];
      if (child.type === 'array') {
        const merge = String(child['x-kubernetes-patch-strategy'] ?? '')
          .split(',')
          .includes('merge');
        if (merge && typeof child['x-kubernetes-patch-merge-key'] === 'string')
          listKeys.set(`${kind}:${p.join('.')}`, { key: child['x-kubernetes-patch-merge-key'] as string });
        else if (merge && child['x-kubernetes-list-type'] === 'set') listKeys.set(`${kind}:${p.join('.')}`, { set: true });
        walk(child.items as Record<string, unknown> | undefined, p);
      } else {
        walk(child, p);
      }
    }
  };
  walk(schema, []);
}

/** The merge key of a list field of `kind` at `path` (from the object's root); undefined = atomic (replace). */
export function mergeKeyOf(kind: string | undefined, path: string[]): string | undefined {
  return listKeys.get(`${kind}:${path.join('.')}`)?.key;
}

const isSetList = (kind: string | undefined, path: string[]) => !!listKeys.get(`${kind}:${path.join('.')}`)?.set;

/** Strategic merge patch (application/strategic-merge-patch+json), as kubectl apply/edit/patch send it. */
export function applyStrategicMergePatch(target: Json, patch: Json, path: string[] = [], kind?: string): Json {
  if (!isObj(patch)) return structuredClone(patch);
  kind ??= (isObj(target) && typeof target.kind === 'string' ? target.kind : undefined) ?? (typeof patch.kind === 'string' ? patch.kind : undefined);
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: Obj = isObj(target) ? { ...target } : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const sub = [...path, k];
    if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, sub, kind);
    } else if (isObj(v)) {
      const merged = applyStrategicMergePatch(out[k], v, sub, kind);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f])) out[f] = (out[f] as Json[]).filter((x) => !v.includes(x));
    }
    if (k.startsWith('$setElementOrder/') && Array.isArray(v)) {
      const f = k.slice('$setElementOrder/'.length);
      if (Array.isArray(out[f])) out[f] = reorder(out[f] as Json[], v, mergeKeyOf(kind, [...path, f]));
    }
  }
  if (retainKeys) for (const k of Object.keys(out)) if (!retainKeys.includes(k)) delete out[k];
  return out;
}

function reorder(items: Json[], order: Json[], key: string | undefined): Json[] {
  const id = (x: Json) => (key && isObj(x) ? JSON.stringify(x[key]) : JSON.stringify(x));
  const pos = new Map(order.map((o, i) => [id(o), i]));
  const listed = items.filter((x) => pos.has(id(x))).sort((a, b) => pos.get(id(a))! - pos.get(id(b))!);
  return [...listed, ...items.filter((x) => !pos.has(id(x)))];
}

function mergeList(current: Json, patch: Json[], path: string[], kind: string | undefined): Json[] {
  const key = mergeKeyOf(kind, path);
  if (isSetList(kind, path)) {
    const base = Array.isArray(current) ? [...current] : [];
    for (const v of patch) if (!base.includes(v)) base.push(v);
    return base;
  }
  if (!key) return structuredClone(patch);
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) {
    return structuredClone(patch.filter((p) => !(isObj(p) && p.$patch === 'replace')));
  }
  const out: Json[] = Array.isArray(current) ? [...current] : [];
  for (const p of patch) {
    if (!isObj(p)) continue;
    const idx = out.findIndex((c) => isObj(c) && c[key] === p[key]);
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = applyStrategicMergePatch(out[idx], p, path, kind);
    } else {
      out.push(applyStrategicMergePatch(undefined, p, path, kind));
    }
  }
  return out;
}

// ---- server-side apply ----------------------------------------------------------------------

/** One owned path: `f:spec`, `k:{"name":"web"}`, `v:"x"`, or `.` (the list item itself). */
type PathSet = Set<string>;
const SEP = '\u0000';

/** fields that are not owned by anyone (identity and server-set metadata) */
const unowned = new Set(['apiVersion', 'kind']);
const unownedMeta = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
]);

/** The leaf paths of an object, as a set (fieldsV1 semantics: keyed list items, set lists, atomic leaves). */
export function fieldPaths(obj: Json): PathSet {
  const out: PathSet = new Set();
  const kind = isObj(obj) && typeof obj.kind === 'string' ? obj.kind : undefined;
  const walk = (v: Json, prefix: string[], fieldPath: string[]) => {
    if (!isObj(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (prefix.length === 0 && unowned.has(k)) continue;
      if (prefix.length === 1 && prefix[0] === 'f:metadata' && unownedMeta.has(k)) continue;
      if (prefix.length === 0 && k === 'status') continue;
      const p = [...prefix, `f:${k}`];
      const fp = [...fieldPath, k];
      const key = Array.isArray(child) ? mergeKeyOf(kind, fp) : undefined;
      if (isObj(child) && Object.keys(child).length > 0) {
        walk(child, p, fp);
      } else if (Array.isArray(child) && key && child.every(isObj)) {
        for (const item of child as Obj[]) {
          const ip = [...p, `k:${JSON.stringify({ [key]: item[key] })}`];
          out.add([...ip, '.'].join(SEP));
          walk(item, ip, fp);
        }
      } else if (Array.isArray(child) && isSetList(kind, fp)) {
        for (const item of child) out.add([...p, `v:${JSON.stringify(item)}`].join(SEP));
      } else {
        out.add(p.join(SEP));
      }
    }
  };
  walk(obj, [], []);
  return out;
}

export function toFieldsV1(set: PathSet): Obj {
  const root: Obj = {};
  for (const p of set) {
    let node = root;
    for (const seg of p.split(SEP)) {
      if (!isObj(node[seg])) node[seg] = {};
      node = node[seg] as Obj;
    }
  }
  return root;
}

export function fromFieldsV1(tree: Json): PathSet {
  const out: PathSet = new Set();
  const walk = (node: Json, prefix: string[]) => {
    if (!isObj(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0 && prefix.length) out.add(prefix.join(SEP));
    for (const k of keys) walk(node[k], [...prefix, k]);
  };
  walk(tree, []);
  return out;
}

/** The value at an owned path, or undefined when absent. */
function valueAt(obj: Json, path: string): Json {
  let cur: Json = obj;
  for (const seg of path.split(SEP)) {
    if (seg === '.') return cur;
    if (seg.startsWith('f:')) {
      cur = isObj(cur) ? cur[seg.slice(2)] : undefined;
    } else if (seg.startsWith('k:')) {
      const want = JSON.parse(seg.slice(2)) as Obj;
      cur = Array.isArray(cur) ? cur.find((i) => isObj(i) && Object.entries(want).every(([k, v]) => i[k] === v)) : undefined;
    } else if (seg.startsWith('v:')) {
      const want = JSON.parse(seg.slice(2));
      cur = Array.isArray(cur) && cur.includes(want) ? want : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Remove the value at an owned path (a field, a keyed item, a set member). */
function removeAt(obj: Json, path: string): void {
  const segs = path.split(SEP);
  if (segs[segs.length - 1] === '.') segs.pop();
  const last = segs.pop()!;
  const parent = segs.length ? valueAt(obj, segs.join(SEP)) : obj;
  if (last.startsWith('f:') && isObj(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const idx = last.startsWith('k:')
      ? parent.findIndex((i) => isObj(i) && Object.entries(JSON.parse(last.slice(2)) as Obj).every(([k, v]) => i[k] === v))
      : parent.indexOf(JSON.parse(last.slice(2)));
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/** Human form of a path for conflict messages: `.spec.replicas`, `.spec.containers[name="web"].image`. */
export function describePath(path: string): string {
  let s = '';
  for (const seg of path.split(SEP)) {
    if (seg.startsWith('f:')) s += `.${seg.slice(2)}`;
    else if (seg.startsWith('k:')) {
      const o = JSON.parse(seg.slice(2)) as Obj;
      s += `[${Object.entries(o)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (seg.startsWith('v:')) s += `[=${seg.slice(2)}]`;
  }
  return s;
}

interface Manager {
  entry: ManagedFieldsEntry;
  set: PathSet;
}

function readManagers(obj: KubeObject): Manager[] {
  return (obj.metadata.managedFields ?? []).map((entry) => ({ entry, set: fromFieldsV1(entry.fieldsV1) }));
}

function writeManagers(obj: KubeObject, managers: Manager[]): void {
  const entries = managers.filter((m) => m.set.size > 0).map((m) => ({ ...m.entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(m.set) }));
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

const sameManager = (e: ManagedFieldsEntry, manager: string, operation: string, subresource?: string) =>
  e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');

/**
 * Record an Update (create, update, patch) by `manager`: the leaf fields that changed between
 * old and new become its, taken from other managers without conflict, as upstream.
 */
export function recordUpdate(oldObj: KubeObject | undefined, newObj: KubeObject, manager: string, apiVersion: string, now: string, subresource?: string): void {
  const managers = oldObj ? readManagers(oldObj) : [];
  const after = fieldPaths(newObj);
  const changed = new Set([...after].filter((p) => !oldObj || JSON.stringify(valueAt(oldObj, p)) !== JSON.stringify(valueAt(newObj, p))));
  for (const m of managers) {
    for (const p of [...m.set]) if (changed.has(p) || !after.has(p)) m.set.delete(p);
  }
  if (changed.size) {
    let mine = managers.find((m) => sameManager(m.entry, manager, 'Update', subresource));
    if (!mine) {
      mine = { entry: { manager, operation: 'Update', apiVersion, ...(subresource ? { subresource } : {}) }, set: new Set() };
      managers.push(mine);
    }
    for (const p of changed) mine.set.add(p);
    mine.entry = { ...mine.entry, time: now, apiVersion };
  }
  writeManagers(newObj, managers);
}

export interface ApplyResult {
  object: KubeObject;
}

/**
 * Server-side apply of `applied` (the user's configuration) by `manager` onto `live` (undefined
 * when creating). Throws 409 Conflict listing fields owned by other managers with other values,
 * unless force, which takes them over.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force: boolean,
  apiVersion: string,
  now: string,
): KubeObject {
  const base: KubeObject = live ? structuredClone(live) : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
  const managers = live ? readManagers(live) : [];
  const newSet = fieldPaths(applied);
  const conflicts: { manager: string; apiVersion: string; path: string }[] = [];
  for (const m of managers) {
    if (sameManager(m.entry, manager, 'Apply')) continue;
    for (const p of newSet) {
      // a keyed item's own marker conflicts through its fields, not by itself
      if (p.endsWith(`${SEP}.`)) continue;
      if (m.set.has(p) && JSON.stringify(valueAt(base, p)) !== JSON.stringify(valueAt(applied, p))) {
        conflicts.push({ manager: m.entry.manager ?? '', apiVersion: m.entry.apiVersion ?? apiVersion, path: p });
      }
    }
  }
  // switching from client-side to server-side apply: what the last-applied configuration covers is taken over, as upstream's lastAppliedManager
  const lastApplied = lastAppliedPaths(base);
  const blocking = conflicts.filter((c) => !lastApplied.has(c.path));
  if (blocking.length && !force) throw applyConflict(blocking, applied);
  for (const m of managers) {
    if (sameManager(m.entry, manager, 'Apply')) continue;
    for (const c of conflicts) if (m.entry.manager === c.manager) m.set.delete(c.path);
  }
  let mine = managers.find((m) => sameManager(m.entry, manager, 'Apply'));
  const previously = mine ? mine.set : new Set<string>();
  // fields this manager applied before and no longer does, and nobody else owns, are removed
  const others = managers.filter((m) => m !== mine);
  const dropped = [...previously].filter((p) => !newSet.has(p) && !others.some((m) => m.set.has(p)));
  dropped.sort((a, b) => b.length - a.length);
  for (const p of dropped) removeAt(base, p);
  const merged = applyStrategicMergePatch(base, stripIdentity(applied)) as KubeObject;
  if (!mine) {
    mine = { entry: { manager, operation: 'Apply', apiVersion }, set: newSet };
    managers.push(mine);
  }
  mine.set = newSet;
  mine.entry = { ...mine.entry, time: now, apiVersion };
  // apply-owned fields are shared when values agree: drop them from Update managers only if taken over
  writeManagers(merged, managers);
  return merged;
}

function lastAppliedPaths(live: KubeObject): PathSet {
  const raw = live.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (!raw) return new Set();
  try {
    return fieldPaths(JSON.parse(raw));
  } catch {
    return new Set();
  }
}

function stripIdentity(applied: KubeObject): Obj {
  const c = structuredClone(applied) as Obj;
  const md = { ...((c.metadata as Obj) ?? {}) };
  delete md.managedFields;
  delete md.resourceVersion;
  c.metadata = md;
  return c;
}

function applyConflict(conflicts: { manager: string; apiVersion: string; path: string }[], applied: KubeObject): StatusError {
  const n = conflicts.length;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const k = `"${c.manager}" using ${c.apiVersion}`;
    if (!byManager.has(k)) byManager.set(k, []);
    byManager.get(k)!.push(describePath(c.path));
  }
  let message: string;
  if (n === 1) {
    const [k, paths] = [...byManager.entries()][0];
    message = `Apply failed with 1 conflict: conflict with ${k}: ${paths[0]}`;
  } else {
    message =
      `Apply failed with ${n} conflicts: ` +
      [...byManager.entries()].map(([k, paths]) => `conflicts with ${k}:\n${paths.map((p) => `- ${p}`).join('\n')}`).join('\n');
  }
  return new StatusError(409, 'Conflict', message, {
    name: applied.metadata?.name,
    kind: applied.kind?.toLowerCase(),
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: describePath(c.path),
    })),
  });
}
