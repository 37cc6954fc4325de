// coordination.k8s.io/v1 Lease: node heartbeats (kube-node-lease) and leader election.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { fieldErr, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, validateNonnegative } from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, nameColumn, type Obj } from './common';
import { leaseSchema } from './schemas/workloads';
import type { ResourceStrategy } from './types';

function validateLease(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  const spec = (obj.spec ?? {}) as Obj;
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(fieldErr.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...validateNonnegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}

export const leaseStrategy: ResourceStrategy = {
  ...R.leases,
  singular: 'lease',
  verbs: ALL_VERBS,
  schema: leaseSchema,
  validate: validateLease,
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateLease(obj)],
  tableColumns: [nameColumn, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  tableRow: (obj, now) => [obj.metadata.name, String((obj.spec as Obj | undefined)?.holderIdentity ?? ''), ageOf(obj, now)],
};
