// authentication.k8s.io/v1 TokenReview (upstream's pkg/registry/authentication/tokenreview): who a token belongs to,
// judged by the same authenticator as requests (bound objects, audiences, expiry); create-only, nothing stored.
import type { ResourceStrategy } from './registry/types';
import type { CustomStorage } from './resources';
import type { TokenReviewResult } from './authn';

export const tokenReviewStrategy: ResourceStrategy = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenReview',
  resource: 'tokenreviews',
  singular: 'tokenreview',
  namespaced: false,
  verbs: ['create'],
  schema: {
    type: 'object',
    description: 'TokenReview attempts to authenticate a token to a known user.',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      spec: {
        type: 'object',
        description: 'TokenReviewSpec is a description of the token authentication request.',
        properties: {
          token: { type: 'string', description: 'Token is the opaque bearer token.' },
          audiences: {
            type: 'array',
            items: { type: 'string' },
            description: 'Audiences is a list of the identifiers that the resource server presented with the token identifies as.',
          },
        },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
};

type Obj = Record<string, unknown>;

/** `review(token, audiences)`: the authenticator's answer; undefined audiences mean the API server's own. */
export function tokenReviewStorage(review: (token: string, audiences: string[] | undefined) => TokenReviewResult): CustomStorage {
  return {
    async create(_req, obj) {
      const spec = (obj.spec as Obj | undefined) ?? {};
      const token = typeof spec.token === 'string' ? spec.token : '';
      const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : undefined;
      const r = token ? review(token, audiences) : { error: 'token is required' };
      const status =
        'error' in r
          ? { authenticated: false, user: {}, error: r.error }
          : {
              authenticated: true,
              user: { username: r.user.username, uid: r.user.uid, groups: r.user.groups, ...(r.user.extra ? { extra: r.user.extra } : {}) },
              audiences: r.audiences,
            };
      return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec, status };
    },
  };
}
