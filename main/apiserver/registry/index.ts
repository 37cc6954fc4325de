// Every resource the API server serves, as upstream's pkg/registry: the API core looks them up here.
// Table contract: tableColumns and tableRow() cells in the same order, wide (priority 1) ones included,
// exactly as upstream's printers (most start with Name; events do not).
import { controllerRevisionStrategy, daemonSetStrategy, deploymentStrategy, replicaSetStrategy } from './apps';
import { cronJobStrategy, jobStrategy } from './batch';
import { configMapStrategy, secretStrategy, serviceAccountStrategy } from './config';
import { endpointsStrategy } from './endpoints';
import { endpointSliceStrategy } from './endpointslices';
import { eventStrategy } from './events';
import { leaseStrategy } from './leases';
import { namespaceStrategy } from './namespaces';
import { nodeStrategy } from './nodes';
import { podStrategy } from './pods';
import { limitRangeStrategy, resourceQuotaStrategy } from './quotas';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategyV1 } from './rbac';
import { serviceStrategy } from './services';
import { podTraceStrategy } from '../../trace/strategy';
import type { ResourceStrategy } from './types';
import { registerListKeys } from '../../api/patch';

export const strategies: ResourceStrategy[] = [
  namespaceStrategy,
  podStrategy,
  nodeStrategy,
  eventStrategy,
  serviceStrategy,
  endpointsStrategy,
  configMapStrategy,
  secretStrategy,
  serviceAccountStrategy,
  resourceQuotaStrategy,
  limitRangeStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  daemonSetStrategy,
  controllerRevisionStrategy,
  jobStrategy,
  cronJobStrategy,
  leaseStrategy,
  endpointSliceStrategy,
  roleStrategyV1,
  clusterRoleStrategy,
  roleBindingStrategy,
  clusterRoleBindingStrategy,
  podTraceStrategy,
];

const byKey = new Map<string, ResourceStrategy>();
for (const s of strategies) {
  byKey.set(`${s.group}/${s.resource}`, s);
  // kubectl explain and strict validation find a schema by its group-version-kind
  if (s.schema) s.schema['x-kubernetes-group-version-kind'] = [{ group: s.group, version: s.version, kind: s.kind }];
  // strategic merge patch and server-side apply merge lists by the keys the schema declares
  if (s.schema) registerListKeys(s.kind, s.schema);
}

/** The strategy for `group` ('' for core) and plural `resource`, if served. */
export function strategyFor(group: string, resource: string): ResourceStrategy | undefined {
  return byKey.get(`${group}/${resource}`);
}

/** The strategy for a kind, e.g. to name a resource in an error. */
export function strategyForKind(group: string, kind: string): ResourceStrategy | undefined {
  return strategies.find((s) => s.group === group && s.kind === kind);
}

/** Leaf types our schemas reference by name (IntOrString, Quantity): add them to each /openapi/v3 document's components. */
export { sharedComponents } from './schema';
