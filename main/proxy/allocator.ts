// Service IP and NodePort allocation, done at create/update time as upstream's service REST storage does.
// The API core calls allocateServiceIPs(service, existing) before persisting a Service.
import type { Service } from 'kubernetes-types/core/v1';
import { errors, type FieldError } from '../api/errors';

/** upstream's default service CIDR */
export const serviceCIDR = { base: '10.96.0.0', bits: 12 };
export const nodePortRange = { min: 30000, max: 32767 };
/** the first address is kept for the `kubernetes` Service, as upstream */
export const kubernetesServiceIP = '10.96.0.1';

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const cidrStart = ipToInt(serviceCIDR.base);
const cidrSize = 2 ** (32 - serviceCIDR.bits);

export function inServiceCIDR(ip: string): boolean {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return false;
  const n = ipToInt(ip);
  return n > cidrStart && n < cidrStart + cidrSize - 1;
}

const needsNodePorts = (s: Service) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';

/**
 * Fill spec.clusterIP/clusterIPs and nodePorts of a Service being created or updated, given every
 * other Service. Throws a 422 Invalid StatusError with upstream's messages when a requested
 * value is taken or out of range. Returns a new object; the input is not changed.
 */
export function allocateServiceIPs<T extends Service>(service: T, existing: Service[]): T {
  const svc = structuredClone(service) as T & { spec: NonNullable<Service['spec']> };
  svc.spec = (svc.spec ?? {}) as NonNullable<Service['spec']>;
  const spec = svc.spec as { -readonly [K in keyof NonNullable<Service['spec']>]: NonNullable<Service['spec']>[K] };
  const others = existing.filter((o) => !(o.metadata?.namespace === svc.metadata?.namespace && o.metadata?.name === svc.metadata?.name));
  const usedIPs = new Set(others.flatMap((o) => [o.spec?.clusterIP, ...(o.spec?.clusterIPs ?? [])]).filter((x): x is string => !!x && x !== 'None'));
  const usedPorts = new Set(others.flatMap((o) => (o.spec?.ports ?? []).map((p) => p.nodePort)).filter((x): x is number => !!x));
  const causes: FieldError[] = [];
  const name = svc.metadata?.name ?? '';

  if (spec.type !== 'ExternalName') {
    const requested = spec.clusterIP ?? spec.clusterIPs?.[0];
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    } else if (requested) {
      if (!inServiceCIDR(requested)) {
        causes.push({
          field: 'spec.clusterIPs',
          type: 'FieldValueInvalid',
          message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${serviceCIDR.base}/${serviceCIDR.bits}`,
        });
      } else if (usedIPs.has(requested)) {
        causes.push({
          field: 'spec.clusterIPs',
          type: 'FieldValueInvalid',
          message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: provided IP is already allocated`,
        });
      }
      spec.clusterIP = requested;
      spec.clusterIPs = [requested];
    } else {
      // random start, then linear probe, as upstream's bitmap allocator does
      const span = cidrSize - 2;
      const start = Math.floor(Math.random() * span);
      let ip: string | undefined;
      for (let i = 0; i < span; i++) {
        const cand = intToIp(cidrStart + 1 + ((start + i) % span));
        if (cand === kubernetesServiceIP && name !== 'kubernetes') continue;
        if (!usedIPs.has(cand)) {
          ip = cand;
          break;
        }
      }
      if (!ip) throw errors.internal('failed to allocate a serviceIP: range is full');
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
    spec.ipFamilies = spec.ipFamilies ?? (spec.clusterIP === 'None' ? ['IPv4'] : ['IPv4']);
    spec.ipFamilyPolicy = spec.ipFamilyPolicy ?? 'SingleStack';
  }

  if (needsNodePorts(svc)) {
    const taken = new Set(usedPorts);
    const ports = (spec.ports ?? []).map((p) => ({ ...p }));
    ports.forEach((p, i) => {
      if (!p.nodePort) return;
      if (p.nodePort < nodePortRange.min || p.nodePort > nodePortRange.max) {
        causes.push({
          field: `spec.ports[${i}].nodePort`,
          type: 'FieldValueInvalid',
          message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}`,
        });
      } else if (taken.has(p.nodePort)) {
        causes.push({
          field: `spec.ports[${i}].nodePort`,
          type: 'FieldValueInvalid',
          message: `Invalid value: ${p.nodePort}: provided port is already allocated`,
        });
      }
      taken.add(p.nodePort);
    });
    const span = nodePortRange.max - nodePortRange.min + 1;
    for (const p of ports) {
      if (p.nodePort) continue;
      const start = Math.floor(Math.random() * span);
      for (let i = 0; i < span; i++) {
        const cand = nodePortRange.min + ((start + i) % span);
        if (!taken.has(cand)) {
          p.nodePort = cand;
          taken.add(cand);
          break;
        }
      }
      if (!p.nodePort) throw errors.internal('failed to allocate a nodePort: range is full');
    }
    spec.ports = ports;
  } else if (spec.ports) {
    spec.ports = spec.ports.map((p) => {
      const { nodePort: _drop, ...rest } = p;
      return rest;
    });
  }

  if (causes.length) throw errors.invalid('Service', undefined, name, causes);
  return svc;
}
