// authorization.k8s.io/v1 SelfSubjectAccessReview, served by the core's authorizer (kubectl auth can-i):
// a create-only resource backed by a custom storage, not the store.
import type { Core } from './core';
import type { ResourceStrategy } from './registry/types';
import type { CustomStorage } from './resources';

export const selfSubjectAccessReviewStrategy: ResourceStrategy = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  resource: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  verbs: ['create'],
  schema: {
    type: 'object',
    description: 'SelfSubjectAccessReview checks whether or the current user can perform an action.',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
};

type Obj = Record<string, unknown>;

export function selfSubjectAccessReviewStorage(core: () => Core): CustomStorage {
  return {
    async create(req, obj) {
      const spec = (obj.spec as Obj | undefined) ?? {};
      const ra = spec.resourceAttributes as Obj | undefined;
      const nra = spec.nonResourceAttributes as Obj | undefined;
      const d = ra
        ? core().can(req.user, {
            verb: String(ra.verb ?? ''),
            group: String(ra.group ?? ''),
            resource: String(ra.resource ?? ''),
            subresource: (ra.subresource as string) || undefined,
            namespace: (ra.namespace as string) || undefined,
            name: (ra.name as string) || undefined,
          })
        : core().can(req.user, { verb: String(nra?.verb ?? ''), group: '', resource: '', path: String(nra?.path ?? '') });
      return {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: {},
        spec,
        status: { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) },
      };
    },
  };
}

export const selfSubjectRulesReviewStrategy: ResourceStrategy = {
  ...selfSubjectAccessReviewStrategy,
  kind: 'SelfSubjectRulesReview',
  resource: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  schema: {
    ...selfSubjectAccessReviewStrategy.schema,
    description: 'SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace.',
  },
};

export function selfSubjectRulesReviewStorage(
  rulesFor: (user: import('./types').UserInfo, namespace: string) => import('kubernetes-types/rbac/v1').PolicyRule[],
): CustomStorage {
  return {
    async create(req, obj) {
      const spec = (obj.spec as Obj | undefined) ?? {};
      const rules = rulesFor(req.user, String(spec.namespace ?? ''));
      return {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        metadata: {},
        spec,
        status: {
          resourceRules: rules
            .filter((r) => !r.nonResourceURLs?.length)
            .map((r) => ({
              verbs: r.verbs,
              apiGroups: r.apiGroups ?? [],
              resources: r.resources ?? [],
              ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
            })),
          nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
          incomplete: false,
        },
      };
    },
  };
}
