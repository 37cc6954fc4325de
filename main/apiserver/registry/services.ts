// v1 Service: a ClusterIP (and NodePorts) allocated at create, against every stored Service, and kept on update; the columns of `kubectl get svc`.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import {
  fieldErr,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, formatLabels, keepSpec, keepStatus, nameColumn, type Obj } from './common';
import type { Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { allocateServiceIPs, nodePortRange } from '../../proxy/allocator';
import { serviceSchema } from './schemas/core';
import type { ResourceStrategy, StrategyContext } from './types';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];

/**
 * Addresses handed out by creates and updates still on their way to the store. Allocation otherwise
 * counts only stored Services (which survive a restart); this keeps two concurrent creates apart.
 */
const inFlight: { service: Service; at: number }[] = [];
const IN_FLIGHT_MS = 60_000;

/** ClusterIP and NodePorts from the one allocator (main/proxy/allocator), knowing every stored Service. */
function allocate(obj: KubeObject, ctx: StrategyContext): void {
  const now = Date.now();
  while (inFlight.length && now - inFlight[0].at > IN_FLIGHT_MS) inFlight.shift();
  const stored = (ctx.stored?.() ?? []) as Service[];
  const allocated = allocateServiceIPs(obj as Service, [...stored, ...inFlight.map((f) => f.service)]);
  obj.spec = allocated.spec as Obj;
  inFlight.push({ service: structuredClone(allocated), at: now });
}

