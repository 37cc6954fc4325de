// A pod's resolv.conf settings from dnsPolicy and dnsConfig, as upstream kubelet's dns configurer makes them.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { podDns, podDnsAliases } from '../../../main/kubelet/pod-dns';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}, namespace = 'shop'): Pod => ({
  metadata: { name: 'p', namespace },
  spec: { containers: [], ...spec },
});
const cluster = ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

describe('podDns', () => {
  const rows: Array<{ name: string; pod: Pod; want: ReturnType<typeof podDns> }> = [
    { name: 'default (ClusterFirst): the namespace first, ndots:5', pod: pod(), want: { search: cluster, options: ['ndots:5'] } },
    {
      name: 'another namespace searches its own first',
      pod: pod({}, 'b'),
      want: { search: ['b.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] },
    },
    {
      name: 'dnsConfig searches appended, an option named again replaces ndots',
      pod: pod({ dnsConfig: { searches: ['corp.example', 'cluster.local'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }),
      want: { search: [...cluster, 'corp.example'], options: ['ndots:2', 'edns0'] },
    },
    { name: "Default: the engine's own", pod: pod({ dnsPolicy: 'Default' }), want: {} },
    {
      name: 'None: only dnsConfig',
      pod: pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.0.0.10'], searches: ['x.example'] } }),
      want: { search: ['x.example'], servers: ['10.0.0.10'] },
    },
    { name: "hostNetwork: the host's (Docker takes no DNS settings there)", pod: pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), want: {} },
  ];
  for (const r of rows) {
    it(r.name, () => {
      expect(podDns(r.pod)).toEqual(r.want);
    });
  }
});

describe('podDnsAliases', () => {
  it('none for a plain pod (its bare name would resolve from every namespace)', () => {
    expect(podDnsAliases(pod())).toEqual([]);
  });
  it('hostname.subdomain.<ns>.svc.cluster.local with a subdomain, the pod name as hostname by default', () => {
    expect(podDnsAliases(pod({ subdomain: 'db' }))).toEqual(['p.db.shop.svc.cluster.local']);
    expect(podDnsAliases(pod({ subdomain: 'db', hostname: 'db-0' }))).toEqual(['db-0.db.shop.svc.cluster.local']);
  });
});
