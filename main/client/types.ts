// The in-process client every component uses: list + watch + create/update/patch, as in client-go.
import type { KubeList, KubeObject } from '../api/object';
import type { ApiWatch, ApiWatchEvent, PatchType } from '../apiserver/types';

export interface ResourceType {
  /** '' for core */
  group: string;
  version: string;
  /** plural: `pods` */
  resource: string;
  kind: string;
  namespaced: boolean;
}

const rt = (group: string, version: string, resource: string, kind: string, namespaced = true): ResourceType => ({
  group,
  version,
  resource,
  kind,
  namespaced,
});

/** The resource types components talk about. */
export const R = {
  namespaces: rt('', 'v1', 'namespaces', 'Namespace', false),
  nodes: rt('', 'v1', 'nodes', 'Node', false),
  pods: rt('', 'v1', 'pods', 'Pod'),
  events: rt('', 'v1', 'events', 'Event'),
  services: rt('', 'v1', 'services', 'Service'),
  endpoints: rt('', 'v1', 'endpoints', 'Endpoints'),
  endpointslices: rt('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  configmaps: rt('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: rt('', 'v1', 'secrets', 'Secret'),
  serviceaccounts: rt('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  resourcequotas: rt('', 'v1', 'resourcequotas', 'ResourceQuota'),
  limitranges: rt('', 'v1', 'limitranges', 'LimitRange'),
  deployments: rt('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: rt('apps', 'v1', 'replicasets', 'ReplicaSet'),
  daemonsets: rt('apps', 'v1', 'daemonsets', 'DaemonSet'),
  controllerrevisions: rt('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  jobs: rt('batch', 'v1', 'jobs', 'Job'),
  cronjobs: rt('batch', 'v1', 'cronjobs', 'CronJob'),
  leases: rt('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  roles: rt('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  clusterroles: rt('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  rolebindings: rt('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  clusterrolebindings: rt('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  podtraces: rt('lab.kubelab.io', 'v1', 'podtraces', 'PodTrace'),
} as const;

export const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WriteOptions {
  namespace?: string;
  subresource?: string;
  /** for subresource writes on a named object (pods/binding, pods/eviction) */
  name?: string;
  fieldManager?: string;
  dryRun?: boolean;
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export interface DeleteOptions {
  namespace?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface Client {
  get<T extends KubeObject = KubeObject>(type: ResourceType, name: string, namespace?: string, subresource?: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(type: ResourceType, opts?: ListOptions): Promise<KubeList<T>>;
  watch(type: ResourceType, opts: WatchOptions, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch>;
  create<T extends KubeObject = KubeObject>(type: ResourceType, obj: KubeObject | Record<string, unknown>, opts?: WriteOptions): Promise<T>;
  update<T extends KubeObject = KubeObject>(type: ResourceType, obj: KubeObject, opts?: WriteOptions): Promise<T>;
  patch<T extends KubeObject = KubeObject>(type: ResourceType, name: string, patchType: PatchType, patch: unknown, opts?: PatchOptions): Promise<T>;
  delete<T extends KubeObject = KubeObject>(type: ResourceType, name: string, opts?: DeleteOptions): Promise<T>;
}
