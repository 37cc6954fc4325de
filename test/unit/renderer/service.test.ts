import { describe, expect, it } from 'vitest';
import { endpointAddresses, servicePorts, servicePortsText } from '../../../renderer/lib/service';
import type { Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1';

const svc = (type: string, ports: ServicePort[]): Service => ({ metadata: { name: 's' }, spec: { type, ports } });

describe('service ports', () => {
  it.each([
    [
      'NodePort: port:nodePort/TCP and a URL on 127.0.0.1',
      svc('NodePort', [{ port: 80, targetPort: 8080, nodePort: 30080 }]),
      '80:30080/TCP',
      ['http://127.0.0.1:30080/'],
    ],
    ['ClusterIP: no node port, nothing to open', svc('ClusterIP', [{ port: 80, protocol: 'TCP' }]), '80/TCP', [undefined]],
    [
      'several ports, comma-separated as kubectl prints them',
      svc('NodePort', [
        { name: 'http', port: 80, nodePort: 30080 },
        { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
      ]),
      '80:30080/TCP,53:30053/UDP',
      ['http://127.0.0.1:30080/', undefined],
    ],
    ['no ports', svc('ClusterIP', []), '<none>', []],
  ] as const)('%s', (_n, s, text, urls) => {
    expect(servicePortsText(s)).toBe(text);
    expect(servicePorts(s).map((p) => p.url)).toEqual(urls);
  });

  it('targetPort defaults to the port; a named targetPort stays a name', () => {
    expect(servicePorts(svc('ClusterIP', [{ port: 80 }, { port: 443, targetPort: 'https' }])).map((p) => p.targetPort)).toEqual(['80', 'https']);
  });
});

describe('endpoint addresses', () => {
  it('lists ready addresses, then not-ready ones, with their pods and nodes', () => {
    const ep = {
      metadata: { name: 's' },
      subsets: [
        {
          addresses: [{ ip: '172.17.0.2', nodeName: 'default', targetRef: { kind: 'Pod', name: 'web-1' } }],
          notReadyAddresses: [{ ip: '172.17.0.3', nodeName: 'default', targetRef: { kind: 'Pod', name: 'web-2' } }],
        },
      ],
    } as Endpoints;
    expect(endpointAddresses(ep)).toEqual([
      { ip: '172.17.0.2', pod: 'web-1', node: 'default', ready: true },
      { ip: '172.17.0.3', pod: 'web-2', node: 'default', ready: false },
    ]);
    expect(endpointAddresses(undefined)).toEqual([]);
  });
});
