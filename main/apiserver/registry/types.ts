// One strategy per resource: what the generic handlers need to know about it.
// The generic machinery (apiserver/) does storage, watch, patch, selectors, tables framing;
// a ResourceStrategy supplies the resource-specific rules, as upstream's pkg/registry does.
import type { FieldError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import type { StoredValue } from '../../store/types';
import type { ApiRequest, UserInfo } from '../types';

export interface TableColumn {
  name: string;
  /** 'string' | 'integer' | 'date' | 'number' | 'boolean' */
  type: string;
  format?: string;
  description?: string;
  /** 0 = shown by default; 1 = only with -o wide */
  priority: 0 | 1;
}

export interface StrategyContext {
  user: UserInfo;
  /** 'create' | 'update' */
  operation: 'create' | 'update' | 'delete';
  /** current time, for fields like creationTimestamp or status ages */
  now: Date;
  /** every stored object of this resource, in all namespaces (e.g. Services, to allocate unused addresses) */
  stored?(): KubeObject[];
}

/** A JSON schema (OpenAPI v3 subset) used for /openapi/v3, `kubectl explain` and strict field validation. */
export type Schema = Record<string, unknown>;

export interface ResourceStrategy {
  group: string;
  version: string;
  kind: string;
  /** plural, lower case: `pods` */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** verbs listed in discovery */
  verbs: string[];
  /** e.g. ['status', 'binding', 'log', 'exec', 'eviction'] or ['status', 'scale'] */
  subresources?: string[];
  /** the object's schema (for OpenAPI and strict field validation); refs resolved by the registry */
  schema?: Schema;

  /** set defaults in place (called on create and update, after admission mutation) */
  defaults?(obj: KubeObject): void;
  /** create: e.g. drop status, set generation 1 */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** update of the main resource: e.g. keep old status, bump generation on spec change */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  /** status subresource update: keep spec and metadata from old except what status may change */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  validate?(obj: KubeObject, ctx: StrategyContext): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];

  /** warnings for the response's `Warning` headers, on create (old undefined) and update (upstream's WarningsOnCreate/Update) */
  warnings?(obj: KubeObject, old: KubeObject | undefined): string[];

  /** columns for `kubectl get` (Table) and the row cells for one object, same order */
  tableColumns?: TableColumn[];
  tableRow?(obj: KubeObject, now: Date): unknown[];

  /** field selector values beyond metadata.name/metadata.namespace, e.g. {'spec.nodeName': ..., 'status.phase': ...} */
  selectableFields?(obj: KubeObject): Record<string, string>;

  /** pods: graceful deletion (deletionTimestamp + grace) instead of immediate removal */
  gracefulDelete?(obj: KubeObject, requestedGrace: number | undefined): number | undefined;
}

/**
 * What a resource's own storage may use of the generic store (upstream's genericregistry.Store), so that the core
 * stays resource-agnostic and a subresource's rules live in registry/ beside its resource.
 */
export interface GenericStore {
  /** the stored object, or 404 */
  get(s: ResourceStrategy, namespace: string | undefined, name: string): StoredValue;
  /** a compare-and-swap write of the whole object that skips admission and validation: the caller owns the change */
  guaranteedUpdate(s: ResourceStrategy, old: StoredValue, next: KubeObject): Promise<KubeObject>;
  /** the write path of every update: preserve, prepare, admit, default, validate, managedFields, store */
  update(req: ApiRequest, s: ResourceStrategy, old: StoredValue, next: KubeObject, subresource: string): Promise<KubeObject>;
  /** a DELETE of the named object with the given DeleteOptions, already authorized by the caller's own verb */
  delete(req: ApiRequest, s: ResourceStrategy, options: Record<string, unknown>): Promise<KubeObject>;
  /** sets deletionTimestamp (now + grace) and the finalizers; `change` may adjust the object in the same write */
  markDeleting(s: ResourceStrategy, old: StoredValue, finalizers: string[], grace: number, change?: (next: KubeObject) => void): Promise<KubeObject>;
}

/** A subresource with storage of its own (upstream's BindingREST, EvictionREST, TokenREST, FinalizeREST). */
export interface SubresourceStorage {
  /** the body is the resource's own kind (finalize takes a Namespace), checked against its schema */
  parentKind?: boolean;
  /** POST: e.g. a Binding, an Eviction, a TokenRequest */
  create?(req: ApiRequest, s: ResourceStrategy, body: Record<string, unknown>, store: GenericStore): Promise<unknown>;
  /** PUT of the subresource */
  update?(req: ApiRequest, s: ResourceStrategy, body: KubeObject, old: StoredValue, store: GenericStore): Promise<unknown>;
  /** instead of the strategy's prepareForUpdate, for any update through this subresource (upstream's per-subresource strategy) */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
}

/** What a resource's storage does beyond the generic store (upstream's per-resource REST). */
export interface ResourceStorage {
  subresources?: Record<string, SubresourceStorage>;
  /**
   * Before a create (old undefined) or update of the main resource is stored, after validation: throw to refuse it
   * (RBAC: upstream's policybased storage refuses a role or binding that would grant what its writer does not hold).
   */
  beforeWrite?(req: ApiRequest, obj: KubeObject, old: KubeObject | undefined): void;
  /**
   * Before the generic delete of a stored object (after admission): an object to answer with instead, or undefined to
   * go on (namespaces: Terminating while spec.finalizers remain).
   */
  beforeDelete?(req: ApiRequest, s: ResourceStrategy, old: StoredValue, store: GenericStore): Promise<KubeObject | undefined>;
  /**
   * Whether an update that leaves a deleting object without finalizers removes it (upstream's ShouldDeleteDuringUpdate);
   * the generic rule is: when the old object still had finalizers.
   */
  shouldDeleteDuringUpdate?(next: KubeObject, old: KubeObject): boolean;
}
