// The store in the role of etcd: one global revision, optimistic concurrency, watch from a
// revision, durable before acknowledging. Values are API objects (JSON); the store sets
// `metadata.resourceVersion` to the revision of the write that produced them.
import type { KubeObject } from '../api/object';

export interface StoredValue {
  key: string;
  value: KubeObject;
  /** revision of the last write to this key (= value.metadata.resourceVersion) */
  modRevision: number;
  /** revision at which this key was created */
  createRevision: number;
}

export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  /** for DELETED: the last value, with resourceVersion set to the deletion's revision */
  value: KubeObject;
  prevValue?: KubeObject;
  revision: number;
}

export interface ListOptions {
  /** max items to return; 0/undefined = all */
  limit?: number;
  /** opaque token from a previous page's `continue` */
  continue?: string;
  /** list as of this revision (must be inside the history window, else StoreError Expired) */
  revision?: number;
  /** only values for which this returns true count toward `limit` (selectors are applied here) */
  filter?: (value: KubeObject) => boolean;
}

export interface ListResult {
  items: StoredValue[];
  /** the revision the list is consistent at */
  revision: number;
  /** token for the next page, if any */
  continue?: string;
  /** how many more items remain (approximate), when a page was cut */
  remainingItemCount?: number;
}

export type StoreErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'InvalidContinue' | 'Closed';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface WatchHandle {
  cancel(): void;
}

export interface Store {
  /** the current (latest committed) revision */
  readonly revision: number;
  /** the oldest revision a watch or list may start from */
  readonly compactedRevision: number;

  get(key: string): StoredValue | undefined;
  /** keys with this prefix, in key order */
  list(prefix: string, opts?: ListOptions): ListResult;

  /** Resolves once durable (fsync'd). Rejects with StoreError AlreadyExists. */
  create(key: string, value: KubeObject): Promise<StoredValue>;
  /** Rejects NotFound, or Conflict when expectedRevision is given and differs from modRevision. */
  update(key: string, value: KubeObject, expectedRevision?: number): Promise<StoredValue>;
  delete(key: string, expectedRevision?: number): Promise<StoredValue>;
  /** Resolves once every write accepted so far is durable or failed: get() then shows what a Conflict was about. */
  settled(): Promise<void>;

  /**
   * Events for keys under prefix with revision > fromRevision, in revision order: first the
   * history, then live. Throws StoreError Expired if fromRevision < compactedRevision.
   */
  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void): WatchHandle;

  close(): Promise<void>;
}
