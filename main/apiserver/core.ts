// The request chain every caller goes through, HTTP or in-process: authorize, then per verb
// admission, defaulting, validation and the store, recording each step of a pod's creation.
import { randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../api/object';
import { dropEmptyMetaLists } from '../api/object';
import { errors, isStatusError, StatusError, type FieldError } from '../api/errors';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, recordUpdate, serverSideApply } from '../api/patch';
import { labelSelectorString, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../api/selectors';
import { logger } from '../log';
import type { Store, StoredValue } from '../store/types';
import { StoreError } from '../store/types';
import type { PodRef, Tracer, TraceStep } from '../trace/types';
import type { AdmissionAttributes, AdmissionOperation, AdmissionPlugin } from './admission/types';
import { applySchemaMessage, strictDecodingMessage, unknownFields } from './field-validation';
import { typeMismatch } from './typed-decoding';
import { forbiddenMessage, type AuthorizationAttributes, type RbacAuthorizer } from './rbac';
import type { GenericStore, ResourceStorage, ResourceStrategy, StrategyContext, SubresourceStorage } from './registry/types';
import { groupVersion, storeKey, storePrefix, type ResourceRegistry, type ServedResource } from './resources';
import type { ApiRequest, ApiServerCore, ApiWatch, ApiWatchEvent, UserInfo } from './types';
import type { Client } from '../client/types';

const log = logger('apiserver');

type Obj = Record<string, unknown>;
type Writable<T> = { -readonly [K in keyof T]: T[K] };
type MutableMeta = Writable<ObjectMeta>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CoreDeps {
  store: Store;
  tracer: Tracer;
  registry: ResourceRegistry;
  authorizer: RbacAuthorizer;
  admission: () => AdmissionPlugin[];
  /** a full-rights in-process client, for admission plugins */
  client: () => Client;
  /** how often watches send a BOOKMARK when asked for them */
  bookmarkIntervalMs?: number;
}

const nameChars = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = () => Array.from({ length: 5 }, () => nameChars[Math.floor(Math.random() * nameChars.length)]).join('');

/** the filter of a request without selectors */
const acceptAll = (): boolean => true;

let lastIsoMs = -1;
let lastIso = '';
/** ms as an ISO timestamp; the steps of a request mostly share their millisecond, so the last one is kept */
function isoAt(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Pod flow steps of one request, flushed once the pod's name and uid are known. */
class RequestTrace {
  steps: TraceStep[] = [];
  constructor(readonly enabled: boolean) {}
  step(action: string, outcome: TraceStep['outcome'], message: string, start: number, details?: Record<string, unknown>): void {
    if (!this.enabled) return;
    // the request is what the client did, the write is the store's: each shows in its own lane
    const component: TraceStep['component'] = action === 'request' ? 'client' : action === 'store' ? 'store' : 'apiserver';
    this.steps.push({ component, action, start: isoAt(start), end: isoAt(Date.now()), outcome, message, ...(details ? { details } : {}) });
  }
  flush(tracer: Tracer, ref: PodRef): void {
    if (!this.enabled || !ref.name) return;
    for (const s of this.steps) tracer.record(ref, s);
    this.steps = [];
  }
}

function storeError(e: unknown, s: ResourceStrategy, name: string): unknown {
  if (!(e instanceof StoreError)) return e;
  const r = { group: s.group || undefined, kind: s.resource, name };
  switch (e.code) {
    case 'NotFound':
      return errors.notFound(r);
    case 'AlreadyExists':
      return errors.alreadyExists(r);
    case 'Conflict':
      return errors.conflict(r);
    case 'Expired':
      return errors.expired(e.message);
    case 'InvalidContinue':
      return errors.badRequest(e.message);
    default:
      return errors.unavailable(e.message);
  }
}

/** A resourceVersion as the store knows it (etcd's unsigned revision); anything else is a 400 as upstream. */
export function parseResourceVersion(rv: string): number {
  const n = /^\d+$/.test(rv) ? Number(rv) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw errors.badRequest(
      `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`,
    );
  }
  return n;
}

/** An integer query parameter (limit, timeoutSeconds, gracePeriodSeconds): Go's ParseInt wording when it is not one. */
export function intParam(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

/** upstream's ValidateListOptions for resourceVersion and resourceVersionMatch: a 422 on ListOptions. */
/** How often a patch that met a concurrent write is retried from it: each round one of the racing writers wins. */
const PATCH_RETRIES = 32;

export function validateListOptions(query: Record<string, string>, watch: boolean): void {
  const rv = query.resourceVersion ?? '';
  const match = query.resourceVersionMatch ?? '';
  if (rv !== '') parseResourceVersion(rv);
  // a watch may carry NotOlderThan with sendInitialEvents (streaming lists); its resourceVersion is what matters
  if (watch) return;
  const field = 'resourceVersionMatch';
  let message: string | undefined;
  let type: FieldError['type'] = 'FieldValueForbidden';
  if (match !== '' && rv === '') message = 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided';
  else if (match === 'Exact' && rv === '0') message = `Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"`;
  else if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    type = 'FieldValueNotSupported';
    message = `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`;
  }
  if (message) throw errors.invalid('ListOptions', 'meta.k8s.io', '', [{ field, type, message }]);
}

function stripForCompare(o: KubeObject): unknown {
  const c = structuredClone(o) as Obj;
  const md = { ...(c.metadata as Obj) };
  delete md.resourceVersion;
  delete md.managedFields;
  c.metadata = md;
  return c;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => v[k] !== undefined)
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}

