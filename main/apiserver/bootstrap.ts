// What a new cluster starts with, as upstream's bootstrap controllers: the four namespaces, the
// `kubernetes` Service, and the RBAC roles (cluster-admin, admin, edit, view, components').
import type { KubeObject } from '../api/object';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const all = [...read, ...write];
const RBAC_V1 = 'rbac.authorization.k8s.io/v1';

const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs });

const viewRules: PolicyRule[] = [
  rule(
    [''],
    [
      'pods',
      'pods/log',
      'pods/status',
      'services',
      'services/status',
      'endpoints',
      'configmaps',
      'events',
      'serviceaccounts',
      'limitranges',
      'resourcequotas',
      'resourcequotas/status',
      'namespaces',
      'namespaces/status',
      'replicationcontrollers',
      'persistentvolumeclaims',
    ],
    read,
  ),
  rule(
    ['apps'],
    [
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'daemonsets',
      'daemonsets/status',
      'statefulsets',
      'controllerrevisions',
    ],
    read,
  ),
  rule(['batch'], ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status'], read),
  rule(['coordination.k8s.io'], ['leases'], read),
  rule(['discovery.k8s.io'], ['endpointslices'], read),
  rule(['lab.kubelab.io'], ['podtraces'], read),
];

const editRules: PolicyRule[] = [
  rule(
    [''],
    [
      'pods',
      'pods/attach',
      'pods/exec',
      'pods/portforward',
      'pods/proxy',
      'pods/eviction',
      'services',
      'endpoints',
      'configmaps',
      'secrets',
      'serviceaccounts',
      'serviceaccounts/token',
      'replicationcontrollers',
      'persistentvolumeclaims',
      'events',
    ],
    all,
  ),
  rule([''], ['secrets'], read),
  rule(['apps'], ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'daemonsets', 'statefulsets', 'statefulsets/scale'], all),
  rule(['batch'], ['jobs', 'cronjobs'], all),
  rule(['coordination.k8s.io'], ['leases'], all),
  ...viewRules,
];

const adminRules: PolicyRule[] = [
  ...editRules,
  rule(['rbac.authorization.k8s.io'], ['roles', 'rolebindings'], all),
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
];

const clusterRole = (name: string, rules: PolicyRule[], labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: RBAC_V1,
  kind: 'ClusterRole',
  metadata: {
    name,
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  },
  rules,
});

const clusterBinding = (name: string, role: string, subjects: { kind: string; name: string; namespace?: string }[]): KubeObject => ({
  apiVersion: RBAC_V1,
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: subjects.map((s) => ({ ...(s.kind === 'ServiceAccount' ? {} : { apiGroup: 'rbac.authorization.k8s.io' }), ...s })),
});

/** Identities of the lab's own components, bound to the roles below. */
export const componentUsers = {
  scheduler: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
  controllerManager: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
  /** a kubelet: `system:node:<node name>` */
  node: (name: string) => ({ username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] }),
  proxy: { username: 'system:kube-proxy', groups: ['system:authenticated'] },
};

const privileged = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
};

/**
 * Pod Security levels of the namespaces the lab makes: the system ones run anything (as upstream's kube-system);
 * `default` runs what the seeds' pods need (hostPort) but warns of what baseline, the level of namespaces users
 * create, would refuse.
 */
export const SYSTEM_NAMESPACE_LEVELS: Record<string, Record<string, string>> = {
  default: {
    'pod-security.kubernetes.io/enforce': 'privileged',
    'pod-security.kubernetes.io/audit': 'baseline',
    'pod-security.kubernetes.io/warn': 'baseline',
  },
  'kube-system': privileged,
  'kube-public': privileged,
  'kube-node-lease': privileged,
};

