// What a node's relay for a Service runs: ports with the node's own ready endpoints, and the Service's DNS aliases.
import { describe, expect, it } from 'vitest';
import type { EndpointPort, Endpoints, Service } from 'kubernetes-types/core/v1';
import { relayConfigHash, relaySpec } from '../../../main/proxy/service-relays';

const svc = (spec: Service['spec'], name = 'web'): Service => ({ metadata: { name, namespace: 'shop' }, spec });
const ep = (addrs: Array<[string, string]>, ports: EndpointPort[], notReady: Array<[string, string]> = []): Endpoints => ({
  metadata: { name: 'web', namespace: 'shop' },
  subsets: [{ addresses: addrs.map(([ip, nodeName]) => ({ ip, nodeName })), notReadyAddresses: notReady.map(([ip, nodeName]) => ({ ip, nodeName })), ports }],
});
const aliases = ['web', 'web.shop', 'web.shop.svc', 'web.shop.svc.cluster.local'];

describe('relaySpec', () => {
  const rows: Array<{ name: string; svc?: Service; ep?: Endpoints; node?: string; want: ReturnType<typeof relaySpec> }> = [
    { name: 'Service gone: no relay', svc: undefined, want: undefined },
    { name: 'ExternalName: no relay', svc: svc({ type: 'ExternalName', externalName: 'example.org' }), want: undefined },
    { name: 'UDP only: no relay', svc: svc({ selector: { app: 'web' }, ports: [{ port: 53, protocol: 'UDP' }] }), want: undefined },
    {
      name: 'two ready endpoints on this node, port = targetPort',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }),
      ep: ep([['10.0.0.2', 'n1'], ['10.0.0.3', 'n1']], [{ port: 80 }]),
      want: { args: ['80=10.0.0.2:80,10.0.0.3:80'], aliases },
    },
    {
      name: 'targetPort differs: listens on port, forwards to the endpoint port',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 80 }] }),
      ep: ep([['10.0.0.2', 'n1']], [{ port: 80 }]),
      want: { args: ['8080=10.0.0.2:80'], aliases },
    },
    {
      name: 'endpoints of another node and not-ready ones are left out',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }),
      ep: ep([['10.0.0.2', 'n1'], ['10.1.0.2', 'n2']], [{ port: 80 }], [['10.0.0.9', 'n1']]),
      want: { args: ['80=10.0.0.2:80'], aliases },
    },
    {
      name: 'no ready endpoint: relay resolves but listens on nothing (connections refused)',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }),
      ep: ep([], [{ port: 80 }]),
      want: { args: [], aliases },
    },
    {
      name: 'named ports map to the Endpoints port of the same name',
      svc: svc({ selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'admin', port: 9000, targetPort: 9001 }] }),
      ep: ep([['10.0.0.2', 'n1']], [{ name: 'http', port: 8080 }, { name: 'admin', port: 9001 }]),
      want: { args: ['80=10.0.0.2:8080', '9000=10.0.0.2:9001'], aliases },
    },
    {
      name: 'no selector and no endpoint here (the kubernetes Service): no relay',
      svc: svc({ ports: [{ name: 'https', port: 443 }] }, 'kubernetes'),
      ep: ep([['192.168.1.1', '']], [{ name: 'https', port: 6443 }]),
      want: undefined,
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      expect(relaySpec(r.svc, r.ep, r.node ?? 'n1')).toEqual(r.want);
    });
  }

  it('the config hash changes with the backends, so the relay is recreated', () => {
    const a = relayConfigHash({ args: ['80=10.0.0.2:80'], aliases }, 'kubelab/relay:1');
    expect(relayConfigHash({ args: ['80=10.0.0.2:80'], aliases }, 'kubelab/relay:1')).toBe(a);
    expect(relayConfigHash({ args: ['80=10.0.0.3:80'], aliases }, 'kubelab/relay:1')).not.toBe(a);
  });
});
