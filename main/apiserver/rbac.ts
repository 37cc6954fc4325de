// Authorization: RBAC as upstream's plugin/pkg/auth/authorizer/rbac, reading roles and
// bindings straight from the store (the API server's own data), with upstream's messages.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import { deepFreeze } from '../store/revisioned-store';
import type { Store, StoredValue } from '../store/types';
import type { UserInfo } from './types';

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** for non-resource requests such as /healthz */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  /** which binding and role allowed it, as upstream's audit reason */
  reason: string;
}

const RBAC = '/registry/rbac.authorization.k8s.io';

export function ruleAllows(rule: PolicyRule, a: AuthorizationAttributes): boolean {
  if (!rule.verbs.includes('*') && !rule.verbs.includes(a.verb)) return false;
  if (a.path !== undefined) {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path!.startsWith(u.slice(0, -1))));
  }
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  const resOk = resources.some((r) => r === '*' || r === full || (a.subresource && r === `*/${a.subresource}`));
  if (!resOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.username;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.username === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default:
      return false;
  }
}

const describeSubject = (s: Subject) => `${s.kind} "${s.namespace ? `${s.namespace}/` : ''}${s.name}"`;

/** decoded roles and bindings kept at most (a cache: past it, it starts again) */
const MAX_DECODED = 10_000;

export class RbacAuthorizer {
  /**
   * Roles and bindings decoded once per version (key and modRevision), frozen: every request reads every
   * ClusterRoleBinding, and decoding them all each time was most of the cost of a request.
   */
  private decoded = new Map<string, { revision: number; value: unknown }>();

  constructor(private readonly store: Store) {}

  private decode<T>(i: StoredValue): T {
    const hit = this.decoded.get(i.key);
    if (hit && hit.revision === i.modRevision) return hit.value as T;
    if (this.decoded.size >= MAX_DECODED) this.decoded.clear();
    const value = deepFreeze(i.value);
    this.decoded.set(i.key, { revision: i.modRevision, value });
    return value as unknown as T;
  }

  private values<T>(prefix: string): T[] {
    return this.store.list(prefix).items.map((i) => this.decode<T>(i));
  }

  private get<T>(key: string): T | undefined {
    const v = this.store.get(key);
    return v && this.decode<T>(v);
  }

  private clusterRole(name: string): ClusterRole | undefined {
    return this.get<ClusterRole>(`${RBAC}/clusterroles/${name}`);
  }

  /** The rules a binding's roleRef grants (upstream's GetRoleReferenceRules); undefined when the role does not exist. */
  roleReferenceRules(ref: { kind: string; name: string }, bindingNamespace: string): PolicyRule[] | undefined {
    const role =
      ref.kind === 'ClusterRole'
        ? this.clusterRole(ref.name)
        : ref.kind === 'Role' && bindingNamespace
          ? (this.store.get(`${RBAC}/roles/${bindingNamespace}/${ref.name}`)?.value as unknown as Role | undefined)
          : undefined;
    return role ? (role.rules ?? []) : undefined;
  }

  /** Every rule that applies to a user in a namespace (cluster-wide ones included): SelfSubjectRulesReview, `kubectl auth can-i --list`. */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    if (user.groups.includes('system:masters'))
      return [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ];
    const rules: PolicyRule[] = [];
    for (const b of this.values<ClusterRoleBinding>(`${RBAC}/clusterrolebindings/`)) {
      if (b.roleRef.kind === 'ClusterRole' && (b.subjects ?? []).some((s) => subjectMatches(s, user)))
        rules.push(...(this.clusterRole(b.roleRef.name)?.rules ?? []));
    }
    for (const b of this.values<RoleBinding>(`${RBAC}/rolebindings/${namespace}/`)) {
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
      const role = b.roleRef.kind === 'ClusterRole' ? this.clusterRole(b.roleRef.name) : this.get<Role>(`${RBAC}/roles/${namespace}/${b.roleRef.name}`);
      rules.push(...(role?.rules ?? []));
    }
    // the caller's own copy: the decoded rules are shared and frozen
    return structuredClone(rules);
  }

  authorize(a: AuthorizationAttributes): Decision {
    if (a.user.groups.includes('system:masters')) {
      return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' };
    }
    for (const b of this.values<ClusterRoleBinding>(`${RBAC}/clusterrolebindings/`)) {
      const subject = (b.subjects ?? []).find((s) => subjectMatches(s, a.user));
      if (!subject || b.roleRef.kind !== 'ClusterRole') continue;
      const role = this.clusterRole(b.roleRef.name);
      if (role && (role.rules ?? []).some((r) => ruleAllows(r, a))) {
        return {
          allowed: true,
          reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata?.name}" of ClusterRole "${b.roleRef.name}" to ${describeSubject(subject)}`,
        };
      }
    }
    if (a.namespace) {
      for (const b of this.values<RoleBinding>(`${RBAC}/rolebindings/${a.namespace}/`)) {
        const subject = (b.subjects ?? []).find((s) => subjectMatches(s, a.user, a.namespace));
        if (!subject) continue;
        const role = b.roleRef.kind === 'ClusterRole' ? this.clusterRole(b.roleRef.name) : this.get<Role>(`${RBAC}/roles/${a.namespace}/${b.roleRef.name}`);
        if (role && (role.rules ?? []).some((r) => ruleAllows(r, a))) {
          return {
            allowed: true,
            reason: `RBAC: allowed by RoleBinding "${b.metadata?.name}/${a.namespace}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject)}`,
          };
        }
      }
    }
    return { allowed: false, reason: '' };
  }
}

/** Upstream's Forbidden message: `pods "web" is forbidden: User "x" cannot get resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  if (a.path !== undefined) return `forbidden: User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${a.user.username}" cannot ${a.verb} resource "${full}" in API group "${a.group}" ${scope}`;
}
