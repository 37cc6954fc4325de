import { describe, expect, it } from 'vitest';
import { aliasesOf, highlight, matchText, parseQuery, rankEntries, type PaletteEntry } from '../../../renderer/lib/palette';

const res = (label: string, kind: string, namespace?: string): PaletteEntry => ({ label, kind, namespace, section: 'resource' });
const entries: PaletteEntry[] = [
  { label: 'Create pod', section: 'action', keywords: 'new run nginx' },
  { label: 'Create deployment', section: 'action' },
  { label: 'Switch to namespace shop', section: 'action', typedOnly: true },
  { label: 'Pods', section: 'view', keywords: 'Pod' },
  { label: 'Services', section: 'view', keywords: 'Service' },
  res('nginx-pod', 'Pod', 'default'),
  res('k8s-nginx-7d9f-abcde', 'Pod', 'default'),
  res('k8s-nginx', 'Deployment', 'default'),
  res('k8s-nginx', 'Service', 'default'),
  res('web', 'Service', 'shop'),
  res('coredns', 'ConfigMap', 'kube-system'),
  res('default', 'Namespace'),
  res('kubelab-node2', 'Node'),
];
const labels = (q: string) => rankEntries(entries, q).map((r) => `${r.entry.kind ?? r.entry.section}:${r.entry.label}`);

describe('palette query', () => {
  it.each([
    ['web', { text: 'web' }],
    ['svc web', { kind: 'Service', text: 'web' }],
    ['po/nginx', { kind: 'Pod', text: 'nginx' }],
    ['  Deploy   K8S ', { kind: 'Deployment', text: 'k8s' }],
    ['ns', { text: 'ns' }],
    ['foo bar', { text: 'foo bar' }],
  ] as const)('%j', (q, want) => {
    expect(parseQuery(q)).toEqual(want);
  });
});

describe('palette match', () => {
  it.each([
    ['exact beats prefix', 'web', 'web', 'webapp'],
    ['prefix beats word start', 'ngi', 'nginx-pod', 'k8s-nginx'],
    ['word start beats inner substring', 'nginx', 'k8s-nginx', 'xnginx'],
    ['substring beats letters in order', 'gin', 'nginx', 'g-i-n'],
    ['letters at word starts beat scattered ones', 'kn', 'k8s-nginx', 'kubelab-runner'],
  ] as const)('%s', (_n, needle, better, worse) => {
    expect(matchText(needle, better)!.score).toBeGreaterThan(matchText(needle, worse)!.score);
  });

  it.each([
    ['nginx', 'k8s-nginx', [4, 5, 6, 7, 8]],
    ['kn', 'k8s-nginx', [0, 4]],
    ['xyz', 'nginx', undefined],
  ] as const)('%s in %s', (needle, hay, positions) => {
    expect(matchText(needle, hay)?.positions).toEqual(positions);
  });
});

describe('palette ranking', () => {
  it.each([
    [
      'empty query: actions and views as declared, then resources by name',
      '',
      ['action:Create pod', 'action:Create deployment', 'view:Pods', 'view:Services', 'ConfigMap:coredns'],
    ],
    ['a name: every kind that has it, best match first', 'k8s-nginx', ['Deployment:k8s-nginx', 'Service:k8s-nginx', 'Pod:k8s-nginx-7d9f-abcde']],
    ['a kubectl short name narrows to its kind', 'svc nginx', ['Service:k8s-nginx']],
    ['a kind word still finds actions by the whole query', 'namespace shop', ['action:Switch to namespace shop']],
    ['kind/name as kubectl writes it', 'deploy/k8s', ['Deployment:k8s-nginx']],
    ['namespace/name', 'shop/web', ['Service:web']],
    ['keywords find actions', 'run', ['action:Create pod']],
    ['fuzzy letters in order', 'kn2', ['Node:kubelab-node2']],
    ['nothing matches', 'zzz', []],
  ] as const)('%s', (_n, q, want) => {
    expect(labels(q).slice(0, want.length)).toEqual(want);
    if (!want.length) expect(labels(q)).toEqual([]);
  });

  it('caps the list', () => {
    const many = Array.from({ length: 500 }, (_, i) => res(`pod-${i}`, 'Pod', 'default'));
    expect(rankEntries(many, 'pod', 50)).toHaveLength(50);
  });
});

describe('palette highlight', () => {
  it.each([
    [
      'k8s-nginx',
      [4, 5],
      [
        { text: 'k8s-', hit: false },
        { text: 'ng', hit: true },
        { text: 'inx', hit: false },
      ],
    ],
    ['web', [], [{ text: 'web', hit: false }]],
  ] as const)('%s', (label, pos, want) => {
    expect(highlight(label, [...pos])).toEqual(want);
  });
});

describe('kind names from discovery', () => {
  it('narrows by any name kubectl accepts for a kind discovery lists', () => {
    const aliases = aliasesOf([
      { kind: 'CronJob', resource: 'cronjobs', singular: 'cronjob', shortNames: ['cj'] },
      { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', singular: 'clusterrolebinding' },
    ]);
    expect(parseQuery('cj nightly', aliases)).toEqual({ kind: 'CronJob', text: 'nightly' });
    expect(parseQuery('clusterrolebinding/admin', aliases)).toEqual({ kind: 'ClusterRoleBinding', text: 'admin' });
    expect(parseQuery('cronjob x', aliases)).toEqual({ kind: 'CronJob', text: 'x' });
  });
});
