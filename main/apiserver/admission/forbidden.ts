// admission.NewForbidden: `pods "web" is forbidden: <why>` with the resource named as upstream does.
import { StatusError } from '../../api/errors';
import type { StatusCause } from 'kubernetes-types/meta/v1';
import type { AdmissionAttributes } from './types';

export function forbidden(a: Pick<AdmissionAttributes, 'group' | 'resource' | 'name' | 'object'>, why: string, causes?: StatusCause[]): StatusError {
  const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
  const name = a.name || a.object?.metadata?.name || '';
  const message = name ? `${resource} "${name}" is forbidden: ${why}` : `${resource} is forbidden: ${why}`;
  return new StatusError(403, 'Forbidden', message, { name: name || undefined, group: a.group || undefined, kind: a.resource, ...(causes ? { causes } : {}) });
}

/** A pod create or update of the main resource: what most plugins look at. */
export const isPod = (a: AdmissionAttributes) => a.group === '' && a.resource === 'pods' && a.subresource === '';