export class Core implements ApiServerCore {
  /** what a resource's own storage (registry/) may use of this one */
  private readonly generic: GenericStore;

  /** per request: its namespace as its admission plugins read it */
  private readonly namespaceReads = new WeakMap<ApiRequest, Promise<KubeObject | undefined>>();

  constructor(private readonly d: CoreDeps) {
    this.generic = {
      get: (s, namespace, name) => this.mustGet(s, namespace, name),
      guaranteedUpdate: async (s, old, next) => {
        try {
          return (await this.d.store.update(old.key, next, old.modRevision)).value;
        } catch (e) {
          throw storeError(e, s, next.metadata.name ?? '');
        }
      },
      update: (req, s, old, next, subresource) => this.writeUpdate(req, s, old, next, subresource),
      delete: (req, s, options) => this.delete({ ...req, subresource: undefined, verb: 'delete', body: options }, s),
      markDeleting: (s, old, finalizers, grace, change) => this.markDeleting(s, old, finalizers, grace, change),
    };
  }

  private rest(s: ResourceStrategy): ResourceStorage | undefined {
    return this.d.registry.find(s.group, s.version, s.resource)?.rest;
  }

  private subresourceStorage(s: ResourceStrategy, subresource: string | undefined): SubresourceStorage | undefined {
    return subresource ? this.rest(s)?.subresources?.[subresource] : undefined;
  }

  // ---- resolution and authorization ----------------------------------------------------------

