// v1 ResourceQuota and LimitRange: the per-namespace budgets admission enforces.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { compareQuantity, formatQuantity, isQuantity, QUANTITY_ERROR } from '../../api/quantity';
import { fieldErr, isQualifiedName, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, keepSpec, keepStatus, nameColumn, rfc3339, type Obj } from './common';
import { limitRangeSchema, resourceQuotaSchema } from './schemas/core';
import type { ResourceStrategy } from './types';

const fmt = (q: unknown) => (isQuantity(q) ? formatQuantity(q as string) : String(q));

function validateQuantityMap(map: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(map ?? {})) {
    const p = `${path}[${k}]`;
    for (const m of isQualifiedName(k)) errs.push(fieldErr.invalid(p, k, m));
    if (!isQuantity(v)) errs.push(fieldErr.invalid(p, v, QUANTITY_ERROR));
    else if (compareQuantity(v as string, 0) < 0) errs.push(fieldErr.invalid(p, fmt(v), 'must be greater than or equal to 0'));
  }
  return errs;
}

const quotaScopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

function validateQuota(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  const spec = (obj.spec ?? {}) as Obj;
  errs.push(...validateQuantityMap(spec.hard, 'spec.hard'));
  (spec.scopes ?? []).forEach((s: string) => {
    if (!quotaScopes.includes(s)) errs.push(fieldErr.notSupported('spec.scopes', s, quotaScopes));
  });
  return errs;
}

/** `cpu: 100m/1, pods: 2/10` cells: requests (and counts) in REQUEST, limits.* in LIMIT */
function quotaCells(obj: KubeObject): [string, string] {
  const status = (obj.status ?? {}) as Obj;
  const hard = (status.hard ?? {}) as Obj;
  const used = (status.used ?? {}) as Obj;
  const req: string[] = [];
  const lim: string[] = [];
  for (const r of Object.keys(hard).sort()) {
    const cell = `${r}: ${fmt(used[r] ?? '0')}/${fmt(hard[r])}`;
    (r.split('.').length > 1 && r.startsWith('limits.') ? lim : req).push(cell);
  }
  return [req.join(', '), lim.join(', ')];
}

export const resourceQuotaStrategy: ResourceStrategy = {
  ...R.resourcequotas,
  singular: 'resourcequota',
  shortNames: ['quota'],
  verbs: ALL_VERBS,
  subresources: ['status'],
  schema: resourceQuotaSchema,
  prepareForCreate(obj) {
    delete obj.status;
  },
  prepareForUpdate: keepStatus,
  prepareForStatusUpdate: keepSpec,
  validate: validateQuota,
  validateUpdate: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateQuota(obj),
    ...validateQuantityMap((obj.status as Obj | undefined)?.hard, 'status.hard'),
    ...validateQuantityMap((obj.status as Obj | undefined)?.used, 'status.used'),
  ],
  tableColumns: [
    nameColumn,
    ageColumn,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  tableRow(obj, now) {
    const [req, lim] = quotaCells(obj);
    return [obj.metadata.name, ageOf(obj, now), req, lim];
  },
};

const limitTypes = ['Container', 'Pod', 'PersistentVolumeClaim'];

function validateLimitRange(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  const limits: Obj[] = ((obj.spec as Obj | undefined)?.limits ?? []) as Obj[];
  const seenTypes = new Set<string>();
  limits.forEach((l, i) => {
    const p = `spec.limits[${i}]`;
    if (!limitTypes.includes(l.type)) errs.push(fieldErr.notSupported(`${p}.type`, l.type ?? '', limitTypes));
    if (seenTypes.has(l.type)) errs.push(fieldErr.duplicate(`${p}.type`, l.type));
    seenTypes.add(l.type);
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) errs.push(...validateQuantityMap(l[k], `${p}.${k}`));
    if (l.type === 'Pod' && l.default) errs.push(fieldErr.forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
    if (l.type === 'Pod' && l.defaultRequest) errs.push(fieldErr.forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    const min = (l.min ?? {}) as Obj;
    const max = (l.max ?? {}) as Obj;
    const def = (l.default ?? {}) as Obj;
    const defReq = (l.defaultRequest ?? {}) as Obj;
    const ok = (q: unknown) => isQuantity(q);
    const gt = (a: unknown, b: unknown) => ok(a) && ok(b) && compareQuantity(a as string, b as string) > 0;
    for (const k of new Set([...Object.keys(min), ...Object.keys(max), ...Object.keys(def), ...Object.keys(defReq)])) {
      if (gt(min[k], max[k])) errs.push(fieldErr.invalid(`${p}.min[${k}]`, fmt(min[k]), `min value ${fmt(min[k])} is greater than max value ${fmt(max[k])}`));
      if (gt(defReq[k], def[k]))
        errs.push(
          fieldErr.invalid(
            `${p}.defaultRequest[${k}]`,
            fmt(defReq[k]),
            `default request value ${fmt(defReq[k])} is greater than default limit value ${fmt(def[k])}`,
          ),
        );
      if (gt(min[k], defReq[k]))
        errs.push(fieldErr.invalid(`${p}.min[${k}]`, fmt(min[k]), `min value ${fmt(min[k])} is greater than default request value ${fmt(defReq[k])}`));
      if (gt(defReq[k], max[k]))
        errs.push(
          fieldErr.invalid(`${p}.defaultRequest[${k}]`, fmt(defReq[k]), `default request value ${fmt(defReq[k])} is greater than max value ${fmt(max[k])}`),
        );
      if (gt(min[k], def[k]))
        errs.push(fieldErr.invalid(`${p}.min[${k}]`, fmt(min[k]), `min value ${fmt(min[k])} is greater than default value ${fmt(def[k])}`));
      if (gt(def[k], max[k]))
        errs.push(fieldErr.invalid(`${p}.default[${k}]`, fmt(def[k]), `default value ${fmt(def[k])} is greater than max value ${fmt(max[k])}`));
    }
  });
  return errs;
}

export const limitRangeStrategy: ResourceStrategy = {
  ...R.limitranges,
  singular: 'limitrange',
  shortNames: ['limits'],
  verbs: ALL_VERBS,
  schema: limitRangeSchema,
  defaults(obj) {
    // as upstream: default limit <- max; default request <- default limit, else min
    for (const l of ((obj.spec as Obj | undefined)?.limits ?? []) as Obj[]) {
      if (l.type !== 'Container') continue;
      const fill = (target: string, from: Obj | undefined) => {
        for (const [k, v] of Object.entries(from ?? {})) {
          l[target] ??= {};
          if (l[target][k] === undefined) l[target][k] = v;
        }
      };
      fill('default', l.max);
      fill('defaultRequest', l.default);
      fill('defaultRequest', l.min);
    }
  },
  validate: validateLimitRange,
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateLimitRange(obj)],
  tableColumns: [nameColumn, col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  tableRow: (obj) => [obj.metadata.name, rfc3339(obj.metadata.creationTimestamp)],
};
