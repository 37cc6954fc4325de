// Score plugins, a row per case: node → [raw score, normalized 0..100], or 'skip'.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Plugin } from '../../../main/scheduler/types';
import { balancedAllocation, nodeResourcesFit } from '../../../main/scheduler/plugins/node-resources-fit';
import { taintToleration } from '../../../main/scheduler/plugins/taint-toleration';
import { nodeAffinity } from '../../../main/scheduler/plugins/node-affinity';
import { imageLocality } from '../../../main/scheduler/plugins/image-locality';
import { interPodAffinity } from '../../../main/scheduler/plugins/inter-pod-affinity';
import { podTopologySpread } from '../../../main/scheduler/plugins/pod-topology-spread';
import { node, pod, scoreWith } from './builders';

const mb = 1024 * 1024;
const big = node('n1', { cpu: '4', memory: '8Gi', labels: { disktype: 'ssd', zone: 'a' } });
const small = node('n2', { cpu: '2', memory: '4Gi', labels: { disktype: 'hdd', zone: 'b' } });
const bare = node('n3');
const withImage = node('n1', { images: [{ names: ['docker.io/library/nginx:1.22', 'nginx:1.22'], sizeBytes: 500 * mb }] });
const imageNodes = new Map([
  ['nginx:1.22', 1],
  ['docker.io/library/nginx:1.22', 1],
]);

interface Row {
  name: string;
  plugin: Plugin;
  pod: Pod;
  nodes: Node[];
  existing?: Pod[];
  want: Record<string, [number, number]> | 'skip';
}

const rows: Row[] = [
  {
    name: 'LeastAllocated favours the emptier node',
    plugin: nodeResourcesFit(),
    pod: pod('p', { cpu: '1', memory: '1Gi' }),
    nodes: [big, small],
    want: { n1: [81, 81], n2: [62, 62] },
  },
  {
    name: 'MostAllocated packs',
    plugin: nodeResourcesFit('MostAllocated'),
    pod: pod('p', { cpu: '1', memory: '1Gi' }),
    nodes: [big, small],
    want: { n1: [18, 18], n2: [37, 37] },
  },
  { name: 'no requests count as 100m / 200Mi', plugin: nodeResourcesFit(), pod: pod('p'), nodes: [big], want: { n1: [97, 97] } },
  {
    name: 'BalancedAllocation',
    plugin: balancedAllocation,
    pod: pod('p', { cpu: '1', memory: '1Gi' }),
    nodes: [big, small],
    want: { n1: [93, 93], n2: [87, 87] },
  },
  { name: 'BalancedAllocation skips best-effort pods', plugin: balancedAllocation, pod: pod('p'), nodes: [big], want: 'skip' },
  {
    name: 'TaintToleration: fewer PreferNoSchedule taints score higher',
    plugin: taintToleration,
    pod: pod('p'),
    nodes: [
      node('n1', {
        taints: [
          { key: 'a', effect: 'PreferNoSchedule' },
          { key: 'b', effect: 'PreferNoSchedule' },
        ],
      }),
      node('n2'),
      node('n3', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
    ],
    want: { n1: [2, 0], n2: [0, 100], n3: [1, 50] },
  },
  {
    name: 'NodeAffinity: preferred weights',
    plugin: nodeAffinity,
    pod: pod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } },
          ],
        },
      },
    }),
    nodes: [big, small, bare],
    want: { n1: [80, 100], n2: [20, 25], n3: [0, 0] },
  },
  { name: 'NodeAffinity: nothing preferred skips', plugin: nodeAffinity, pod: pod('p'), nodes: [big], want: 'skip' },
  {
    name: 'ImageLocality',
    plugin: imageLocality(imageNodes, () => 2),
    pod: pod('p', { image: 'nginx:1.22' }),
    nodes: [withImage, small],
    want: { n1: [23, 23], n2: [0, 0] },
  },
  {
    name: 'InterPodAffinity: preferred affinity and anti-affinity',
    plugin: interPodAffinity(),
    pod: pod('p', {
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } },
          ],
        },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 30, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' } },
          ],
        },
      },
    }),
    nodes: [big, small, bare],
    existing: [pod('web', { labels: { app: 'web' }, nodeName: 'n2' }), pod('db', { labels: { app: 'db' }, nodeName: 'n1' })],
    want: { n1: [-30, 0], n2: [50, 100], n3: [0, 37] },
  },
  {
    name: 'InterPodAffinity: no terms anywhere skips',
    plugin: interPodAffinity(),
    pod: pod('p'),
    nodes: [big],
    existing: [pod('web', { nodeName: 'n1' })],
    want: 'skip',
  },
  {
    name: 'PodTopologySpread ScheduleAnyway prefers the emptier zone',
    plugin: podTopologySpread,
    pod: pod('p', {
      labels: { app: 'web' },
      spread: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
    }),
    nodes: [big, small, bare],
    existing: [pod('w1', { labels: { app: 'web' }, nodeName: 'n1' }), pod('w2', { labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: [3, 0], n2: [0, 100], n3: [0, 0] },
  },
];

describe('score plugins', () => {
  it.each(rows.map((r) => [`${r.plugin.name}: ${r.name}`, r] as const))('%s', (_n, r) => {
    expect(scoreWith(r.plugin, r.pod, r.nodes, r.existing)).toEqual(r.want);
  });
});
