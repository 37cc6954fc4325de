import { describe, expect, it } from 'vitest';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { forbiddenMessage, RbacAuthorizer, ruleAllows, type AuthorizationAttributes } from '../../../main/apiserver/rbac';
import type { KubeObject } from '../../../main/api/object';
import { memoryStore } from '../../../main/store';
import { authenticateToken, ISSUER, reviewServiceAccountToken, TokenSigner } from '../../../main/apiserver/authn';

const user = { username: 'u', groups: [] };
const attrs = (a: Partial<AuthorizationAttributes>): AuthorizationAttributes => ({ user, verb: 'get', group: '', resource: 'pods', ...a });

describe('RBAC rules', () => {
  it.each<[string, PolicyRule, Partial<AuthorizationAttributes>, boolean]>([
    ['exact match', { apiGroups: [''], resources: ['pods'], verbs: ['get'] }, {}, true],
    ['other verb', { apiGroups: [''], resources: ['pods'], verbs: ['list'] }, {}, false],
    ['other group', { apiGroups: ['apps'], resources: ['pods'], verbs: ['get'] }, {}, false],
    ['wildcards', { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { group: 'apps', resource: 'deployments', verb: 'delete' }, true],
    ['subresource needs its own entry', { apiGroups: [''], resources: ['pods'], verbs: ['create'] }, { verb: 'create', subresource: 'exec' }, false],
    ['subresource entry', { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }, { verb: 'create', subresource: 'exec' }, true],
    ['*/subresource', { apiGroups: [''], resources: ['*/status'], verbs: ['update'] }, { verb: 'update', subresource: 'status' }, true],
    ['resourceNames match', { apiGroups: [''], resources: ['pods'], resourceNames: ['a'], verbs: ['get'] }, { name: 'a' }, true],
    ['resourceNames miss', { apiGroups: [''], resources: ['pods'], resourceNames: ['a'], verbs: ['get'] }, { name: 'b' }, false],
    ['resourceNames never allow list', { apiGroups: [''], resources: ['pods'], resourceNames: ['a'], verbs: ['list'] }, { verb: 'list' }, false],
    ['non-resource url', { nonResourceURLs: ['/healthz/*'], verbs: ['get'] }, { path: '/healthz/etcd' }, true],
  ])('%s', (_n, rule, a, want) => {
    expect(ruleAllows(rule, attrs(a))).toBe(want);
  });

  it.each<[Partial<AuthorizationAttributes>, string]>([
    [{ verb: 'list', namespace: 'default' }, 'pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "default"'],
    [
      { verb: 'delete', namespace: 'default', name: 'web' },
      'pods "web" is forbidden: User "u" cannot delete resource "pods" in API group "" in the namespace "default"',
    ],
    [
      { verb: 'create', namespace: 'default', name: 'web', subresource: 'exec' },
      'pods "web" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    ],
    [
      { verb: 'list', group: 'apps', resource: 'deployments' },
      'deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" at the cluster scope',
    ],
  ])('forbidden message %#', (a, message) => {
    expect(forbiddenMessage(attrs(a))).toBe(message);
  });
});

describe('bearer tokens', () => {
  const signer = new TokenSigner();
  const now = Math.floor(Date.now() / 1000);
  const claims = (exp: number, iss = ISSUER) => ({
    iss,
    sub: 'system:serviceaccount:default:robot',
    aud: [ISSUER],
    iat: now,
    nbf: now,
    exp,
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'robot', uid: 'uid-1' } },
  });
  const uidOf = (ns: string, name: string) => (ns === 'default' && name === 'robot' ? 'uid-1' : undefined);

  it.each<[string, string | undefined, string | undefined]>([
    ['admin token', 'admin-secret', 'kubelab-admin'],
    ['service account token', signer.sign(claims(now + 600)), 'system:serviceaccount:default:robot'],
    ['expired token', signer.sign(claims(now - 1)), undefined],
    ['other issuer', signer.sign(claims(now + 600, 'https://elsewhere')), undefined],
    ['tampered token', signer.sign(claims(now + 600)).replace(/\.[^.]+$/, '.AAAA'), undefined],
    ['signed by another key', new TokenSigner().sign(claims(now + 600)), undefined],
    ['no token', undefined, undefined],
    ['garbage', 'nope', undefined],
  ])('%s', (_n, token, username) => {
    expect(authenticateToken(token, { admin: 'admin-secret' }, signer, uidOf)?.user.username).toBe(username);
  });

  it('refuses the token of a deleted (or recreated) service account', () => {
    const token = signer.sign(claims(now + 600));
    expect(authenticateToken(token, { admin: 'x' }, signer, () => undefined)).toBeUndefined();
    expect(authenticateToken(token, { admin: 'x' }, signer, () => 'uid-2')).toBeUndefined();
  });

  it('groups a service account as upstream', () => {
    const a = authenticateToken(signer.sign(claims(now + 600)), { admin: 'x' }, signer, uidOf);
    expect(a?.user.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  });
});

describe('bound service account tokens (upstream claims validation)', () => {
  const signer = new TokenSigner();
  const now = 1_800_000_000;
  const base = {
    iss: ISSUER,
    sub: 'system:serviceaccount:default:robot',
    aud: [ISSUER],
    iat: now - 10,
    nbf: now - 10,
    exp: now + 600,
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'robot', uid: 'sa-1' }, pod: { name: 'web', uid: 'pod-1' } },
  };
  // fakes of the store's answers: the service account and pods as they are now
  const objects = (pod?: { uid?: string; deletionTimestamp?: string }) => ({
    serviceAccountUid: (ns: string, n: string) => (ns === 'default' && n === 'robot' ? 'sa-1' : undefined),
    pod: () => pod,
  });
  const iso = (sec: number) => new Date(sec * 1000).toISOString();

  it.each<[string, Record<string, unknown>, ReturnType<typeof objects>, string[] | undefined, string | undefined]>([
    ['valid, pod alive', {}, objects({ uid: 'pod-1' }), undefined, undefined],
    ['not before in the future', { nbf: now + 5 }, objects({ uid: 'pod-1' }), undefined, 'service account token is not valid yet'],
    ['expired', { exp: now - 1 }, objects({ uid: 'pod-1' }), undefined, 'service account token has expired'],
    [
      'another audience',
      { aud: ['vault'] },
      objects({ uid: 'pod-1' }),
      undefined,
      `token audiences ["vault"] is invalid for the target audiences ["${ISSUER}"]`,
    ],
    ['another audience, asked for', { aud: ['vault'] }, objects({ uid: 'pod-1' }), ['vault'], undefined],
    ['pod gone', {}, objects(undefined), undefined, 'pod default/web has been deleted'],
    ['pod replaced', {}, objects({ uid: 'pod-2' }), undefined, 'pod UID (pod-2) does not match claim (pod-1)'],
    ['pod deleting for a while', {}, objects({ uid: 'pod-1', deletionTimestamp: iso(now - 61) }), undefined, 'pod default/web has been deleted'],
    ['pod deleting just now: still valid', {}, objects({ uid: 'pod-1', deletionTimestamp: iso(now - 5) }), undefined, undefined],
    [
      'service account recreated',
      { 'kubernetes.io': { ...base['kubernetes.io'], serviceaccount: { name: 'robot', uid: 'sa-0' } } },
      objects({ uid: 'pod-1' }),
      undefined,
      'service account UID (sa-1) does not match claim (sa-0)',
    ],
  ])('%s', (_n, change, objs, audiences, error) => {
    const r = reviewServiceAccountToken(signer.sign({ ...base, ...change } as typeof base), signer, objs, audiences, now);
    if (error) expect(r).toEqual({ error });
    else
      expect(r).toMatchObject({
        user: {
          username: 'system:serviceaccount:default:robot',
          extra: { 'authentication.kubernetes.io/pod-name': ['web'], 'authentication.kubernetes.io/pod-uid': ['pod-1'] },
        },
      });
  });
});

