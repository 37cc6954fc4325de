// Discovery documents kubectl reads first: /api, /api/v1, /apis (legacy and aggregated v2), /apis/<g>/<v>.
import type { ResourceRegistry, ServedResource } from './resources';
import { groupVersion } from './resources';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(reg: ResourceRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: reg
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

export function apiGroup(group: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: vs, preferredVersion: vs[0] };
}

function resourceEntries(r: ServedResource) {
  const s = r.strategy;
  const main = {
    name: s.resource,
    singularName: s.singular,
    namespaced: s.namespaced,
    kind: s.kind,
    verbs: s.verbs,
    ...(s.shortNames?.length ? { shortNames: s.shortNames } : {}),
    ...(s.categories?.length ? { categories: s.categories } : {}),
  };
  const subs = (s.subresources ?? []).map((sub) => ({
    name: `${s.resource}/${sub}`,
    singularName: '',
    namespaced: s.namespaced,
    ...subresourceKindVerbs(s.kind, sub),
  }));
  return [main, ...subs];
}

function subresourceKindVerbs(kind: string, sub: string): { group?: string; version?: string; kind: string; verbs: string[] } {
  switch (sub) {
    case 'status':
      return { kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { kind: 'Binding', verbs: ['create'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'token':
      return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    case 'log':
      return { kind: 'Pod', verbs: ['get'] };
    case 'exec':
    case 'attach':
    case 'portforward':
      return { kind: `Pod${sub === 'exec' ? 'ExecOptions' : sub === 'attach' ? 'AttachOptions' : 'PortForwardOptions'}`, verbs: ['create', 'get'] };
    case 'finalize':
      return { kind, verbs: ['update'] };
    default:
      return { kind, verbs: ['get'] };
  }
}

export function apiResourceList(reg: ResourceRegistry, group: string, version: string) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources: reg.inGroupVersion(group, version).flatMap(resourceEntries),
  };
}

/** apidiscovery.k8s.io/v2: all groups (or only the core group, for /api) in one document. */
export function aggregatedDiscovery(reg: ResourceRegistry, core: boolean) {
  const groups = reg.groups().filter((g) => (core ? g.group === '' : g.group !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: reg.inGroupVersion(g.group, v).map(({ strategy: s }) => ({
          resource: s.resource,
          responseKind: { group: s.group, version: s.version, kind: s.kind },
          scope: s.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: s.singular,
          verbs: s.verbs,
          ...(s.shortNames?.length ? { shortNames: s.shortNames } : {}),
          ...(s.categories?.length ? { categories: s.categories } : {}),
          ...(s.subresources?.length
            ? {
                subresources: s.subresources.map((sub) => {
                  const kv = subresourceKindVerbs(s.kind, sub);
                  return { subresource: sub, responseKind: { group: kv.group ?? s.group, version: kv.version ?? s.version, kind: kv.kind }, verbs: kv.verbs };
                }),
              }
            : {}),
        })),
      })),
    })),
  };
}
