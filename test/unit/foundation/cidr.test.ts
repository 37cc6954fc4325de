// The address plan's arithmetic: which /24 a node gets, how it is laid out, which host routes count.
import { describe, expect, it } from 'vitest';
import { chooseNodeCidr, cidrFamily, clusterCidrProblem, parseCidr4, formatCidr4, overlaps, podNetworkPlan } from '../../../main/api/cidr';
import { parseProcNetRoute } from '../../../main/runtime/docker/host-routes';

describe('chooseNodeCidr', () => {
  const cluster = '10.244.0.0/16';
  it.each([
    { why: 'the first node gets the first /24', taken: [], unavailable: [], preferred: undefined, want: '10.244.0.0/24' },
    { why: 'the next free one after other nodes', taken: ['10.244.0.0/24', '10.244.1.0/24'], unavailable: [], preferred: undefined, want: '10.244.2.0/24' },
    { why: 'a gap left by a removed node is reused', taken: ['10.244.0.0/24', '10.244.2.0/24'], unavailable: [], preferred: undefined, want: '10.244.1.0/24' },
    { why: 'a subnet of a network on the engine is skipped', taken: [], unavailable: ['10.244.0.0/24'], preferred: undefined, want: '10.244.1.0/24' },
    { why: 'a wide network on the engine blocks every /24 inside it', taken: [], unavailable: ['10.244.0.0/20'], preferred: undefined, want: '10.244.16.0/24' },
    { why: 'a host route inside one /24 blocks that /24', taken: [], unavailable: ['10.244.0.128/25'], preferred: undefined, want: '10.244.1.0/24' },
    {
      why: 'ranges outside the cluster CIDR do not matter',
      taken: [],
      unavailable: ['172.17.0.0/16', '10.0.0.0/16'],
      preferred: undefined,
      want: '10.244.0.0/24',
    },
    { why: 'a route covering the whole cluster CIDR leaves nothing', taken: [], unavailable: ['10.0.0.0/8'], preferred: undefined, want: undefined },
    {
      why: 'the preferred /24 (the engine already has it) wins when free',
      taken: ['10.244.0.0/24'],
      unavailable: [],
      preferred: '10.244.7.0/24',
      want: '10.244.7.0/24',
    },
    { why: 'a preferred /24 another node holds is not given', taken: ['10.244.7.0/24'], unavailable: [], preferred: '10.244.7.0/24', want: '10.244.0.0/24' },
    {
      why: 'a preferred range outside the cluster CIDR (an older default pool) is not given',
      taken: [],
      unavailable: [],
      preferred: '172.18.0.0/16',
      want: '10.244.0.0/24',
    },
    { why: 'a preferred range that is not a /24 is not given', taken: [], unavailable: [], preferred: '10.244.8.0/23', want: '10.244.0.0/24' },
    { why: 'garbage in the lists is ignored', taken: ['nope'], unavailable: ['10.244.0.0/40', ''], preferred: 'x', want: '10.244.0.0/24' },
  ])('$why', ({ taken, unavailable, preferred, want }) => {
    expect(chooseNodeCidr({ clusterCidr: cluster, taken, unavailable, preferred })).toBe(want);
  });

  it('hands out every /24 of a /22, then none', () => {
    const taken: string[] = [];
    for (;;) {
      const next = chooseNodeCidr({ clusterCidr: '10.8.0.0/22', taken });
      if (!next) break;
      taken.push(next);
    }
    expect(taken).toEqual(['10.8.0.0/24', '10.8.1.0/24', '10.8.2.0/24', '10.8.3.0/24']);
  });
});

describe('CIDR parsing', () => {
  it.each([
    { s: '10.244.3.0/24', want: '10.244.3.0/24' },
    { s: '10.244.3.7/24', want: '10.244.3.0/24' },
    { s: '0.0.0.0/0', want: '0.0.0.0/0' },
    { s: '10.244.3.0/33', want: undefined },
    { s: '10.244.3/24', want: undefined },
    { s: '256.1.1.1/8', want: undefined },
    { s: 'fd00::/64', want: undefined },
  ])('$s', ({ s, want }) => {
    const c = parseCidr4(s);
    expect(c ? formatCidr4(c) : undefined).toBe(want);
  });

  it.each([
    { s: '10.244.3.0/24', want: 'IPv4' },
    { s: '2001:db8::/64', want: 'IPv6' },
    { s: '10.244.3.0', want: undefined },
    { s: '10.244.3.0/-1', want: undefined },
    { s: '2001:db8::/129', want: undefined },
    { s: 'abc/24', want: undefined },
  ])('family of $s', ({ s, want }) => expect(cidrFamily(s)).toBe(want));

  it('overlap is symmetric and exact at the edges', () => {
    const a = parseCidr4('10.244.0.0/24')!;
    expect(overlaps(a, parseCidr4('10.244.0.255/32')!)).toBe(true);
    expect(overlaps(parseCidr4('10.244.1.0/24')!, a)).toBe(false);
    expect(overlaps(parseCidr4('10.0.0.0/8')!, a)).toBe(true);
  });
});

describe('clusterCidrProblem', () => {
  it.each([
    { s: '10.244.0.0/16', want: undefined },
    { s: '172.20.0.0/14', want: undefined },
    { s: '10.244.0.0/24', want: undefined },
    { s: '10.244.1.0/16', want: '"10.244.1.0/16" has host bits set; the network is 10.244.0.0/16' },
    { s: '10.244.0.0/25', want: '"10.244.0.0/25" is smaller than one node\'s /24; use a prefix of /24 or shorter' },
    { s: '10.0.0.0/7', want: '"10.0.0.0/7" is larger than a /8' },
    { s: 'fd00::/48', want: '"fd00::/48" is not an IPv4 CIDR (e.g. 10.244.0.0/16)' },
    { s: '10.96.0.0/16', want: '"10.96.0.0/16" overlaps the Service CIDR 10.96.0.0/12' },
  ])('$s', ({ s, want }) => expect(clusterCidrProblem(s, '10.96.0.0/12')).toBe(want));
});

describe('podNetworkPlan', () => {
  it('gateway .1, pods from the lower half, the last usable address for the node agent', () => {
    expect(podNetworkPlan('10.244.3.0/24')).toEqual({ subnet: '10.244.3.0/24', gateway: '10.244.3.1', ipRange: '10.244.3.0/25', agentAddress: '10.244.3.254' });
  });
});

describe('parseProcNetRoute', () => {
  // as this machine prints it: default route, blackholes (no device), a Docker bridge, an unreachable route
  const table = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    '*\t0000F40A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'br-0123456789ab\t0003F40A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'lo\t0005F40A\t00000000\t0201\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'wg0\t0A0A0A0A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0',
    'down0\t0000000B\t00000000\t0000\t0\t0\t0\t000000FF\t0\t0\t0',
    '',
  ].join('\n');

  it('keeps routes that carry traffic; drops the default route, blackholes, reject routes and routes that are down', () => {
    expect(parseProcNetRoute(table)).toEqual([
      { iface: 'docker0', cidr: '172.17.0.0/16' },
      { iface: 'br-0123456789ab', cidr: '10.244.3.0/24' },
      { iface: 'eth0', cidr: '192.0.2.0/24' },
      { iface: 'wg0', cidr: '10.10.10.10/32' },
    ]);
  });
});
