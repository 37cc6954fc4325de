// The in-process client: the same ApiRequest chain as HTTP (authorization, admission, validation,
// store), without serialization over a socket. What every component of the lab uses.
import type { KubeList, KubeObject } from '../api/object';
import type { ApiRequest, ApiServerCore, ApiWatch, ApiWatchEvent, PatchType, UserInfo } from '../apiserver/types';
import type { Client, DeleteOptions, ListOptions, PatchOptions, ResourceType, WatchOptions, WriteOptions } from './types';

const USER_AGENT = 'kubelab-in-process/v1.32.0';

function listQuery(o: ListOptions): Record<string, string> {
  const q: Record<string, string> = {};
  if (o.labelSelector) q.labelSelector = o.labelSelector;
  if (o.fieldSelector) q.fieldSelector = o.fieldSelector;
  if (o.limit) q.limit = String(o.limit);
  if (o.continue) q.continue = o.continue;
  if (o.resourceVersion !== undefined) q.resourceVersion = o.resourceVersion;
  return q;
}

function writeQuery(o: WriteOptions | undefined): Record<string, string> {
  const q: Record<string, string> = {};
  if (o?.fieldManager) q.fieldManager = o.fieldManager;
  if (o?.dryRun) q.dryRun = 'All';
  return q;
}

export function inProcessClient(core: ApiServerCore, user: UserInfo, userAgent = USER_AGENT): Client {
  const base = (t: ResourceType, namespace: string | undefined): Pick<ApiRequest, 'group' | 'version' | 'resource' | 'namespace' | 'user' | 'userAgent'> => ({
    group: t.group,
    version: t.version,
    resource: t.resource,
    namespace: t.namespaced ? namespace : undefined,
    user,
    userAgent,
  });
  return {
    async get<T extends KubeObject>(t: ResourceType, name: string, namespace?: string, subresource?: string) {
      return (await core.handle({ ...base(t, namespace), verb: 'get', name, subresource, query: {} })) as T;
    },
    async list<T extends KubeObject>(t: ResourceType, opts: ListOptions = {}) {
      return (await core.handle({ ...base(t, opts.namespace), verb: 'list', query: listQuery(opts) })) as KubeList<T>;
    },
    watch(t: ResourceType, opts: WatchOptions, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch> {
      const query: Record<string, string> = { ...listQuery(opts), watch: 'true' };
      if (opts.allowWatchBookmarks) query.allowWatchBookmarks = 'true';
      if (opts.timeoutSeconds) query.timeoutSeconds = String(opts.timeoutSeconds);
      return core.watch({ ...base(t, opts.namespace), verb: 'watch', query }, onEvent);
    },
    async create<T extends KubeObject>(t: ResourceType, obj: KubeObject | Record<string, unknown>, opts?: WriteOptions) {
      const md = (obj as KubeObject).metadata;
      const namespace = opts?.namespace ?? md?.namespace;
      const name = opts?.subresource ? (opts.name ?? md?.name) : undefined;
      return (await core.handle({ ...base(t, namespace), verb: 'create', name, subresource: opts?.subresource, body: obj, query: writeQuery(opts) })) as T;
    },
    async update<T extends KubeObject>(t: ResourceType, obj: KubeObject, opts?: WriteOptions) {
      const namespace = opts?.namespace ?? obj.metadata.namespace;
      return (await core.handle({
        ...base(t, namespace),
        verb: 'update',
        name: opts?.name ?? obj.metadata.name,
        subresource: opts?.subresource,
        body: obj,
        query: writeQuery(opts),
      })) as T;
    },
    async patch<T extends KubeObject>(t: ResourceType, name: string, patchType: PatchType, patch: unknown, opts?: PatchOptions) {
      const query = writeQuery(opts);
      if (opts?.force) query.force = 'true';
      if (patchType === 'application/apply-patch+yaml' && !query.fieldManager) query.fieldManager = 'kubelab';
      return (await core.handle({ ...base(t, opts?.namespace), verb: 'patch', name, subresource: opts?.subresource, patchType, body: patch, query })) as T;
    },
    async delete<T extends KubeObject>(t: ResourceType, name: string, opts: DeleteOptions = {}) {
      const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
      if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
      if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
      if (opts.preconditions) body.preconditions = opts.preconditions;
      return (await core.handle({ ...base(t, opts.namespace), verb: 'delete', name, body, query: {} })) as T;
    },
  };
}
