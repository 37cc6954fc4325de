// The API server's core contract: one request shape for HTTP and in-process callers alike.
// The HTTP layer parses a URL into an ApiRequest; the in-process client builds one directly.
// Both go through the same chain: authorization, admission, validation, store, trace.
import type { KubeObject } from '../api/object';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  /** upstream's user.Info extra: e.g. the pod a bound service-account token belongs to */
  extra?: Record<string, string[]>;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type PatchType =
  'application/json-patch+json' | 'application/merge-patch+json' | 'application/strategic-merge-patch+json' | 'application/apply-patch+yaml';

export interface ApiRequest {
  verb: Verb;
  /** '' for the core group */
  group: string;
  version: string;
  /** plural resource name: `pods` */
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** parsed JSON body (create/update) or the patch document (object, array, or YAML string for apply) */
  body?: unknown;
  patchType?: PatchType;
  /** URL query parameters as given: labelSelector, fieldSelector, limit, continue, resourceVersion, watch, timeoutSeconds, dryRun, fieldManager, fieldValidation, force, gracePeriodSeconds, propagationPolicy, ... */
  query: Record<string, string>;
  user: UserInfo;
  userAgent?: string;
  /** how the user was authenticated (`admin token`, `service account token`), for the pod flow view */
  authenticatedBy?: string;
  /** filled by the core: warnings for the response's `Warning` headers (e.g. unknown fields under fieldValidation=Warn) */
  warnings?: string[];
}

export interface ApiWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** the object, or a Status for ERROR */
  object: KubeObject;
}

export interface ApiWatch {
  stop(): void;
  /** resolves when the watch ends (stopped, timed out, or after an ERROR event) */
  done: Promise<void>;
}

export interface ApiServerCore {
  /** Everything but watch and streaming subresources. Resolves to the response object; throws StatusError. */
  handle(req: ApiRequest): Promise<unknown>;
  /** verb 'watch' (or list with watch=true). Throws StatusError before any event if the request is refused. */
  watch(req: ApiRequest, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch>;
}

/**
 * Streaming subresources (pods/log, pods/exec, pods/attach, pods/portforward) are served by the
 * node side (kubelet + runtime), as upstream's apiserver proxies them to the kubelet. The HTTP layer
 * authenticates and authorizes the request, then hands the raw connection to this handler;
 * until one is set, these answer 501 NotImplemented.
 */
export interface StreamHandler {
  /** GET pods/log: write the log (plain text) to res; follow keeps it open. */
  log(req: ApiRequest, res: import('node:http').ServerResponse): Promise<void>;
  /** Upgrade (WebSocket) requests for pods/exec, pods/attach and pods/portforward. */
  upgrade(req: ApiRequest, httpReq: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void;
}
