import { describe, expect, it } from 'vitest';
import type { Service } from 'kubernetes-types/core/v1';
import { allocateServiceIPs, inServiceCIDR } from '../../../main/proxy/allocator';
import { StatusError } from '../../../main/api/errors';

const svc = (name: string, spec: Service['spec']): Service => ({ metadata: { name, namespace: 'default' }, spec });

describe('allocateServiceIPs', () => {
  it('gives a ClusterIP in 10.96.0.0/12, never 10.96.0.1 (kept for `kubernetes`) and never a taken one', () => {
    const taken = [svc('a', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] })];
    for (let i = 0; i < 200; i++) {
      const s = allocateServiceIPs(svc('web', { ports: [{ port: 80 }] }), taken);
      expect(inServiceCIDR(s.spec!.clusterIP!)).toBe(true);
      expect(s.spec!.clusterIP).not.toBe('10.96.0.1');
      expect(s.spec!.clusterIP).not.toBe('10.96.0.10');
      expect(s.spec!.clusterIPs).toEqual([s.spec!.clusterIP]);
    }
    expect(allocateServiceIPs(svc('kubernetes', { clusterIP: '10.96.0.1', ports: [{ port: 443 }] }), []).spec!.clusterIP).toBe('10.96.0.1');
  });

  it('keeps headless services headless and gives ExternalName nothing', () => {
    expect(allocateServiceIPs(svc('h', { clusterIP: 'None' }), []).spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] });
    expect(allocateServiceIPs(svc('x', { type: 'ExternalName', externalName: 'example.org' }), []).spec!.clusterIP).toBeUndefined();
  });

  it('allocates NodePorts in 30000-32767 for NodePort services, avoiding taken ones', () => {
    const taken = [svc('a', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] })];
    const s = allocateServiceIPs(svc('web', { type: 'NodePort', ports: [{ port: 80 }, { port: 443, nodePort: 30443 }] }), taken);
    const [p0, p1] = s.spec!.ports!;
    expect(p0.nodePort).toBeGreaterThanOrEqual(30000);
    expect(p0.nodePort).toBeLessThanOrEqual(32767);
    expect(p0.nodePort).not.toBe(30080);
    expect(p1.nodePort).toBe(30443);
    // an update of the same service keeps its own values
    expect(allocateServiceIPs(s, [...taken, s]).spec).toEqual(s.spec);
  });

  it.each([
    [
      'a taken clusterIP',
      svc('b', { clusterIP: '10.96.0.10' }),
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    ],
    [
      'a taken nodePort',
      svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    ],
    [
      'a nodePort out of range',
      svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }),
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    ],
  ])("refuses %s with upstream's message", (_n, s, msg) => {
    const taken = [svc('a', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] })];
    let err: unknown;
    try {
      allocateServiceIPs(s, taken);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(422);
    expect((err as StatusError).message).toBe(msg);
  });
});
