// The admission contract: the API server calls each plugin, in order, between authorization and
// validation, as upstream's admission chain (mutating plugins first, then validating ones).
import type { KubeObject } from '../../api/object';
import type { Client } from '../../client/types';
import type { UserInfo } from '../types';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  /** the object being written; mutating plugins change it in place (undefined for DELETE) */
  object?: KubeObject;
  /** the stored object for UPDATE and DELETE */
  oldObject?: KubeObject;
  user: UserInfo;
  /** '' for cluster-scoped resources */
  namespace: string;
  /** name of the object (may be empty on create with generateName) */
  name: string;
  group: string;
  version: string;
  /** plural: `pods` */
  resource: string;
  /** '' or e.g. `status`, `binding`, `eviction`, `exec` */
  subresource: string;
  kind: string;
  dryRun: boolean;
  /** an in-process client with full rights, for plugins that read (namespaces, limitranges, quotas) or write (quota status) */
  client: Client;
  /**
   * The request's namespace object as stored (undefined when there is none), read once per request and shared by
   * the plugins that need it (NamespaceLifecycle, PodSecurity), as upstream's namespace lister serves them.
   * Read only: it may be the same object for every plugin. Absent in tests that build attributes by hand.
   */
  namespaceObject?: () => Promise<KubeObject | undefined>;
  /**
   * A plugin reports what it changed, for the pod's flow view (`admit:LimitRanger` step):
   * e.g. attrs.note('set default cpu request 100m on container web').
   */
  note(message: string): void;
  /** A warning for the client: the response's `Warning` header, which kubectl prints as `Warning: ...`. */
  warn(message: string): void;
}

/**
 * One admission plugin. Throw a StatusError (main/api/errors.ts) to refuse the request, e.g.
 * errors.forbidden('unable to create new content in namespace x because it is being terminated').
 */
export interface AdmissionPlugin {
  /** upstream's name: `NamespaceLifecycle`, `ServiceAccount`, `LimitRanger`, `PodSecurity`, `ResourceQuota`, `DefaultTolerationSeconds` */
  name: string;
  /** mutating phase, run in chain order */
  admit?(attrs: AdmissionAttributes): Promise<void>;
  /** validating phase, run after every admit and after defaulting */
  validate?(attrs: AdmissionAttributes): Promise<void>;
  /** ends what the plugin started (its listers' watches) when the API server closes */
  stop?(): void;
}

/**
 * What main/apiserver/admission/index.ts exports (the admission engineer writes it):
 *   export function admissionPlugins(): AdmissionPlugin[]   // in upstream's order
 * The API server imports it when present and runs the chain for every write.
 */
export type AdmissionPluginsFactory = () => AdmissionPlugin[];
