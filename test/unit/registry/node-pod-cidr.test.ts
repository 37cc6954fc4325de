// node.spec.podCIDR(s) as upstream validates them: CIDRs, one per IP family, set once and never changed.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { nodeStrategy } from '../../../main/apiserver/registry/nodes';
import type { StrategyContext } from '../../../main/apiserver/registry/types';

const ctx: StrategyContext = { user: { username: 'admin', groups: [] }, operation: 'create', now: new Date() };
const node = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec,
});
const created = (spec: Record<string, unknown>) => {
  const n = node(spec);
  nodeStrategy.defaults!(n);
  return { n, errs: nodeStrategy.validate!(n, ctx).map((e) => `${e.field}: ${e.message}`) };
};

describe('node podCIDRs on create', () => {
  it.each([
    { why: 'podCIDR alone fills podCIDRs', spec: { podCIDR: '10.244.1.0/24' }, podCIDRs: ['10.244.1.0/24'], errs: [] },
    { why: 'podCIDRs alone fills podCIDR', spec: { podCIDRs: ['10.244.1.0/24'] }, podCIDRs: ['10.244.1.0/24'], errs: [] },
    { why: 'dual stack', spec: { podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] }, podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'], errs: [] },
    {
      why: 'not a CIDR',
      spec: { podCIDRs: ['10.244.1.0'] },
      podCIDRs: ['10.244.1.0'],
      errs: ['spec.podCIDRs[0]: Invalid value: "10.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
    },
    {
      why: 'two of one family',
      spec: { podCIDRs: ['10.244.1.0/24', '10.244.2.0/24'] },
      podCIDRs: ['10.244.1.0/24', '10.244.2.0/24'],
      errs: ['spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.244.2.0/24"}: may specify no more than one CIDR for each IP family'],
    },
    {
      why: 'a duplicate',
      spec: { podCIDRs: ['10.244.1.0/24', '10.244.1.0/24'] },
      podCIDRs: ['10.244.1.0/24', '10.244.1.0/24'],
      errs: [
        'spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.244.1.0/24"}: may specify no more than one CIDR for each IP family',
        'spec.podCIDRs[1]: Duplicate value: "10.244.1.0/24"',
      ],
    },
    {
      why: 'podCIDR other than the first of podCIDRs',
      spec: { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.1.0/24'] },
      podCIDRs: ['10.244.1.0/24'],
      errs: ['spec.podCIDR: Invalid value: "10.244.9.0/24": must equal the first entry of spec.podCIDRs'],
    },
  ])('$why', ({ spec, podCIDRs, errs }) => {
    const r = created(spec);
    expect((r.n.spec as { podCIDRs?: string[] }).podCIDRs).toEqual(podCIDRs);
    if (!errs.length) expect((r.n.spec as { podCIDR?: string }).podCIDR).toBe(podCIDRs[0]);
    expect(r.errs).toEqual(errs);
  });
});

describe('node podCIDRs on update', () => {
  const forbidden = 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid';
  it.each([
    { why: 'set once from empty', old: {}, next: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }, errs: [] },
    {
      why: 'kept',
      old: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      next: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], unschedulable: true },
      errs: [],
    },
    {
      why: 'changed',
      old: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      next: { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] },
      errs: [forbidden],
    },
    { why: 'cleared', old: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }, next: {}, errs: [forbidden] },
    {
      why: 'podCIDR alone changed (a merge patch)',
      old: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      next: { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.1.0/24'] },
      errs: ['spec.podCIDR: Invalid value: "10.244.2.0/24": must equal the first entry of spec.podCIDRs', forbidden],
    },
  ])('$why', ({ old, next, errs }) => {
    const n = node(next);
    nodeStrategy.defaults!(n);
    expect(nodeStrategy.validateUpdate!(n, node(old), { ...ctx, operation: 'update' }).map((e) => `${e.field}: ${e.message}`)).toEqual(errs);
  });
});
