import { describe, expect, it } from 'vitest';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { forbiddenMessage, RbacAuthorizer, ruleAllows, type AuthorizationAttributes } from '../../../main/apiserver/rbac';
import type { KubeObject } from '../../../main/api/object';
import { memoryStore } from '../../../main/store';
import { authenticateToken, ISSUER, TokenSigner } from '../../../main/apiserver/authn';

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
    [{ verb: 'delete', namespace: 'default', name: 'web' }, 'pods "web" is forbidden: User "u" cannot delete resource "pods" in API group "" in the namespace "default"'],
    [{ verb: 'create', namespace: 'default', name: 'web', subresource: 'exec' }, 'pods "web" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in the namespace "default"'],
    [{ verb: 'list', group: 'apps', resource: 'deployments' }, 'deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" at the cluster scope'],
  ])('forbidden message %#', (a, message) => {
    expect(forbiddenMessage(attrs(a))).toBe(message);
  });
});

describe('bearer tokens', () => {
  const signer = new TokenSigner();
  const now = Math.floor(Date.now() / 1000);
  const claims = (exp: number, iss = ISSUER) => ({
    iss, sub: 'system:serviceaccount:default:robot', aud: [ISSUER], iat: now, nbf: now, exp,
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

describe('RBAC authorizer reading the store', () => {
  const R = '/registry/rbac.authorization.k8s.io';
  const alice = { username: 'alice', groups: [] };
  const can = (az: RbacAuthorizer, verb: string) => az.authorize({ user: alice, verb, group: '', resource: 'pods', namespace: 'default' }).allowed;

  it('sees a role or binding changed, deleted or recreated at the next request (decoded once per version)', async () => {
    const store = memoryStore();
    const az = new RbacAuthorizer(store);
    await store.create(`${R}/clusterroles/reader`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } as KubeObject);
    expect(can(az, 'get')).toBe(false);
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'alice' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice' }] } as unknown as KubeObject;
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

  it('the rules it lists are the caller\'s own to change', async () => {
    const store = memoryStore();
    const az = new RbacAuthorizer(store);
    await store.create(`${R}/clusterroles/reader`, { metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } as unknown as KubeObject);
    await store.create(`${R}/clusterrolebindings/alice`, { metadata: { name: 'alice' }, roleRef: { kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice' }] } as unknown as KubeObject);
    const rules = az.rulesFor(alice, 'default');
    rules[0].verbs.push('delete');
    expect(az.rulesFor(alice, 'default')[0].verbs).toEqual(['get']);
    expect(can(az, 'delete')).toBe(false);
  });
});
