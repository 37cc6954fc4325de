// What a node's relay for a Service runs: ports with the ready endpoints it reaches (its node's, and those of nodes the
// overlay connects it to), the Service's one DNS alias, and the stdin line that reconfigures it.
import { describe, expect, it } from 'vitest';
import type { EndpointPort, Endpoints, Service } from 'kubernetes-types/core/v1';
import { relayConfigHash, relayConfigLine, relaySpec } from '../../../main/proxy/service-relays';

const svc = (spec: Service['spec'], name = 'web'): Service => ({ metadata: { name, namespace: 'shop' }, spec });
const ep = (addrs: Array<[string, string]>, ports: EndpointPort[], notReady: Array<[string, string]> = []): Endpoints => ({
  metadata: { name: 'web', namespace: 'shop' },
  subsets: [{ addresses: addrs.map(([ip, nodeName]) => ({ ip, nodeName })), notReadyAddresses: notReady.map(([ip, nodeName]) => ({ ip, nodeName })), ports }],
});
const aliases = ['web.shop.svc.cluster.local'];

describe('relaySpec', () => {
  const rows: Array<{ name: string; svc?: Service; ep?: Endpoints; node?: string; reach?: string[]; want: ReturnType<typeof relaySpec> }> = [
    { name: 'Service gone: no relay', svc: undefined, want: undefined },
    { name: 'ExternalName: no relay', svc: svc({ type: 'ExternalName', externalName: 'example.org' }), want: undefined },
    { name: 'UDP only: no relay', svc: svc({ selector: { app: 'web' }, ports: [{ port: 53, protocol: 'UDP' }] }), want: undefined },
    {
      name: 'two ready endpoints on this node, port = targetPort',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }),
      ep: ep(
        [
          ['10.0.0.2', 'n1'],
          ['10.0.0.3', 'n1'],
        ],
        [{ port: 80 }],
      ),
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
      ep: ep(
        [
          ['10.0.0.2', 'n1'],
          ['10.1.0.2', 'n2'],
        ],
        [{ port: 80 }],
        [['10.0.0.9', 'n1']],
      ),
      want: { args: ['80=10.0.0.2:80'], aliases },
    },
    {
      name: 'with the overlay up to n2: endpoints of both nodes, round robin over all (not-ready ones still out)',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }),
      ep: ep(
        [
          ['10.244.0.2', 'n1'],
          ['10.244.1.2', 'n2'],
          ['10.244.2.2', 'n3'],
        ],
        [{ port: 80 }],
        [['10.244.1.9', 'n2']],
      ),
      reach: ['n2'],
      want: { args: ['80=10.244.0.2:80,10.244.1.2:80'], aliases },
    },
    {
      name: 'the only endpoint on another node the overlay reaches',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }),
      ep: ep([['10.244.1.2', 'n2']], [{ port: 80 }]),
      reach: ['n2'],
      want: { args: ['80=10.244.1.2:80'], aliases },
    },
    {
      name: 'no ready endpoint: relay resolves but listens on nothing (connections refused)',
      svc: svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }),
      ep: ep([], [{ port: 80 }]),
      want: { args: [], aliases },
    },
    {
      name: 'named ports map to the Endpoints port of the same name',
      svc: svc({
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 80, targetPort: 'web' },
          { name: 'admin', port: 9000, targetPort: 9001 },
        ],
      }),
      ep: ep(
        [['10.0.0.2', 'n1']],
        [
          { name: 'http', port: 8080 },
          { name: 'admin', port: 9001 },
        ],
      ),
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
      expect(relaySpec(r.svc, r.ep, r.node ?? 'n1', (n) => (r.reach ?? []).includes(n))).toEqual(r.want);
    });
  }

  it('the config hash follows image and alias only: new backends or ports reconfigure the running relay instead of recreating it', () => {
    const a = relayConfigHash({ args: ['80=10.0.0.2:80'], aliases }, 'kubelab/relay:1');
    expect(relayConfigHash({ args: ['80=10.0.0.3:80', '81=10.0.0.3:81'], aliases }, 'kubelab/relay:1')).toBe(a);
    expect(relayConfigHash({ args: ['80=10.0.0.2:80'], aliases: ['web.other.svc.cluster.local'] }, 'kubelab/relay:1')).not.toBe(a);
    expect(relayConfigHash({ args: ['80=10.0.0.2:80'], aliases }, 'kubelab/relay:2')).not.toBe(a);
  });

  it('the stdin line is the whole configuration, an empty line when nothing is reachable', () => {
    expect(relayConfigLine({ args: ['80=10.0.0.2:80,10.0.0.3:80', '9000=10.0.0.2:9001'], aliases })).toBe('80=10.0.0.2:80,10.0.0.3:80 9000=10.0.0.2:9001\n');
    expect(relayConfigLine({ args: [], aliases })).toBe('\n');
  });
});
