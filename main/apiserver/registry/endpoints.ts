// v1 Endpoints: the addresses behind a Service, written by the endpoints controller.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import { fieldErr, isDNS1123Label, isValidPortNum, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, nameColumn, type Obj } from './common';
import { endpointsSchema } from './schemas/core';
import type { ResourceStrategy } from './types';

function validateSubsets(subsets: Obj[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  (subsets ?? []).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (!(ss.addresses ?? []).length && !(ss.notReadyAddresses ?? []).length) {
      errs.push(fieldErr.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const key of ['addresses', 'notReadyAddresses']) {
      ((ss[key] ?? []) as Obj[]).forEach((a, j) => {
        if (!a.ip) errs.push(fieldErr.required(`${p}.${key}[${j}].ip`));
      });
    }
    const ports: Obj[] = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (ports.length > 1 && !port.name) errs.push(fieldErr.required(`${pp}.name`));
      if (port.name) for (const m of isDNS1123Label(port.name)) errs.push(fieldErr.invalid(`${pp}.name`, port.name, m));
      for (const m of isValidPortNum(port.port)) errs.push(fieldErr.invalid(`${pp}.port`, port.port ?? 0, m));
      if (port.protocol && !['SCTP', 'TCP', 'UDP'].includes(port.protocol))
        errs.push(fieldErr.notSupported(`${pp}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

/** the ENDPOINTS cell: up to three `ip:port`, then `+ N more...` */
export function formatEndpoints(subsets: Obj[] | undefined): string {
  if (!(subsets ?? []).length) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets ?? []) {
    const addrs: Obj[] = ss.addresses ?? [];
    if (!(ss.ports ?? []).length) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ss.ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(String(a.ip).includes(':') ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsStrategy: ResourceStrategy = {
  ...R.endpoints,
  singular: 'endpoints',
  shortNames: ['ep'],
  verbs: ALL_VERBS,
  schema: endpointsSchema,
  defaults(obj) {
    for (const ss of (obj.subsets ?? []) as Obj[]) for (const p of ss.ports ?? []) p.protocol ??= 'TCP';
  },
  validate: (obj) => [...validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain), ...validateSubsets(obj.subsets as Obj[])],
  validateUpdate: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain),
    ...validateSubsets(obj.subsets as Obj[]),
  ],
  tableColumns: [nameColumn, col('Endpoints', 'string', 'Endpoints of the service'), ageColumn],
  tableRow: (obj, now) => [obj.metadata.name, formatEndpoints(obj.subsets as Obj[]), ageOf(obj, now)],
};