describe('RBAC authorizer reading the store', () => {
  const R = '/registry/rbac.authorization.k8s.io';
  const alice = { username: 'alice', groups: [] };
  const can = (az: RbacAuthorizer, verb: string) => az.authorize({ user: alice, verb, group: '', resource: 'pods', namespace: 'default' }).allowed;

  it('sees a role or binding changed, deleted or recreated at the next request (decoded once per version)', async () => {
    const store = memoryStore();
    const az = new RbacAuthorizer(store);
    await store.create(`${R}/clusterroles/reader`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    } as KubeObject);
    expect(can(az, 'get')).toBe(false);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'alice' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' },
      subjects: [{ kind: 'User', name: 'alice' }],
    } as unknown as KubeObject;
    await store.create(`${R}/clusterrolebindings/alice`, binding);
    expect([can(az, 'get'), can(az, 'list')]).toEqual([true, false]);
    const role = store.get(`${R}/clusterroles/reader`)!;
    await store.update(role.key, { ...role.value, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] } as KubeObject, role.modRevision);
    expect([can(az, 'get'), can(az, 'list')]).toEqual([false, true]);
    await store.delete(`${R}/clusterrolebindings/alice`);
    expect(can(az, 'list')).toBe(false);
    await store.create(`${R}/clusterrolebindings/alice`, { ...binding, subjects: [{ kind: 'User', name: 'bob' }] } as unknown as KubeObject);
    expect(can(az, 'list')).toBe(false);
  });

  it("the rules it lists are the caller's own to change", async () => {
    const store = memoryStore();
    const az = new RbacAuthorizer(store);
    await store.create(`${R}/clusterroles/reader`, {
      metadata: { name: 'reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    } as unknown as KubeObject);
    await store.create(`${R}/clusterrolebindings/alice`, {
      metadata: { name: 'alice' },
      roleRef: { kind: 'ClusterRole', name: 'reader' },
      subjects: [{ kind: 'User', name: 'alice' }],
    } as unknown as KubeObject);
    const rules = az.rulesFor(alice, 'default');
    rules[0].verbs.push('delete');
    expect(az.rulesFor(alice, 'default')[0].verbs).toEqual(['get']);
    expect(can(az, 'delete')).toBe(false);
  });
});
