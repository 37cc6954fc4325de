// One strategy per resource: what the generic handlers need to know about it.
// The generic machinery (apiserver/) does storage, watch, patch, selectors, tables framing;
// a ResourceStrategy supplies the resource-specific rules, as upstream's pkg/registry does.
import type { FieldError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import type { UserInfo } from '../types';

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
