// v1 ConfigMap, Secret and ServiceAccount: key rules, immutability, secret types, `stringData`.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { fieldErr, isConfigMapKey, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, deepEqual } from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, nameColumn, type Obj } from './common';
import { configMapSchema, secretSchema, serviceAccountSchema } from './schemas/core';
import type { ResourceStrategy } from './types';

const MAX_SIZE = 1024 * 1024;
const b64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  const data = (obj.data ?? {}) as Obj;
  const binary = (obj.binaryData ?? {}) as Obj;
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid('data', k, m));
    size += String(v ?? '').length;
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid('binaryData', k, m));
    if (k in data) errs.push(fieldErr.invalid('binaryData', k, 'duplicate of key present in data'));
    size += Math.floor((String(v ?? '').length * 3) / 4);
  }
  if (size > MAX_SIZE) errs.push({ field: '', type: 'FieldValueTooLong', message: `Too long: must have at most ${MAX_SIZE} bytes` });
  return errs;
}

function validateImmutableData(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable !== true) return errs;
  if (obj.immutable !== true) errs.push(fieldErr.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!deepEqual(obj[f], old[f])) errs.push(fieldErr.forbidden(f, 'field is immutable when `immutable` is set'));
  return errs;
}

export const configMapStrategy: ResourceStrategy = {
  ...R.configmaps,
  singular: 'configmap',
  shortNames: ['cm'],
  verbs: ALL_VERBS,
  schema: configMapSchema,
  validate: validateConfigMap,
  validateUpdate: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateConfigMap(obj),
    ...validateImmutableData(obj, old, ['data', 'binaryData']),
  ],
  tableColumns: [nameColumn, col('Data', 'string', 'Data contains the configuration data.'), ageColumn],
  tableRow: (obj, now) => [obj.metadata.name, Object.keys((obj.data ?? {}) as Obj).length + Object.keys((obj.binaryData ?? {}) as Obj).length, ageOf(obj, now)],
};

const requiredKeys: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function validateSecret(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  const data = (obj.data ?? {}) as Obj;
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid(`data[${k}]`, k, m));
    if (typeof v !== 'string' || !b64.test(v)) errs.push(fieldErr.invalid(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    size += Math.floor((String(v ?? '').length * 3) / 4);
  }
  if (size > MAX_SIZE) errs.push({ field: 'data', type: 'FieldValueTooLong', message: `Too long: must have at most ${MAX_SIZE} bytes` });
  const type = String(obj.type ?? 'Opaque');
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(fieldErr.required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  for (const k of requiredKeys[type] ?? []) if (!(k in data)) errs.push(fieldErr.required(`data[${k}]`));
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(fieldErr.required('data[username]', 'either username or password is required'));
  }
  return errs;
}

export const secretStrategy: ResourceStrategy = {
  ...R.secrets,
  singular: 'secret',
  verbs: ALL_VERBS,
  schema: secretSchema,
  defaults(obj) {
    obj.type ??= 'Opaque';
    // stringData is write-only: merged into data, as upstream's conversion does
    const sd = obj.stringData as Obj | undefined;
    if (sd) {
      const data = (obj.data ??= {}) as Obj;
      for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete obj.stringData;
    }
  },
  validate: validateSecret,
  validateUpdate(obj, old) {
    const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateSecret(obj), ...validateImmutableData(obj, old, ['data'])];
    if ((obj.type ?? 'Opaque') !== (old.type ?? 'Opaque')) errs.push(fieldErr.invalid('type', obj.type ?? '', 'field is immutable'));
    return errs;
  },
  tableColumns: [nameColumn, col('Type', 'string', 'The type of the secret'), col('Data', 'string', 'The number of entries in the data'), ageColumn],
  tableRow: (obj, now) => [obj.metadata.name, String(obj.type ?? ''), Object.keys((obj.data ?? {}) as Obj).length, ageOf(obj, now)],
  selectableFields: (obj) => ({ type: String(obj.type ?? '') }),
};

export const serviceAccountStrategy: ResourceStrategy = {
  ...R.serviceaccounts,
  singular: 'serviceaccount',
  shortNames: ['sa'],
  verbs: ALL_VERBS,
  subresources: ['token'],
  schema: serviceAccountSchema,
  validate: (obj) => validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain),
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain)],
  tableColumns: [
    nameColumn,
    col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    ageColumn,
  ],
  tableRow: (obj, now) => [obj.metadata.name, ((obj.secrets ?? []) as unknown[]).length, ageOf(obj, now)],
};
