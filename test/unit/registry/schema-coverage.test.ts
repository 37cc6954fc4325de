// Every field of the upstream types (as kubernetes-types declares them) is in our schemas, so strict
// field validation never refuses a field a user may rightly write.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { strategyFor } from '../../../main/apiserver/registry';

const typesDir = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));

function upstreamFields(file: string, iface: string): string[] {
  const s = readFileSync(join(typesDir, file), 'utf8');
  const i = s.indexOf(`export interface ${iface} {`);
  if (i < 0) throw new Error(`${iface} not in ${file}`);
  const body = s.slice(i, s.indexOf('\n}', i));
  return [...body.matchAll(/^\s{4}(?:readonly )?(\w+)\??:/gm)].map((m) => m[1]);
}

const at = (group: string, resource: string, path: string) =>
  path
    .split('.')
    .filter(Boolean)
    .reduce((a: any, k) => (k === '[]' ? a?.items : a?.properties?.[k]), strategyFor(group, resource)!.schema);

// volume sources for cloud and legacy storage drivers the lab cannot mount
const legacyVolumes = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'iscsi',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
];

const rows: [string, string, string, string, string, string[]?][] = [
  ['core/v1.d.ts', 'PodSpec', '', 'pods', 'spec'],
  ['core/v1.d.ts', 'Container', '', 'pods', 'spec.containers.[]'],
  ['core/v1.d.ts', 'Container', '', 'pods', 'spec.initContainers.[]'],
  ['core/v1.d.ts', 'Volume', '', 'pods', 'spec.volumes.[]', legacyVolumes],
  ['core/v1.d.ts', 'Probe', '', 'pods', 'spec.containers.[].readinessProbe'],
  ['core/v1.d.ts', 'Lifecycle', '', 'pods', 'spec.containers.[].lifecycle'],
  ['core/v1.d.ts', 'SecurityContext', '', 'pods', 'spec.containers.[].securityContext'],
  ['core/v1.d.ts', 'PodSecurityContext', '', 'pods', 'spec.securityContext'],
  ['core/v1.d.ts', 'Affinity', '', 'pods', 'spec.affinity'],
  ['core/v1.d.ts', 'Toleration', '', 'pods', 'spec.tolerations.[]'],
  ['core/v1.d.ts', 'TopologySpreadConstraint', '', 'pods', 'spec.topologySpreadConstraints.[]'],
  ['core/v1.d.ts', 'PodStatus', '', 'pods', 'status'],
  ['core/v1.d.ts', 'ContainerStatus', '', 'pods', 'status.containerStatuses.[]'],
  ['meta/v1.d.ts', 'ObjectMeta', '', 'pods', 'metadata'],
  ['core/v1.d.ts', 'NodeSpec', '', 'nodes', 'spec'],
  ['core/v1.d.ts', 'NodeStatus', '', 'nodes', 'status'],
  ['core/v1.d.ts', 'ServiceSpec', '', 'services', 'spec'],
  ['core/v1.d.ts', 'ServicePort', '', 'services', 'spec.ports.[]'],
  ['core/v1.d.ts', 'EndpointSubset', '', 'endpoints', 'subsets.[]'],
  ['core/v1.d.ts', 'Event', '', 'events', ''],
  ['core/v1.d.ts', 'Secret', '', 'secrets', ''],
  ['core/v1.d.ts', 'ConfigMap', '', 'configmaps', ''],
  ['core/v1.d.ts', 'ServiceAccount', '', 'serviceaccounts', ''],
  ['core/v1.d.ts', 'LimitRangeItem', '', 'limitranges', 'spec.limits.[]'],
  ['core/v1.d.ts', 'ResourceQuotaSpec', '', 'resourcequotas', 'spec'],
  ['apps/v1.d.ts', 'DeploymentSpec', 'apps', 'deployments', 'spec'],
  ['apps/v1.d.ts', 'DeploymentStatus', 'apps', 'deployments', 'status'],
  ['apps/v1.d.ts', 'ReplicaSetSpec', 'apps', 'replicasets', 'spec'],
  ['apps/v1.d.ts', 'DaemonSetSpec', 'apps', 'daemonsets', 'spec'],
  ['apps/v1.d.ts', 'DaemonSetStatus', 'apps', 'daemonsets', 'status'],
  ['batch/v1.d.ts', 'JobSpec', 'batch', 'jobs', 'spec'],
  ['batch/v1.d.ts', 'JobStatus', 'batch', 'jobs', 'status'],
  ['batch/v1.d.ts', 'CronJobSpec', 'batch', 'cronjobs', 'spec'],
  ['coordination/v1.d.ts', 'LeaseSpec', 'coordination.k8s.io', 'leases', 'spec'],
  ['discovery/v1.d.ts', 'EndpointSlice', 'discovery.k8s.io', 'endpointslices', ''],
  ['discovery/v1.d.ts', 'Endpoint', 'discovery.k8s.io', 'endpointslices', 'endpoints.[]'],
  ['discovery/v1.d.ts', 'EndpointConditions', 'discovery.k8s.io', 'endpointslices', 'endpoints.[].conditions'],
  ['discovery/v1.d.ts', 'EndpointHints', 'discovery.k8s.io', 'endpointslices', 'endpoints.[].hints'],
  ['discovery/v1.d.ts', 'EndpointPort', 'discovery.k8s.io', 'endpointslices', 'ports.[]'],
  ['rbac/v1.d.ts', 'PolicyRule', 'rbac.authorization.k8s.io', 'clusterroles', 'rules.[]'],
  ['rbac/v1.d.ts', 'Subject', 'rbac.authorization.k8s.io', 'clusterrolebindings', 'subjects.[]'],
];

describe('schemas cover the upstream fields', () => {
  it.each(rows)('%s %s', (file, iface, group, resource, path, except = []) => {
    const have = Object.keys(at(group, resource, path)?.properties ?? {});
    const missing = upstreamFields(file, iface).filter((f) => !have.includes(f) && !except.includes(f));
    expect(missing).toEqual([]);
  });
});