const isIPv4 = (s: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split('.').every((x) => Number(x) <= 255);

function defaultService(spec: Obj) {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') spec.sessionAffinityConfig ??= { clientIP: { timeoutSeconds: 10800 } };
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

function validateServiceSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ports: Obj[] = spec.ports ?? [];
  if (!serviceTypes.includes(spec.type)) errs.push(fieldErr.notSupported('spec.type', spec.type ?? '', serviceTypes));
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push(fieldErr.required('spec.externalName'));
    else
      for (const m of isDNS1123Subdomain(String(spec.externalName).replace(/\.$/, ''))) errs.push(fieldErr.invalid('spec.externalName', spec.externalName, m));
  } else if (ports.length === 0 && spec.clusterIP !== 'None') {
    errs.push(fieldErr.required('spec.ports'));
  }
  if (!['ClientIP', 'None'].includes(spec.sessionAffinity))
    errs.push(fieldErr.notSupported('spec.sessionAffinity', spec.sessionAffinity ?? '', ['ClientIP', 'None']));
  if (spec.clusterIP && spec.clusterIP !== 'None' && !isIPv4(spec.clusterIP)) {
    errs.push(fieldErr.invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(fieldErr.required(`${pp}.name`));
    if (p.name) {
      const msgs = isDNS1123Label(p.name);
      for (const m of msgs) errs.push(fieldErr.invalid(`${pp}.name`, p.name, m));
      if (!msgs.length && names.has(p.name)) errs.push(fieldErr.duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p.port)) errs.push(fieldErr.invalid(`${pp}.port`, p.port ?? 0, m));
    if (!p.protocol) errs.push(fieldErr.required(`${pp}.protocol`));
    else if (!protocols.includes(p.protocol)) errs.push(fieldErr.notSupported(`${pp}.protocol`, p.protocol, protocols));
    if (typeof p.targetPort === 'number') for (const m of isValidPortNum(p.targetPort)) errs.push(fieldErr.invalid(`${pp}.targetPort`, p.targetPort, m));
    else if (typeof p.targetPort === 'string') for (const m of isValidPortName(p.targetPort)) errs.push(fieldErr.invalid(`${pp}.targetPort`, p.targetPort, m));
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (spec.type === 'ClusterIP') errs.push(fieldErr.forbidden(`${pp}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (p.nodePort < nodePortRange.min || p.nodePort > nodePortRange.max) {
        errs.push(
          fieldErr.invalid(
            `${pp}.nodePort`,
            p.nodePort,
            `provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}`,
          ),
        );
      }
    }
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) errs.push(fieldErr.duplicate(pp, { port: p.port, protocol: p.protocol }));
    keys.add(key);
  });
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

/** the EXTERNAL-IP cell */
function externalIP(spec: Obj, status: Obj | undefined): string {
  const ext: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = ((status?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip || i.hostname).filter(Boolean) as string[];
      const all = [...lb, ...ext];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

const portsCell = (ports: Obj[] | undefined) =>
  (ports ?? []).length ? (ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',') : '<none>';

export const serviceStrategy: ResourceStrategy = {
  ...R.services,
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: ['status', 'proxy'],
  schema: serviceSchema,
  defaults(obj) {
    defaultService((obj.spec ??= {}) as Obj);
  },
  prepareForCreate(obj, ctx) {
    obj.status = { loadBalancer: {} };
    const spec = (obj.spec ??= {}) as Obj;
    defaultService(spec);
    allocate(obj, ctx);
  },
  prepareForUpdate(obj, old, ctx) {
    keepStatus(obj, old);
    const spec = (obj.spec ??= {}) as Obj;
    const prev = (old.spec ?? {}) as Obj;
    defaultService(spec);
    // what the server allocated survives an update (kubectl replace/apply) that leaves it out
    if (!spec.clusterIP && prev.clusterIP && spec.type !== 'ExternalName') spec.clusterIP = prev.clusterIP;
    if (!spec.clusterIPs && prev.clusterIPs && spec.type !== 'ExternalName') spec.clusterIPs = prev.clusterIPs;
    if (spec.type !== 'ExternalName') {
      spec.ipFamilies ??= prev.ipFamilies;
      spec.ipFamilyPolicy ??= prev.ipFamilyPolicy;
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      for (const p of spec.ports ?? []) {
        if (p.nodePort) continue;
        const same = ((prev.ports ?? []) as Obj[]).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === p.protocol);
        if (same?.nodePort) p.nodePort = same.nodePort;
      }
    }
    // a changed clusterIP is validateUpdate's to refuse ("may not change once set"), not the allocator's
    if (spec.type === 'ExternalName' || (prev.clusterIP && spec.clusterIP !== prev.clusterIP)) return;
    allocate(obj, ctx);
  },
  prepareForStatusUpdate: keepSpec,
  validate: (obj) => [...validateObjectMeta(obj.metadata, true, nameIsDNS1035Label), ...validateServiceSpec((obj.spec ?? {}) as Obj)],
  validateUpdate(obj, old) {
    const errs = [
      ...validateObjectMetaUpdate(obj.metadata, old.metadata),
      ...validateObjectMeta(obj.metadata, true, nameIsDNS1035Label),
      ...validateServiceSpec((obj.spec ?? {}) as Obj),
    ];
    const spec = (obj.spec ?? {}) as Obj;
    const prev = (old.spec ?? {}) as Obj;
    if (spec.type !== 'ExternalName' && prev.type !== 'ExternalName' && prev.clusterIP && spec.clusterIP !== prev.clusterIP) {
      errs.push(fieldErr.invalid('spec.clusterIPs[0]', spec.clusterIPs ?? [spec.clusterIP], 'may not change once set'));
    }
    return errs;
  },
  tableColumns: [
    nameColumn,
    col('Type', 'string', 'The type of the service.'),
    col('Cluster-IP', 'string', 'The cluster ip of the service.'),
    col('External-IP', 'string', 'The external ip of the service.'),
    col('Port(s)', 'string', 'The ports of the service.'),
    ageColumn,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  tableRow(obj, now) {
    const spec = (obj.spec ?? {}) as Obj;
    return [
      obj.metadata.name,
      spec.type ?? '',
      spec.clusterIP || '<none>',
      externalIP(spec, obj.status as Obj),
      portsCell(spec.ports),
      ageOf(obj, now),
      formatLabels(spec.selector),
    ];
  },
  selectableFields: (obj) => ({
    'spec.clusterIP': String((obj.spec as Obj | undefined)?.clusterIP ?? ''),
    'spec.type': String((obj.spec as Obj | undefined)?.type ?? ''),
  }),
};
