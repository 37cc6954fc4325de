// Errors as values with a reason, rendered as a Kubernetes `Status`.
import type { Status, StatusCause } from 'kubernetes-types/meta/v1';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Gone'
  | 'Expired'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'NotImplemented'
  | '';

export interface FieldError {
  /** `metadata.name`, `spec.containers[0].image` */
  field: string;
  /** upstream's cause reason: FieldValueRequired, FieldValueInvalid, FieldValueDuplicate, FieldValueNotSupported, FieldValueForbidden, FieldValueTooLong */
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueDuplicate'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTypeInvalid'
    | 'FieldValueNotFound'
    | 'FieldValueTooMany';
  /** upstream's message, e.g. `Required value` or `Invalid value: "Web": a lowercase RFC 1123 subdomain must ...` */
  message: string;
}

export interface ResourceId {
  group?: string;
  /** plural resource name, e.g. `pods` */
  kind: string;
  name?: string;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason || undefined,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  static from(status: Status): StatusError {
    return new StatusError(status.code ?? 500, (status.reason ?? '') as StatusReason, status.message ?? '', status.details);
  }
}

const qualified = (r: ResourceId) => (r.group ? `${r.kind}.${r.group}` : r.kind);

export const errors = {
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  unauthorized: (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message),
  forbidden: (message: string, r?: ResourceId) => new StatusError(403, 'Forbidden', message, r ? { name: r.name, group: r.group, kind: r.kind } : undefined),
  notFound: (r: ResourceId) => new StatusError(404, 'NotFound', `${qualified(r)} "${r.name ?? ''}" not found`, { name: r.name, group: r.group, kind: r.kind }),
  alreadyExists: (r: ResourceId) =>
    new StatusError(409, 'AlreadyExists', `${qualified(r)} "${r.name ?? ''}" already exists`, { name: r.name, group: r.group, kind: r.kind }),
  conflict: (r: ResourceId, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${r.name ?? ''}": ${why}`, {
      name: r.name,
      group: r.group,
      kind: r.kind,
    }),
  /** 422, message as upstream: `Pod "x" is invalid: [spec.containers[0].image: Required value, ...]` */
  invalid: (kind: string, group: string | undefined, name: string, causes: FieldError[]) => {
    const parts = causes.map((c) => `${c.field}: ${c.message}`);
    const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
    const k = group ? `${kind}.${group}` : kind;
    const statusCauses: StatusCause[] = causes.map((c) => ({ reason: c.type, message: c.message, field: c.field }));
    return new StatusError(422, 'Invalid', `${k} "${name}" is invalid: ${list}`, { name, group, kind, causes: statusCauses });
  },
  expired: (message: string) => new StatusError(410, 'Expired', message),
  gone: (message: string) => new StatusError(410, 'Gone', message),
  methodNotAllowed: (message: string) => new StatusError(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => new StatusError(406, 'NotAcceptable', message),
  unsupportedMediaType: (message: string) => new StatusError(415, 'UnsupportedMediaType', message),
  tooLarge: (message = 'Request entity too large') => new StatusError(413, 'RequestEntityTooLarge', message),
  internal: (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`),
  notImplemented: (message: string) => new StatusError(501, 'NotImplemented', message),
  unavailable: (message: string) => new StatusError(503, 'ServiceUnavailable', message),
};

export function isStatusError(e: unknown, reason?: StatusReason): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.reason === reason);
}
