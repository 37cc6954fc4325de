// rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding: rule and subject checks as upstream.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { deepEqual, fieldErr, isDNS1123Subdomain, nameIsPathSegment, validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, nameColumn, rfc3339, type Obj } from './common';
import { clusterRoleBindingSchema, clusterRoleSchema, roleBindingSchema, roleSchema } from './schemas/workloads';
import type { ResourceStrategy } from './types';

const GROUP = 'rbac.authorization.k8s.io';

function validateRules(rules: Obj[] | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (rules ?? []).forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!(r.verbs ?? []).length) errs.push(fieldErr.required(`${p}.verbs`, 'verbs must contain at least one value'));
    if ((r.nonResourceURLs ?? []).length) {
      if (namespaced) errs.push(fieldErr.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if ((r.apiGroups ?? []).length || (r.resources ?? []).length || (r.resourceNames ?? []).length) {
        errs.push(fieldErr.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (!(r.apiGroups ?? []).length) errs.push(fieldErr.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!(r.resources ?? []).length) errs.push(fieldErr.required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

function validateBinding(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = (obj.roleRef ?? {}) as Obj;
  if (ref.apiGroup !== GROUP) errs.push(fieldErr.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(fieldErr.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(fieldErr.required('roleRef.name'));
  else for (const m of nameIsPathSegment(ref.name, false)) errs.push(fieldErr.invalid('roleRef.name', ref.name, m));
  ((obj.subjects ?? []) as Obj[]).forEach((s, i) => {
    const p = `subjects[${i}]`;
    if (!s.name) errs.push(fieldErr.required(`${p}.name`));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(fieldErr.invalid(`${p}.name`, s.name, m));
        if (s.apiGroup) errs.push(fieldErr.notSupported(`${p}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(fieldErr.required(`${p}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== GROUP) errs.push(fieldErr.notSupported(`${p}.apiGroup`, s.apiGroup ?? '', [GROUP]));
        break;
      default:
        errs.push(fieldErr.notSupported(`${p}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

function defaultBinding(obj: KubeObject) {
  const ref = (obj.roleRef ??= {}) as Obj;
  if (!ref.apiGroup) ref.apiGroup = GROUP;
  for (const s of (obj.subjects ?? []) as Obj[]) {
    if (s.apiGroup === undefined && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = GROUP;
    if (s.apiGroup === undefined && s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}

const createdAt = col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

function roleStrategy(kind: 'Role' | 'ClusterRole', namespaced: boolean): ResourceStrategy {
  const validate = (obj: KubeObject) => [...validateObjectMeta(obj.metadata, namespaced, nameIsPathSegment), ...validateRules(obj.rules as Obj[], namespaced)];
  return {
    ...R[kind === 'Role' ? 'roles' : 'clusterroles'],
    singular: kind.toLowerCase(),
    verbs: ALL_VERBS,
    schema: kind === 'Role' ? roleSchema : clusterRoleSchema,
    validate,
    validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validate(obj)],
    tableColumns: [nameColumn, createdAt],
    tableRow: (obj) => [obj.metadata.name, rfc3339(obj.metadata.creationTimestamp)],
  };
}

function bindingStrategy(kind: 'RoleBinding' | 'ClusterRoleBinding', namespaced: boolean): ResourceStrategy {
  const validate = (obj: KubeObject) => [...validateObjectMeta(obj.metadata, namespaced, nameIsPathSegment), ...validateBinding(obj, namespaced)];
  return {
    ...R[kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings'],
    singular: kind.toLowerCase(),
    verbs: ALL_VERBS,
    schema: kind === 'RoleBinding' ? roleBindingSchema : clusterRoleBindingSchema,
    defaults: defaultBinding,
    validate,
    validateUpdate(obj, old) {
      const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validate(obj)];
      if (!deepEqual(obj.roleRef, old.roleRef)) errs.push(fieldErr.invalid('roleRef', obj.roleRef, 'cannot change roleRef'));
      return errs;
    },
    tableColumns: [
      nameColumn,
      col('Role', 'string', 'RoleRef contains information that points to the role being used'),
      ageColumn,
      col('Users', 'string', 'Users in the roleBinding', 1),
      col('Groups', 'string', 'Groups in the roleBinding', 1),
      col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
    ],
    tableRow(obj, now) {
      const ref = (obj.roleRef ?? {}) as Obj;
      const subjects = (obj.subjects ?? []) as Obj[];
      const pick = (k: string) => subjects.filter((s) => s.kind === k);
      const sas = pick('ServiceAccount').map((s) => (s.namespace ? `${s.namespace}/${s.name}` : s.name));
      return [
        obj.metadata.name,
        `${ref.kind}/${ref.name}`,
        ageOf(obj, now),
        pick('User')
          .map((s) => s.name)
          .join(', '),
        pick('Group')
          .map((s) => s.name)
          .join(', '),
        sas.join(', '),
      ];
    },
  };
}

export const roleStrategyV1 = roleStrategy('Role', true);
export const clusterRoleStrategy = roleStrategy('ClusterRole', false);
export const roleBindingStrategy = bindingStrategy('RoleBinding', true);
export const clusterRoleBindingStrategy = bindingStrategy('ClusterRoleBinding', false);