export function bootstrapObjects(apiPort: number): { resource: string; group: string; object: KubeObject }[] {
  const ns = (name: string) => ({
    resource: 'namespaces',
    group: '',
    object: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...SYSTEM_NAMESPACE_LEVELS[name] } },
      spec: { finalizers: ['kubernetes'] },
    } as KubeObject,
  });
  const rbac = (resource: string, object: KubeObject) => ({ resource, group: 'rbac.authorization.k8s.io', object });
  return [
    ns('default'),
    ns('kube-system'),
    ns('kube-public'),
    ns('kube-node-lease'),
    {
      resource: 'services',
      group: '',
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: {
          type: 'ClusterIP',
          clusterIP: '10.96.0.1',
          clusterIPs: ['10.96.0.1'],
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort || 6443 }],
          sessionAffinity: 'None',
        },
      },
    },
    rbac('clusterroles', clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), { nonResourceURLs: ['*'], verbs: ['*'] }])),
    rbac('clusterroles', clusterRole('admin', adminRules, { 'kubernetes.io/bootstrapping': 'rbac-defaults' })),
    rbac('clusterroles', clusterRole('edit', editRules)),
    rbac('clusterroles', clusterRole('view', viewRules)),
    rbac(
      'clusterroles',
      clusterRole('system:basic-user', [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create'])]),
    ),
    rbac(
      'clusterroles',
      clusterRole('system:kube-scheduler', [
        rule([''], ['pods', 'nodes', 'namespaces', 'services', 'persistentvolumeclaims', 'persistentvolumes', 'replicationcontrollers'], read),
        rule([''], ['pods/binding', 'bindings'], ['create']),
        rule([''], ['pods/status'], ['patch', 'update']),
        rule([''], ['events'], ['create', 'patch', 'update']),
        rule(['apps'], ['replicasets', 'statefulsets'], read),
        rule(['coordination.k8s.io'], ['leases'], all),
        rule(['lab.kubelab.io'], ['podtraces'], all),
      ]),
    ),
    // one identity for all controllers: the lab runs them in one process, as kube-controller-manager does
    rbac(
      'clusterroles',
      clusterRole('system:kube-controller-manager', [
        rule(['', 'apps', 'batch', 'coordination.k8s.io', 'discovery.k8s.io', 'lab.kubelab.io', 'rbac.authorization.k8s.io'], ['*'], all),
      ]),
    ),
    rbac(
      'clusterroles',
      clusterRole('system:node', [
        rule([''], ['pods'], [...read, 'create', 'delete']),
        rule([''], ['pods/status'], ['patch', 'update']),
        rule([''], ['pods/eviction'], ['create']),
        rule([''], ['nodes'], all),
        rule([''], ['nodes/status'], ['patch', 'update']),
        rule([''], ['configmaps', 'secrets', 'services', 'endpoints', 'namespaces'], read),
        rule([''], ['serviceaccounts/token'], ['create']),
        rule([''], ['events'], ['create', 'patch', 'update']),
        rule(['coordination.k8s.io'], ['leases'], all),
        rule(['lab.kubelab.io'], ['podtraces'], all),
      ]),
    ),
    rbac(
      'clusterroles',
      clusterRole('system:node-proxier', [
        rule([''], ['services', 'endpoints', 'nodes', 'pods'], read),
        rule(['discovery.k8s.io'], ['endpointslices'], read),
        rule([''], ['events'], ['create', 'patch', 'update']),
      ]),
    ),
    // upstream's per-controller role, for a controller run under its own service account
    rbac(
      'clusterroles',
      clusterRole('system:controller:endpointslice-controller', [
        rule([''], ['services', 'pods', 'nodes'], read),
        rule([''], ['services/finalizers'], ['update']),
        rule(['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'create', 'update', 'delete']),
        rule(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']),
      ]),
    ),
    rbac(
      'clusterroles',
      clusterRole('system:controller:endpointslicemirroring-controller', [
        rule([''], ['services', 'endpoints'], read),
        rule([''], ['endpoints/finalizers'], ['update']),
        rule(['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'create', 'update', 'delete']),
        rule(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']),
      ]),
    ),
    rbac('clusterroles', clusterRole('system:kubelab:tracer', [rule(['lab.kubelab.io'], ['podtraces'], all), rule([''], ['pods'], read)])),
    rbac('clusterrolebindings', clusterBinding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }])),
    rbac('clusterrolebindings', clusterBinding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }])),
    rbac('clusterrolebindings', clusterBinding('system:kube-scheduler', 'system:kube-scheduler', [{ kind: 'User', name: 'system:kube-scheduler' }])),
    rbac(
      'clusterrolebindings',
      clusterBinding('system:kube-controller-manager', 'system:kube-controller-manager', [{ kind: 'User', name: 'system:kube-controller-manager' }]),
    ),
    rbac('clusterrolebindings', clusterBinding('system:node', 'system:node', [{ kind: 'Group', name: 'system:nodes' }])),
    rbac(
      'clusterrolebindings',
      clusterBinding('system:controller:endpointslice-controller', 'system:controller:endpointslice-controller', [
        { kind: 'ServiceAccount', name: 'endpointslice-controller', namespace: 'kube-system' },
      ]),
    ),
    rbac(
      'clusterrolebindings',
      clusterBinding('system:controller:endpointslicemirroring-controller', 'system:controller:endpointslicemirroring-controller', [
        { kind: 'ServiceAccount', name: 'endpointslicemirroring-controller', namespace: 'kube-system' },
      ]),
    ),
    rbac('clusterrolebindings', clusterBinding('system:node-proxier', 'system:node-proxier', [{ kind: 'User', name: 'system:kube-proxy' }])),
    rbac('clusterrolebindings', clusterBinding('system:kubelab:tracer', 'system:kubelab:tracer', [{ kind: 'User', name: 'system:kubelab:tracer' }])),
  ];
}
