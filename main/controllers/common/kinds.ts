// From an ownerReference's apiVersion/kind to the resource type to look it up with.
import { R, apiVersionOf, type ResourceType } from '../../client/types';

const byKind = new Map<string, ResourceType>(Object.values(R).map((t) => [`${apiVersionOf(t)}|${t.kind}`, t]));
const byKindOnly = new Map<string, ResourceType>(Object.values(R).map((t) => [t.kind, t]));

export function resourceFor(apiVersion: string | undefined, kind: string): ResourceType | undefined {
  return byKind.get(`${apiVersion}|${kind}`) ?? byKindOnly.get(kind);
}

/** Namespaced types a namespace deletion empties, dependents first so controllers don't recreate them. */
export const namespacedContent: ResourceType[] = [
  R.deployments,
  R.daemonsets,
  R.jobs,
  R.cronjobs,
  R.replicasets,
  R.controllerrevisions,
  R.pods,
  R.services,
  R.endpoints,
  R.endpointslices,
  R.configmaps,
  R.secrets,
  R.resourcequotas,
  R.limitranges,
  R.roles,
  R.rolebindings,
  R.leases,
  R.events,
  R.serviceaccounts,
];
