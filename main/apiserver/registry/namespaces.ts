// v1 Namespace: Active on create with the `kubernetes` finalizer; the name is a DNS label.
import { R } from '../../client/types';
import { nameIsDNSLabel, validateObjectMeta, validateObjectMetaUpdate, isQualifiedName, fieldErr } from '../../api/validation';
import type { FieldError } from '../../api/errors';
import { ageColumn, ageOf, col, nameColumn, str, type Obj } from './common';
import { namespaceSchema } from './schemas/core';
import type { ResourceStrategy } from './types';

function validateFinalizers(spec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of (spec?.finalizers ?? []) as string[]) {
    for (const m of isQualifiedName(f)) errs.push(fieldErr.invalid('spec.finalizers', f, m));
  }
  return errs;
}

export const namespaceStrategy: ResourceStrategy = {
  ...R.namespaces,
  singular: 'namespace',
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'finalize'],
  schema: namespaceSchema,
  defaults(obj) {
    // the immutable name label every namespace carries since 1.21
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
    const status = (obj.status ??= {}) as Obj;
    status.phase ??= 'Active';
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    const spec = (obj.spec ??= {}) as Obj;
    const fins: string[] = spec.finalizers ?? [];
    if (!fins.includes('kubernetes')) spec.finalizers = [...fins, 'kubernetes'];
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through the finalize subresource
    obj.spec = { ...((obj.spec as Obj) ?? {}), finalizers: (old.spec as Obj | undefined)?.finalizers };
    obj.status = structuredClone(old.status);
  },
  prepareForStatusUpdate(obj, old) {
    obj.spec = structuredClone(old.spec);
  },
  validate(obj) {
    return [...validateObjectMeta(obj.metadata, false, nameIsDNSLabel), ...validateFinalizers(obj.spec as Obj)];
  },
  validateUpdate(obj, old) {
    return [
      ...validateObjectMetaUpdate(obj.metadata, old.metadata),
      ...validateObjectMeta(obj.metadata, false, nameIsDNSLabel),
      ...validateFinalizers(obj.spec as Obj),
    ];
  },
  tableColumns: [nameColumn, col('Status', 'string', 'The status of the namespace'), ageColumn],
  tableRow: (obj, now) => [obj.metadata.name, str((obj.status as Obj | undefined)?.phase), ageOf(obj, now)],
  selectableFields: (obj) => ({ 'status.phase': str((obj.status as Obj | undefined)?.phase) }),
};