  resolve(req: ApiRequest): ServedResource {
    const served = this.d.registry.find(req.group, req.version, req.resource);
    if (!served)
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { group: req.group || undefined, kind: req.resource });
    if (!served.strategy.namespaced) req.namespace = undefined;
    const sub = req.subresource;
    if (sub && !(served.strategy.subresources ?? []).includes(sub)) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { group: req.group || undefined, kind: req.resource });
    }
    return served;
  }

  authorizationVerb(req: ApiRequest): string {
    if (req.subresource && ['exec', 'attach', 'portforward', 'proxy'].includes(req.subresource)) return 'create';
    return req.verb;
  }

  /** Throws 403 with upstream's message; returns the reason it was allowed. */
  authorize(req: ApiRequest, verb = this.authorizationVerb(req)): string {
    const a: AuthorizationAttributes = {
      user: req.user,
      verb,
      group: req.group,
      resource: req.resource,
      subresource: req.subresource,
      namespace: req.namespace,
      name: req.name,
    };
    const d = this.d.authorizer.authorize(a);
    if (!d.allowed) {
      throw new StatusError(403, 'Forbidden', forbiddenMessage(a), { name: req.name, group: req.group || undefined, kind: req.resource });
    }
    return d.reason;
  }

  can(user: UserInfo, a: Omit<AuthorizationAttributes, 'user'>): { allowed: boolean; reason: string } {
    return this.d.authorizer.authorize({ ...a, user });
  }

  // ---- dispatch ----------------------------------------------------------------------------------

  async handle(req: ApiRequest): Promise<unknown> {
    if (req.verb === 'watch' || (req.verb === 'list' && (req.query.watch === 'true' || req.query.watch === '1'))) {
      throw errors.badRequest('watch requests must use watch()');
    }
    const served = this.resolve(req);
    const reason = this.authorize(req);
    const s = served.strategy;
    if (served.storage) return this.handleCustom(req, served);
    switch (req.verb) {
      case 'get':
        return this.get(req, s);
      case 'list':
        return this.list(req, s);
      case 'create':
        if (req.subresource) return this.createSubresource(req, s);
        return this.create(req, s, reason);
      case 'update':
        return this.update(req, s);
      case 'patch':
        return this.patch(req, s, reason);
      case 'delete':
        return this.delete(req, s);
      case 'deletecollection':
        return this.deleteCollection(req, s);
      default:
        throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  }

  private async handleCustom(req: ApiRequest, served: ServedResource): Promise<unknown> {
    const st = served.storage!;
    const s = served.strategy;
    const notAllowed = () => errors.methodNotAllowed('the server does not allow this method on the requested resource');
    switch (req.verb) {
      case 'get':
        if (!st.get) throw notAllowed();
        return st.get(req);
      case 'list': {
        if (!st.list) throw notAllowed();
        const { items, resourceVersion } = await st.list(req);
        const match = this.selectorFilter(req, s);
        return { apiVersion: groupVersion(s.group, s.version), kind: `${s.kind}List`, metadata: { resourceVersion }, items: items.filter(match) };
      }
      case 'create':
        if (!st.create) throw notAllowed();
        return st.create(req, this.bodyObject(req, s));
      default:
        throw notAllowed();
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private ctx(req: ApiRequest, operation: StrategyContext['operation'], s: ResourceStrategy): StrategyContext {
    return { user: req.user, operation, now: new Date(), stored: () => this.d.store.list(storePrefix(s, undefined)).items.map((i) => i.value) };
  }

  private key(s: ResourceStrategy, namespace: string | undefined, name: string) {
    return storeKey(s, namespace, name);
  }

  private mustGet(s: ResourceStrategy, namespace: string | undefined, name: string): StoredValue {
    const v = this.d.store.get(this.key(s, namespace, name));
    if (!v) throw errors.notFound({ group: s.group || undefined, kind: s.resource, name });
    return v;
  }

  private bodyObject(req: ApiRequest, s: ResourceStrategy): KubeObject {
    if (!isObj(req.body)) {
      throw errors.badRequest(
        `the object provided is unrecognized (must be of type ${s.kind}): couldn't get version/kind; json parse error: expected an object`,
      );
    }
    // a subresource body of another kind (Scale, Binding, ...) is not this schema's to judge
    if (!req.subresource || req.subresource === 'status' || this.subresourceStorage(s, req.subresource)?.parentKind) this.checkTypes(s, req.body);
    const obj = structuredClone(req.body) as KubeObject;
    const gv = groupVersion(s.group, s.version);
    if (obj.apiVersion !== undefined && obj.apiVersion !== gv && !req.subresource) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
    }
    if (obj.kind !== undefined && obj.kind !== s.kind && !req.subresource) {
      throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${s.kind})`);
    }
    if (!req.subresource) {
      obj.apiVersion = gv;
      obj.kind = s.kind;
    }
    if (!isObj(obj.metadata)) obj.metadata = {};
    return obj;
  }

  /** Wrong JSON types are refused whatever fieldValidation says, as upstream's decoding into typed structs. */
  private checkTypes(s: ResourceStrategy, value: unknown): void {
    const bad = typeMismatch(value, s.schema, s.kind);
    if (bad) throw errors.badRequest(`${s.kind} in version "${s.version}" cannot be handled as a ${s.kind}: ${bad.message}`);
  }

  /** fieldValidation: Strict refuses unknown fields (kubectl's default), Warn adds Warning headers. */
  private checkFields(req: ApiRequest, s: ResourceStrategy, value: unknown, apply = false): void {
    const mode = req.query.fieldValidation ?? 'Warn';
    if (mode === 'Ignore' || !s.schema) return;
    const unknown = unknownFields(value, s.schema);
    if (!unknown.length) return;
    if (mode === 'Strict') {
      if (apply) throw errors.badRequest(applySchemaMessage(unknown));
      throw errors.badRequest(`${s.kind} in version "${s.version}" cannot be handled as a ${s.kind}: ${strictDecodingMessage(unknown)}`);
    }
    (req.warnings ??= []).push(...unknown.map((p) => `unknown field "${p}"`));
  }

  private addWarnings(req: ApiRequest, warnings: string[] | undefined): void {
    if (warnings?.length) (req.warnings ??= []).push(...warnings);
  }

  private manager(req: ApiRequest): string {
    if (req.query.fieldManager) return req.query.fieldManager;
    const ua = req.userAgent ?? '';
    return ua ? ua.split('/')[0] : 'unknown';
  }

  private async runAdmission(
    phase: 'admit' | 'validate',
    req: ApiRequest,
    s: ResourceStrategy,
    operation: AdmissionOperation,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    trace?: RequestTrace,
  ): Promise<void> {
    // one serialization per mutating plugin (its after is the next one's before); validating ones cannot change it
    const watchChanges = !!trace?.enabled && !!object && phase === 'admit';
    let before = watchChanges ? JSON.stringify(object) : '';
    const namespaceObject = () => this.requestNamespace(req);
    for (const plugin of this.d.admission()) {
      const fn = plugin[phase];
      if (!fn) continue;
      const notes: string[] = [];
      const attrs: AdmissionAttributes = {
        operation,
        object,
        oldObject,
        user: req.user,
        namespace: req.namespace ?? '',
        name: req.name ?? object?.metadata?.name ?? '',
        group: s.group,
        version: s.version,
        resource: s.resource,
        subresource: req.subresource ?? '',
        kind: s.kind,
        dryRun: req.query.dryRun === 'All',
        client: this.d.client(),
        note: (m) => notes.push(m),
        warn: (m) => (req.warnings ??= []).push(m),
        namespaceObject,
      };
      const start = Date.now();
      try {
        await fn.call(plugin, attrs);
      } catch (e) {
        trace?.step(`admit:${plugin.name}`, 'failure', e instanceof Error ? e.message : String(e), start);
        throw e;
      }
      if (trace?.enabled) {
        const after = watchChanges ? JSON.stringify(object) : '';
        const changed = after !== before;
        before = after;
        const msg = notes.length ? notes.join('; ') : phase === 'admit' ? (changed ? 'changed the object' : 'no change') : 'allowed';
        trace.step(`${phase === 'admit' ? 'admit' : 'validate-admission'}:${plugin.name}`, 'success', msg, start);
      }
    }
  }

  /** The request's namespace as stored, read once for all its admission plugins (both phases). */
  private requestNamespace(req: ApiRequest): Promise<KubeObject | undefined> {
    let p = this.namespaceReads.get(req);
    if (!p) {
      const ns = this.d.registry.find('', 'v1', 'namespaces')?.strategy;
      p = Promise.resolve(ns && req.namespace ? this.d.store.get(this.key(ns, undefined, req.namespace))?.value : undefined);
      this.namespaceReads.set(req, p);
    }
    return p;
  }

  private validateCreate(s: ResourceStrategy, obj: KubeObject, ctx: StrategyContext): FieldError[] {
    return s.validate?.(obj, ctx) ?? [];
  }

  private invalid(s: ResourceStrategy, name: string, causes: FieldError[]): StatusError {
    return errors.invalid(s.kind, s.group || undefined, name, causes);
  }

  // ---- read ---------------------------------------------------------------------------------

  private get(req: ApiRequest, s: ResourceStrategy): unknown {
    if (!req.name) throw errors.badRequest('name is required');
    const v = this.mustGet(s, req.namespace, req.name);
    if (req.subresource === 'scale') return this.toScale(s, v.value);
    if (req.subresource && req.subresource !== 'status') throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
    return v.value;
  }

  /** A filter for label and field selectors; unknown field selector labels are a 400 as upstream. */
  selectorFilter(req: ApiRequest, s: ResourceStrategy): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(req.query.labelSelector);
    const fields = parseFieldSelector(req.query.fieldSelector);
    if (fields.length) {
      let allowed: Set<string> | undefined;
      try {
        allowed = new Set(['metadata.name', 'metadata.namespace', ...Object.keys(s.selectableFields?.({ metadata: {}, spec: {}, status: {} }) ?? {})]);
      } catch {
        allowed = undefined;
      }
      for (const f of fields) {
        if (allowed && !allowed.has(f.field)) throw errors.badRequest(`field label not supported: ${f.field}`);
      }
    }
    if (!labels.length && !fields.length) return acceptAll;
    return (o) => {
      if (!matchesLabels(labels, o.metadata?.labels)) return false;
      if (!fields.length) return true;
      const values: Record<string, string> = {
        'metadata.name': o.metadata?.name ?? '',
        'metadata.namespace': o.metadata?.namespace ?? '',
        ...(s.selectableFields?.(o) ?? {}),
      };
      return matchesFields(fields, values);
    };
  }

  private list(req: ApiRequest, s: ResourceStrategy): unknown {
    validateListOptions(req.query, false);
    const filter = this.selectorFilter(req, s);
    const asked = intParam(req.query.limit);
    // upstream: a limit of zero or less means no limit
    const limit = asked !== undefined && asked > 0 ? asked : undefined;
    let res;
    try {
      // resourceVersionMatch=Exact lists as of that revision; otherwise the latest state is never older than asked
      const exact = req.query.resourceVersionMatch === 'Exact' && req.query.resourceVersion ? parseResourceVersion(req.query.resourceVersion) : undefined;
      res = this.d.store.list(storePrefix(s, req.namespace), { limit, continue: req.query.continue || undefined, filter, revision: exact });
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Expired' && !req.query.continue) {
        throw errors.expired(`too old resource version: ${req.query.resourceVersion} (${this.d.store.compactedRevision})`);
      }
      if (e instanceof StoreError && e.code === 'Expired') {
        throw errors.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      throw storeError(e, s, '');
    }
    return {
      apiVersion: groupVersion(s.group, s.version),
      kind: `${s.kind}List`,
      metadata: {
        resourceVersion: String(res.revision),
        ...(res.continue ? { continue: res.continue } : {}),
        ...(res.remainingItemCount !== undefined && res.continue ? { remainingItemCount: res.remainingItemCount } : {}),
      },
      items: res.items.map((i) => i.value),
    };
  }

  // ---- create -------------------------------------------------------------------------------

  private async create(req: ApiRequest, s: ResourceStrategy, authzReason: string): Promise<unknown> {
    const trace = new RequestTrace(s.group === '' && s.resource === 'pods');
    const t0 = Date.now();
    trace.step('request', 'info', `POST ${s.resource} from ${req.userAgent ?? 'unknown client'}`, t0, { userAgent: req.userAgent, user: req.user.username });
    trace.step('authenticate', 'success', `authenticated as ${req.user.username}${req.authenticatedBy ? ` (${req.authenticatedBy})` : ''}`, t0, {
      groups: req.user.groups,
    });
    trace.step('authorize', 'success', authzReason, t0);
    const obj = this.bodyObject(req, s);
    const md = obj.metadata;
    if (s.namespaced) {
      if (req.namespace && md.namespace && md.namespace !== req.namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      md.namespace = req.namespace || md.namespace;
      if (!md.namespace) throw errors.badRequest('the namespace of the object is required');
      req.namespace = md.namespace;
    } else {
      delete md.namespace;
    }
    this.checkFields(req, s, req.body);
    try {
      return await this.createObject(req, s, obj, trace);
    } finally {
      trace.flush(this.d.tracer, { namespace: md.namespace ?? '', name: md.name ?? '', uid: md.uid });
    }
  }

  /** The write path of a create, shared with server-side apply of a new object. */
  private async createObject(req: ApiRequest, s: ResourceStrategy, obj: KubeObject, trace: RequestTrace, managed = true): Promise<KubeObject> {
    const md = obj.metadata as MutableMeta;
    const ctx = this.ctx(req, 'create', s);
    if (!md.name && md.generateName) md.name = md.generateName + randomSuffix();
    if (!md.name) {
      throw this.invalid(s, '', [{ field: 'metadata.name', type: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
    }
    req.name = md.name;
    md.uid = randomUUID();
    md.creationTimestamp = ctx.now.toISOString().replace(/\.\d+Z$/, 'Z');
    delete md.resourceVersion;
    delete md.deletionTimestamp;
    delete md.deletionGracePeriodSeconds;
    delete md.selfLink;
    dropEmptyMetaLists(md);
    if (managed) delete md.managedFields;
    s.prepareForCreate?.(obj, ctx);
    await this.runAdmission('admit', req, s, 'CREATE', obj, undefined, trace);
    s.defaults?.(obj);
    const t = Date.now();
    const causes = this.validateCreate(s, obj, ctx);
    if (causes.length) {
      const err = this.invalid(s, md.name ?? '', causes);
      trace.step('validate', 'failure', err.message, t);
      throw err;
    }
    trace.step('validate', 'success', 'the object is valid', t);
    this.rest(s)?.beforeWrite?.(req, obj, undefined);
    this.addWarnings(req, s.warnings?.(obj, undefined));
    await this.runAdmission('validate', req, s, 'CREATE', obj, undefined, trace);
    if (req.query.dryRun === 'All') return obj;
    if (managed) recordUpdate(undefined, obj, this.manager(req), groupVersion(s.group, s.version), md.creationTimestamp!);
    const ts = Date.now();
    let stored: StoredValue;
    try {
      stored = await this.d.store.create(this.key(s, md.namespace, md.name!), obj);
    } catch (e) {
      const err = storeError(e, s, md.name!);
      trace.step('store', 'failure', err instanceof Error ? err.message : String(err), ts);
      throw err;
    }
    trace.step('store', 'success', `persisted at revision ${stored.modRevision}`, ts, { revision: stored.modRevision });
    return stored.value;
  }

  // ---- update -------------------------------------------------------------------------------

  private async update(req: ApiRequest, s: ResourceStrategy): Promise<unknown> {
    if (!req.name) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    const obj = this.bodyObject(req, s);
    if (obj.metadata.name && obj.metadata.name !== req.name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${req.name})`);
    }
    if (s.namespaced && obj.metadata.namespace && obj.metadata.namespace !== req.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    this.checkFields(req, s, req.body);
    const old = this.mustGet(s, req.namespace, req.name);
    if (req.subresource === 'scale') return this.writeScale(req, s, old, obj as unknown as Obj);
    const own = this.subresourceStorage(s, req.subresource);
    if (own?.update) return own.update(req, s, obj, old, this.generic);
    // a malformed version is the client's mistake (400), not a lost race (409)
    if (obj.metadata.resourceVersion && parseResourceVersion(String(obj.metadata.resourceVersion)) !== old.modRevision) {
      throw errors.conflict({ group: s.group || undefined, kind: s.resource, name: req.name });
    }
    return this.writeUpdate(req, s, old, obj, req.subresource);
  }

  /** The write path of every update (PUT, PATCH, subresources): preserve, prepare, admit, default, validate, store. */
  private async writeUpdate(
    req: ApiRequest,
    s: ResourceStrategy,
    old: StoredValue,
    next: KubeObject,
    subresource?: string,
    managed = true,
  ): Promise<KubeObject> {
    const ctx = this.ctx(req, 'update', s);
    const oldObj = old.value;
    const md = (next.metadata ?? (next.metadata = {})) as MutableMeta;
    md.name = oldObj.metadata.name;
    if (s.namespaced) md.namespace = oldObj.metadata.namespace;
    md.uid = oldObj.metadata.uid;
    md.creationTimestamp = oldObj.metadata.creationTimestamp;
    md.deletionTimestamp = oldObj.metadata.deletionTimestamp;
    md.deletionGracePeriodSeconds = oldObj.metadata.deletionGracePeriodSeconds;
    if (md.deletionTimestamp === undefined) delete md.deletionTimestamp;
    if (md.deletionGracePeriodSeconds === undefined) delete md.deletionGracePeriodSeconds;
    dropEmptyMetaLists(md);
    if (oldObj.metadata.generation !== undefined && md.generation === undefined) md.generation = oldObj.metadata.generation;
    next.apiVersion = oldObj.apiVersion;
    next.kind = oldObj.kind;
    const own = this.subresourceStorage(s, subresource);
    if (subresource === 'status') s.prepareForStatusUpdate?.(next, oldObj, ctx);
    else if (own?.prepareForUpdate) own.prepareForUpdate(next, oldObj);
    else s.prepareForUpdate?.(next, oldObj, ctx);
    await this.runAdmission('admit', req, s, 'UPDATE', next, oldObj);
    s.defaults?.(next);
    const causes = s.validateUpdate?.(next, oldObj, ctx) ?? [];
    if (causes.length) throw this.invalid(s, md.name ?? '', causes);
    if (!subresource) this.rest(s)?.beforeWrite?.(req, next, oldObj);
    if (!subresource) this.addWarnings(req, s.warnings?.(next, oldObj));
    await this.runAdmission('validate', req, s, 'UPDATE', next, oldObj);
    // a request that rewrites managedFields itself (kubectl's client-side to server-side apply upgrade) is taken as given
    const explicit = next.metadata.managedFields !== undefined && !sameJson(next.metadata.managedFields, oldObj.metadata.managedFields ?? []);
    if (managed && !explicit)
      recordUpdate(
        oldObj,
        next,
        this.manager(req),
        groupVersion(s.group, s.version),
        ctx.now.toISOString().replace(/\.\d+Z$/, 'Z'),
        subresource === 'status' || subresource === 'scale' ? subresource : undefined,
      );
    if (sameJson(stripForCompare(next), stripForCompare(oldObj)) && sameJson(next.metadata.managedFields ?? [], oldObj.metadata.managedFields ?? [])) {
      return oldObj;
    }
    if (sameJson(stripForCompare(next), stripForCompare(oldObj))) {
      // only managedFields timestamps moved: not a change worth a revision
      return oldObj;
    }
    if (req.query.dryRun === 'All') return next;
    const key = this.key(s, md.namespace, md.name!);
    try {
      if (this.readyToRemove(s, next, oldObj)) return (await this.d.store.delete(key, old.modRevision)).value;
      return (await this.d.store.update(key, next, old.modRevision)).value;
    } catch (e) {
      throw storeError(e, s, md.name!);
    }
  }

  /** An object being deleted whose last finalizer just went away is removed, as upstream. */
  private readyToRemove(s: ResourceStrategy, next: KubeObject, old: KubeObject): boolean {
    if (!next.metadata.deletionTimestamp) return false;
    if ((next.metadata.finalizers ?? []).length) return false;
    const rule = this.rest(s)?.shouldDeleteDuringUpdate;
    return rule ? rule(next, old) : (old.metadata.finalizers ?? []).length > 0;
  }

  // ---- patch --------------------------------------------------------------------------------

  private async patch(req: ApiRequest, s: ResourceStrategy, authzReason: string): Promise<unknown> {
    if (!req.name) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    const type = req.patchType;
    if (!type)
      throw errors.unsupportedMediaType(
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
      if (!isObj(req.body)) throw errors.badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      if (req.subresource !== 'scale') this.checkFields(req, s, req.body);
    }
    if (type === 'application/apply-patch+yaml') {
      if (!isObj(req.body)) throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
      this.checkFields(req, s, req.body, true);
      if (req.subresource !== 'scale') this.checkTypes(s, req.body);
      if (!req.query.fieldManager) throw errors.badRequest('PATCH /apply requires fieldManager to be set');
    }
    for (let attempt = 0; ; attempt++) {
      const old = this.d.store.get(this.key(s, req.namespace, req.name));
      try {
        if (type === 'application/apply-patch+yaml') return await this.apply(req, s, old, authzReason);
        if (!old) throw errors.notFound({ group: s.group || undefined, kind: s.resource, name: req.name });
        if (req.subresource === 'scale') {
          const scale = this.patchDoc(type, this.toScale(s, old.value), req.body) as Obj;
          return await this.writeScale(req, s, old, scale);
        }
        const patched = this.patchDoc(type, old.value, req.body) as KubeObject;
        if (!isObj(patched) || !isObj(patched.metadata)) throw errors.badRequest('the patch removed the object metadata');
        this.checkTypes(s, patched);
        const rv = patched.metadata.resourceVersion;
        if (rv && parseResourceVersion(String(rv)) !== old.modRevision)
          throw errors.conflict({ group: s.group || undefined, kind: s.resource, name: req.name });
        return await this.writeUpdate(req, s, old, patched, req.subresource);
      } catch (e) {
        // a concurrent write between our read and our write: retry, as upstream does for patches, from that write
        // once it is durable (get() serves durable state only; before, every retry would conflict with it again)
        if (isStatusError(e, 'Conflict') && attempt < PATCH_RETRIES && !e.message.startsWith('Apply failed') && !this.patchSetsVersion(req.body)) {
          await this.d.store.settled();
          continue;
        }
        throw e;
      }
    }
  }

  private patchSetsVersion(body: unknown): boolean {
    return isObj(body) && isObj(body.metadata) && body.metadata.resourceVersion !== undefined;
  }

  private patchDoc(type: string, doc: unknown, patch: unknown): unknown {
    switch (type) {
      case 'application/json-patch+json':
        return applyJsonPatch(doc, patch);
      case 'application/merge-patch+json':
        return applyMergePatch(doc, patch);
      case 'application/strategic-merge-patch+json':
        return applyStrategicMergePatch(doc, patch);
      default:
        throw errors.unsupportedMediaType(`unsupported patch type ${type}`);
    }
  }

  private async apply(req: ApiRequest, s: ResourceStrategy, old: StoredValue | undefined, authzReason: string): Promise<KubeObject> {
    const applied = structuredClone(req.body) as KubeObject;
    if (!isObj(applied.metadata)) applied.metadata = {};
    const gv = groupVersion(s.group, s.version);
    if (applied.apiVersion !== gv || applied.kind !== s.kind) {
      throw errors.badRequest(`the API version in the data (${applied.apiVersion}) does not match the expected API version (${gv})`);
    }
    if (applied.metadata.name && applied.metadata.name !== req.name) {
      throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${req.name})`);
    }
    const manager = req.query.fieldManager!;
    const force = req.query.force === 'true';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (!old) {
      if (req.subresource) throw errors.notFound({ group: s.group || undefined, kind: s.resource, name: req.name });
      const created = serverSideApply(undefined, applied, manager, force, gv, now);
      created.metadata.name = req.name;
      if (s.namespaced) created.metadata.namespace = req.namespace;
      const trace = new RequestTrace(s.group === '' && s.resource === 'pods');
      trace.step('authorize', 'success', authzReason, Date.now());
      try {
        return await this.createObject(req, s, created, trace, false);
      } finally {
        trace.flush(this.d.tracer, { namespace: created.metadata.namespace ?? '', name: created.metadata.name ?? '', uid: created.metadata.uid });
      }
    }
    const merged = serverSideApply(old.value, applied, manager, force, gv, now);
    return this.writeUpdate(req, s, old, merged, req.subresource, false);
  }

  // ---- scale --------------------------------------------------------------------------------

  private toScale(s: ResourceStrategy, obj: KubeObject): Obj {
    const spec = (obj.spec as Obj | undefined) ?? {};
    const status = (obj.status as Obj | undefined) ?? {};
    const md = obj.metadata;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: md.name, namespace: md.namespace, uid: md.uid, resourceVersion: md.resourceVersion, creationTimestamp: md.creationTimestamp },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector: labelSelectorString(spec.selector as never) },
    };
  }

  private async writeScale(req: ApiRequest, s: ResourceStrategy, old: StoredValue, scale: Obj): Promise<unknown> {
    const replicas = (scale.spec as Obj | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('Scale', 'autoscaling', req.name ?? '', [
        { field: 'spec.replicas', type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
      ]);
    }
    const rv = (scale.metadata as Obj | undefined)?.resourceVersion;
    if (rv && parseResourceVersion(String(rv)) !== old.modRevision) throw errors.conflict({ group: s.group || undefined, kind: s.resource, name: req.name });
    const next = structuredClone(old.value);
    next.spec = { ...((next.spec as Obj) ?? {}), replicas };
    const written = await this.writeUpdate(req, s, old, next, 'scale');
    return this.toScale(s, written);
  }

  // ---- subresources created by POST ---------------------------------------------------------

  private async createSubresource(req: ApiRequest, s: ResourceStrategy): Promise<unknown> {
    const own = this.subresourceStorage(s, req.subresource);
    if (!own?.create) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    return own.create(req, s, isObj(req.body) ? req.body : {}, this.generic);
  }

  // ---- delete -------------------------------------------------------------------------------

  private async delete(req: ApiRequest, s: ResourceStrategy): Promise<KubeObject> {
    if (!req.name) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    const old = this.mustGet(s, req.namespace, req.name);
    return this.deleteStored(req, s, old);
  }

  private async deleteStored(req: ApiRequest, s: ResourceStrategy, old: StoredValue): Promise<KubeObject> {
    const opts = isObj(req.body) ? req.body : {};
    const pre = (opts.preconditions as Obj | undefined) ?? {};
    const obj = old.value;
    const name = obj.metadata.name!;
    if (pre.uid && pre.uid !== obj.metadata.uid) {
      throw errors.conflict(
        { group: s.group || undefined, kind: s.resource, name },
        `Precondition failed: UID in precondition: ${pre.uid as string}, UID in object meta: ${obj.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== String(old.modRevision)) {
      throw errors.conflict(
        { group: s.group || undefined, kind: s.resource, name },
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion as string}, ResourceVersion in object meta: ${old.modRevision}`,
      );
    }
    const graceParam = req.query.gracePeriodSeconds ?? (opts.gracePeriodSeconds !== undefined ? String(opts.gracePeriodSeconds) : undefined);
    const requested = intParam(graceParam);
    const policy = (req.query.propagationPolicy ?? opts.propagationPolicy) as string | undefined;
    await this.runAdmission('validate', req, s, 'DELETE', undefined, obj);
    if (req.query.dryRun === 'All' || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All'))) return obj;

    const finalizers = [...(obj.metadata.finalizers ?? [])];
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    let grace = s.gracefulDelete?.(obj, requested);
    const instead = await this.rest(s)?.beforeDelete?.(req, s, old, this.generic);
    if (instead) return instead;
    const now = Date.now();
    if (obj.metadata.deletionTimestamp) {
      // already being deleted: a shorter grace period (0: now) may end it sooner
      const remaining = Date.parse(obj.metadata.deletionTimestamp) - now;
      if (finalizers.length === 0 && (grace === 0 || grace === undefined || requested === 0)) return this.remove(s, old);
      if (grace !== undefined && grace * 1000 < remaining) return this.markDeleting(s, old, finalizers, grace);
      return obj;
    }
    if (requested === 0 && grace !== undefined) grace = 0;
    if ((grace ?? 0) > 0 || finalizers.length) return this.markDeleting(s, old, finalizers, grace ?? 0);
    return this.remove(s, old);
  }

  private async remove(s: ResourceStrategy, old: StoredValue): Promise<KubeObject> {
    try {
      return (await this.d.store.delete(old.key, old.modRevision)).value;
    } catch (e) {
      throw storeError(e, s, old.value.metadata.name ?? '');
    }
  }

  private async markDeleting(
    s: ResourceStrategy,
    old: StoredValue,
    finalizers: string[],
    grace: number,
    change?: (next: KubeObject) => void,
  ): Promise<KubeObject> {
    const next = structuredClone(old.value);
    const md = next.metadata as MutableMeta;
    md.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    md.deletionGracePeriodSeconds = grace;
    if (finalizers.length) next.metadata.finalizers = finalizers;
    change?.(next);
    try {
      return (await this.d.store.update(old.key, next, old.modRevision)).value;
    } catch (e) {
      throw storeError(e, s, next.metadata.name ?? '');
    }
  }

  private async deleteCollection(req: ApiRequest, s: ResourceStrategy): Promise<unknown> {
    const filter = this.selectorFilter(req, s);
    const items = this.d.store.list(storePrefix(s, req.namespace), { filter }).items;
    const deleted: KubeObject[] = [];
    for (const item of items) {
      try {
        deleted.push(await this.deleteStored({ ...req, name: item.value.metadata.name }, s, item));
      } catch (e) {
        if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
      }
    }
    return {
      apiVersion: groupVersion(s.group, s.version),
      kind: `${s.kind}List`,
      metadata: { resourceVersion: String(this.d.store.revision) },
      items: deleted,
    };
  }

  // ---- watch --------------------------------------------------------------------------------

  async watch(req: ApiRequest, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch> {
    const served = this.resolve(req);
    const s = served.strategy;
    this.authorize(req, 'watch');
    if (served.storage) {
      if (!served.storage.watch) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
      return served.storage.watch(req, onEvent);
    }
    validateListOptions(req.query, true);
    const timeout = intParam(req.query.timeoutSeconds) ?? 0;
    const match = this.selectorFilter(req, s);
    const nameFilter = req.name ?? req.query.fieldSelector?.match(/^metadata\.name=([^,]+)$/)?.[1];
    const accept = (o: KubeObject) => match(o) && (!req.name || o.metadata.name === nameFilter);
    const everything = match === acceptAll && !req.name;
    const prefix = storePrefix(s, req.namespace);
    const rvParam = req.query.resourceVersion;
    let from: number;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    let stopped = false;
    let handle: { cancel(): void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let bookmarkTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      handle?.cancel();
      if (timer) clearTimeout(timer);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      done();
    };
    const emit = (ev: ApiWatchEvent) => {
      if (stopped) return;
      try {
        onEvent(ev);
      } catch (e) {
        log.warn('watch consumer failed', { error: String(e) });
        stop();
      }
    };
    if (!rvParam || rvParam === '0') {
      // unset or "0": the current state as ADDED events, then changes
      const list = this.d.store.list(prefix, { filter: accept });
      from = list.revision;
      for (const i of list.items) emit({ type: 'ADDED', object: i.value });
    } else {
      from = parseResourceVersion(rvParam);
    }
    let last = from;
    try {
      handle = this.d.store.watch(prefix, from, (ev) => {
        last = ev.revision;
        const now = accept(ev.value);
        const hasPrev = 'prevValue' in ev;
        // the previous version is decoded only when it decides (a selector that could have matched it)
        const before = () => hasPrev && (everything || accept(ev.prevValue!));
        if (ev.type === 'ADDED') {
          if (now) emit({ type: 'ADDED', object: ev.value });
        } else if (ev.type === 'DELETED') {
          if (now || before()) emit({ type: 'DELETED', object: ev.value });
        } else if (now && (!hasPrev || before())) {
          emit({ type: 'MODIFIED', object: ev.value });
        } else if (now) {
          emit({ type: 'ADDED', object: ev.value });
        } else if (before()) {
          emit({ type: 'DELETED', object: ev.value });
        }
      });
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Expired') {
        emit({
          type: 'ERROR',
          object: errors.expired(`too old resource version: ${from} (${this.d.store.compactedRevision})`).toStatus() as unknown as KubeObject,
        });
        stop();
        return { stop, done: finished };
      }
      throw storeError(e, s, '');
    }
    if (timeout > 0) timer = setTimeout(stop, timeout * 1000);
    if (req.query.allowWatchBookmarks === 'true') {
      const gv = groupVersion(s.group, s.version);
      bookmarkTimer = setInterval(
        () => emit({ type: 'BOOKMARK', object: { apiVersion: gv, kind: s.kind, metadata: { resourceVersion: String(last) } } }),
        this.d.bookmarkIntervalMs ?? 10_000,
      );
      // a watch alone (an in-process informer) must not keep the process alive
      bookmarkTimer.unref?.();
    }
    return { stop, done: finished };
  }
}
