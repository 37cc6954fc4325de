// RBAC storage that prevents privilege escalation (upstream's pkg/registry/rbac/{role,clusterrole,rolebinding,
// clusterrolebinding}/policybased): a Role may only hold rules its writer holds (or may `escalate`), a binding may only
// grant a role whose rules its writer holds (or may `bind`), with upstream's Forbidden message.
import type { PolicyRule, RoleRef } from 'kubernetes-types/rbac/v1';
import { errors } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { deepEqual } from '../../api/validation';
import type { RbacAuthorizer } from '../rbac';
import type { ApiRequest, UserInfo } from '../types';
import type { Obj } from './common';
import type { ResourceStorage } from './types';

const GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** One rule per verb, resource and resource name (upstream's BreakdownRule): each is covered by a single owner rule or not at all. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if ((rule.resourceNames ?? []).length)
          for (const n of rule.resourceNames!) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [n] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const hasAll = (set: string[] | undefined, want: string[] | undefined) => (want ?? []).every((w) => (set ?? []).includes(w));

function resourceCoversAll(set: string[] | undefined, covers: string[] | undefined): boolean {
  const owned = set ?? [];
  if (owned.includes('*') || hasAll(owned, covers)) return true;
  return (covers ?? []).every((path) => {
    if (owned.includes(path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && owned.includes(`*/${path.slice(slash + 1)}`);
  });
}

const nonResourceURLCovers = (owner: string, path: string) => owner === path || (owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, '')));

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = owner.verbs.includes('*') || hasAll(owner.verbs, sub.verbs);
  const groups = (owner.apiGroups ?? []).includes('*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)));
  const ownerNames = owner.resourceNames ?? [];
  const names = ownerNames.length === 0 || ((sub.resourceNames ?? []).length > 0 && hasAll(ownerNames, sub.resourceNames));
  return verbs && groups && resources && names && urls;
}

/** Whether the owner's rules cover the servant's, and the broken-down rules they do not (upstream's validation.Covers). */
export function covers(ownerRules: PolicyRule[], servantRules: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = servantRules.flatMap(breakdownRule).filter((sub) => !ownerRules.some((o) => ruleCovers(o, sub)));
  return { covered: missing.length === 0, missing };
}

/** Rules of one group and resource that differ only by verb become one (upstream's CompactRules). */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple =
      !(r.resourceNames ?? []).length && !(r.nonResourceURLs ?? []).length && (r.apiGroups ?? []).length === 1 && (r.resources ?? []).length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = `${r.apiGroups![0]}/${r.resources![0]}`;
    const seen = simple.get(key);
    if (seen) seen.verbs = [...seen.verbs, ...r.verbs];
    else simple.set(key, { apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
const goQuoted = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** upstream's rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}` */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if ((r.apiGroups ?? []).length) parts.push(`APIGroups:${goQuoted(r.apiGroups!)}`);
  if ((r.resources ?? []).length) parts.push(`Resources:${goQuoted(r.resources!)}`);
  if ((r.nonResourceURLs ?? []).length) parts.push(`NonResourceURLs:${goQuoted(r.nonResourceURLs!)}`);
  if ((r.resourceNames ?? []).length) parts.push(`ResourceNames:${goQuoted(r.resourceNames!)}`);
  if (r.verbs.length) parts.push(`Verbs:${goQuoted(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * upstream's ConfirmNoEscalation: the message naming what the user lacks, sorted and de-duplicated as upstream's
 * sets.String, or undefined when the user's rules in `namespace` ('' for cluster scope) cover `rules`.
 */
export function escalationMessage(user: UserInfo, ownerRules: PolicyRule[], rules: PolicyRule[]): string | undefined {
  const { covered, missing } = covers(ownerRules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  return `user ${JSON.stringify(user.username)} (groups=${goQuoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}

/** system:masters may do anything, as upstream's EscalationAllowed (the API server's own loopback identity is one). */
const escalationAllowed = (user: UserInfo) => user.groups.includes('system:masters');

/** Only ownerReferences and finalizers changed: the garbage collector's writes are never an escalation (upstream's IsOnlyMutatingGCFields). */
function onlyGCFields(next: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const md = { ...(o.metadata as Obj) };
    for (const k of ['ownerReferences', 'finalizers', 'managedFields', 'resourceVersion', 'selfLink']) delete md[k];
    return { ...o, metadata: md };
  };
  return deepEqual(strip(next), strip(old));
}

type Kind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';

/** The storage rules of one RBAC resource; `authorizer` answers the `escalate` and `bind` checks and resolves rules. */
export function rbacPolicyStorage(kind: Kind, authorizer: RbacAuthorizer): ResourceStorage {
  const resource = `${kind.toLowerCase()}s`;
  const forbidden = (name: string, why: string) =>
    errors.forbidden(`${resource}.${GROUP} ${JSON.stringify(name)} is forbidden: ${why}`, { group: GROUP, kind: resource, name });
  const namespaceOf = (req: ApiRequest) => (kind === 'Role' || kind === 'RoleBinding' ? (req.namespace ?? '') : '');

  const confirmRole = (req: ApiRequest, obj: KubeObject) => {
    // upstream's RoleEscalationAuthorized: the `escalate` verb on this very role
    const mayEscalate = authorizer.authorize({
      user: req.user,
      verb: 'escalate',
      group: GROUP,
      resource,
      namespace: req.namespace,
      name: obj.metadata.name,
    }).allowed;
    if (mayEscalate) return;
    const owned = authorizer.rulesFor(req.user, namespaceOf(req));
    const why = escalationMessage(req.user, owned, (obj.rules ?? []) as PolicyRule[]);
    if (why) throw forbidden(obj.metadata.name ?? '', why);
    // an aggregationRule can gather anything, so it takes * on *.* (upstream's fullAuthority)
    if (kind === 'ClusterRole' && obj.aggregationRule && !covers(owned, FULL_AUTHORITY).covered) {
      throw forbidden(obj.metadata.name ?? '', 'must have cluster-admin privileges to use the aggregationRule');
    }
  };

  const confirmBinding = (req: ApiRequest, obj: KubeObject) => {
    const ref = (obj.roleRef ?? {}) as RoleRef;
    const namespace = namespaceOf(req);
    // upstream's BindingAuthorized: the `bind` verb on the referenced role, in the binding's namespace
    const target = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    const mayBind = authorizer.authorize({
      user: req.user,
      verb: 'bind',
      group: ref.apiGroup ?? GROUP,
      resource: target,
      namespace: namespace || undefined,
      name: ref.name,
    }).allowed;
    if (mayBind) return;
    const rules = authorizer.roleReferenceRules(ref, namespace);
    if (!rules) throw errors.notFound({ group: GROUP, kind: target, name: ref.name });
    const why = escalationMessage(req.user, authorizer.rulesFor(req.user, namespace), rules);
    if (why) throw forbidden(obj.metadata.name ?? '', why);
  };

  const confirm = kind === 'Role' || kind === 'ClusterRole' ? confirmRole : confirmBinding;
  return {
    beforeWrite(req, obj, old) {
      if (escalationAllowed(req.user)) return;
      if (old && onlyGCFields(obj, old)) return;
      confirm(req, obj);
    },
  };
}
