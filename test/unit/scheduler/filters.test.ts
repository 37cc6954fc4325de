// Filter plugins, a row per case: pod + nodes (+ pods already there) → each node's verdict.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Plugin } from '../../../main/scheduler/types';
import { nodeUnschedulable } from '../../../main/scheduler/plugins/node-unschedulable';
import { nodeName } from '../../../main/scheduler/plugins/node-name';
import { nodeAffinity } from '../../../main/scheduler/plugins/node-affinity';
import { taintToleration } from '../../../main/scheduler/plugins/taint-toleration';
import { nodePorts } from '../../../main/scheduler/plugins/node-ports';
import { nodeResourcesFit } from '../../../main/scheduler/plugins/node-resources-fit';
import { interPodAffinity } from '../../../main/scheduler/plugins/inter-pod-affinity';
import { podTopologySpread } from '../../../main/scheduler/plugins/pod-topology-spread';
import type { Node } from 'kubernetes-types/core/v1';
import { newPodInfo } from '../../../main/scheduler/node-info';
import { filterWith, node, nodeInfos, pod } from './builders';

const AFF = "node(s) didn't match Pod's node affinity/selector";
const ssd = node('n1', { labels: { disktype: 'ssd', zone: 'a', gen: '5' } });
const hdd = node('n2', { labels: { disktype: 'hdd', zone: 'b', gen: '3' } });
const bare = node('n3');
const req = (key: string, operator: string, values?: string[]) => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }] } } },
});
const antiWeb = (topologyKey = 'kubernetes.io/hostname') => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey }] },
});
const affWeb = (topologyKey = 'kubernetes.io/hostname') => ({
  podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey }] },
});

interface Row {
  name: string;
  plugin: Plugin;
  pod: Pod;
  nodes: Node[];
  existing?: Pod[];
  want: Record<string, string>;
}

const rows: Row[] = [
  // NodeUnschedulable
  {
    name: 'cordoned node rejects',
    plugin: nodeUnschedulable,
    pod: pod('p'),
    nodes: [node('n1', { unschedulable: true }), hdd],
    want: { n1: 'node(s) were unschedulable', n2: 'ok' },
  },
  {
    name: 'cordoned node takes a pod tolerating it',
    plugin: nodeUnschedulable,
    pod: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
    nodes: [node('n1', { unschedulable: true })],
    want: { n1: 'ok' },
  },
  // NodeName
  {
    name: 'nodeName matches only its node',
    plugin: nodeName,
    pod: pod('p', { nodeName: 'n2' }),
    nodes: [ssd, hdd],
    want: { n1: "node(s) didn't match the requested node name", n2: 'ok' },
  },
  // NodeAffinity: nodeSelector and every operator
  { name: 'no selector fits everywhere', plugin: nodeAffinity, pod: pod('p'), nodes: [ssd, bare], want: { n1: 'ok', n3: 'ok' } },
  {
    name: 'nodeSelector disktype=ssd',
    plugin: nodeAffinity,
    pod: pod('p', { nodeSelector: { disktype: 'ssd' } }),
    nodes: [ssd, hdd, bare],
    want: { n1: 'ok', n2: AFF, n3: AFF },
  },
  { name: 'In', plugin: nodeAffinity, pod: pod('p', req('disktype', 'In', ['ssd', 'nvme'])), nodes: [ssd, hdd, bare], want: { n1: 'ok', n2: AFF, n3: AFF } },
  {
    name: 'NotIn (missing label passes)',
    plugin: nodeAffinity,
    pod: pod('p', req('disktype', 'NotIn', ['ssd'])),
    nodes: [ssd, hdd, bare],
    want: { n1: AFF, n2: 'ok', n3: 'ok' },
  },
  { name: 'Exists', plugin: nodeAffinity, pod: pod('p', req('zone', 'Exists')), nodes: [ssd, bare], want: { n1: 'ok', n3: AFF } },
  { name: 'DoesNotExist', plugin: nodeAffinity, pod: pod('p', req('zone', 'DoesNotExist')), nodes: [ssd, bare], want: { n1: AFF, n3: 'ok' } },
  { name: 'Gt', plugin: nodeAffinity, pod: pod('p', req('gen', 'Gt', ['4'])), nodes: [ssd, hdd, bare], want: { n1: 'ok', n2: AFF, n3: AFF } },
  { name: 'Lt', plugin: nodeAffinity, pod: pod('p', req('gen', 'Lt', ['4'])), nodes: [ssd, hdd, bare], want: { n1: AFF, n2: 'ok', n3: AFF } },
  {
    name: 'terms are ORed',
    plugin: nodeAffinity,
    pod: pod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] },
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
            ],
          },
        },
      },
    }),
    nodes: [ssd, hdd, bare],
    want: { n1: 'ok', n2: 'ok', n3: AFF },
  },
  {
    name: 'matchFields metadata.name',
    plugin: nodeAffinity,
    pod: pod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }] },
        },
      },
    }),
    nodes: [ssd, hdd],
    want: { n1: AFF, n2: 'ok' },
  },
  // TaintToleration
  {
    name: 'NoSchedule taint rejects with key and value',
    plugin: taintToleration,
    pod: pod('p'),
    nodes: [node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), hdd],
    want: { n1: 'node(s) had untolerated taint {dedicated: gpu}', n2: 'ok' },
  },
  {
    name: 'empty taint value prints as upstream',
    plugin: taintToleration,
    pod: pod('p'),
    nodes: [node('n1', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] })],
    want: { n1: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }' },
  },
  {
    name: 'not-ready taint keeps pods off',
    plugin: taintToleration,
    pod: pod('p'),
    nodes: [node('n1', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] })],
    want: { n1: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }' },
  },
  {
    name: 'Equal toleration',
    plugin: taintToleration,
    pod: pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
    nodes: [
      node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('n2', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    ],
    want: { n1: 'ok', n2: 'node(s) had untolerated taint {dedicated: db}' },
  },
  {
    name: 'Exists toleration without key tolerates all',
    plugin: taintToleration,
    pod: pod('p', { tolerations: [{ operator: 'Exists' }] }),
    nodes: [node('n1', { taints: [{ key: 'a', value: 'b', effect: 'NoExecute' }] })],
    want: { n1: 'ok' },
  },
  {
    name: 'PreferNoSchedule does not filter',
    plugin: taintToleration,
    pod: pod('p'),
    nodes: [node('n1', { taints: [{ key: 'a', value: 'b', effect: 'PreferNoSchedule' }] })],
    want: { n1: 'ok' },
  },
  // NodePorts
  {
    name: 'hostPort taken',
    plugin: nodePorts,
    pod: pod('p', { hostPort: 8080 }),
    nodes: [ssd, hdd],
    existing: [pod('old', { hostPort: 8080, nodeName: 'n1' })],
    want: { n1: "node(s) didn't have free ports for the requested pod ports", n2: 'ok' },
  },
  {
    name: 'different hostIPs do not conflict',
    plugin: nodePorts,
    pod: pod('p', { hostPort: { port: 8080, hostIP: '127.0.0.2' } }),
    nodes: [ssd],
    existing: [pod('old', { hostPort: { port: 8080, hostIP: '127.0.0.1' }, nodeName: 'n1' })],
    want: { n1: 'ok' },
  },
  {
    name: '0.0.0.0 conflicts with a specific address',
    plugin: nodePorts,
    pod: pod('p', { hostPort: 8080 }),
    nodes: [ssd],
    existing: [pod('old', { hostPort: { port: 8080, hostIP: '127.0.0.1' }, nodeName: 'n1' })],
    want: { n1: "node(s) didn't have free ports for the requested pod ports" },
  },
  {
    name: 'UDP and TCP on one port do not conflict',
    plugin: nodePorts,
    pod: pod('p', { hostPort: { port: 53, protocol: 'UDP' } }),
    nodes: [ssd],
    existing: [pod('old', { hostPort: 53, nodeName: 'n1' })],
    want: { n1: 'ok' },
  },
  // NodeResourcesFit
  {
    name: 'Insufficient cpu',
    plugin: nodeResourcesFit(),
    pod: pod('p', { cpu: '2' }),
    nodes: [node('n1', { cpu: '1' }), node('n2', { cpu: '4' })],
    want: { n1: 'Insufficient cpu', n2: 'ok' },
  },
  {
    name: 'requests of pods already there count',
    plugin: nodeResourcesFit(),
    pod: pod('p', { cpu: '1500m' }),
    nodes: [node('n1', { cpu: '2' })],
    existing: [pod('old', { cpu: '1', nodeName: 'n1' })],
    want: { n1: 'Insufficient cpu' },
  },
  {
    name: 'Insufficient cpu and memory both reported',
    plugin: nodeResourcesFit(),
    pod: pod('p', { cpu: '8', memory: '64Gi' }),
    nodes: [node('n1')],
    want: { n1: 'Insufficient cpu, Insufficient memory' },
  },
  {
    name: 'Too many pods',
    plugin: nodeResourcesFit(),
    pod: pod('p'),
    nodes: [node('n1', { pods: 1 })],
    existing: [pod('old', { nodeName: 'n1' })],
    want: { n1: 'Too many pods' },
  },
  {
    name: 'init container larger than app counts',
    plugin: nodeResourcesFit(),
    pod: pod('p', { cpu: '500m', initContainers: [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '3' } } }] }),
    nodes: [node('n1', { cpu: '2' }), node('n2', { cpu: '3' })],
    want: { n1: 'Insufficient cpu', n2: 'ok' },
  },
  {
    name: 'overhead counts',
    plugin: nodeResourcesFit(),
    pod: pod('p', { cpu: '900m', overhead: { cpu: '200m' } }),
    nodes: [node('n1', { cpu: '1' })],
    want: { n1: 'Insufficient cpu' },
  },
  // InterPodAffinity
  {
    name: 'anti-affinity keeps web pods apart',
    plugin: interPodAffinity(),
    pod: pod('p', { labels: { app: 'web' }, affinity: antiWeb() }),
    nodes: [ssd, hdd],
    existing: [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: "node(s) didn't match pod anti-affinity rules", n2: 'ok' },
  },
  {
    name: 'anti-affinity per zone',
    plugin: interPodAffinity(),
    pod: pod('p', { labels: { app: 'web' }, affinity: antiWeb('zone') }),
    nodes: [ssd, hdd, node('n4', { labels: { zone: 'a' } })],
    existing: [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: "node(s) didn't match pod anti-affinity rules", n2: 'ok', n4: "node(s) didn't match pod anti-affinity rules" },
  },
  {
    name: "existing pod's anti-affinity repels the newcomer",
    plugin: interPodAffinity(),
    pod: pod('p', { labels: { app: 'web' } }),
    nodes: [ssd, hdd],
    existing: [pod('lonely', { labels: { app: 'db' }, affinity: antiWeb(), nodeName: 'n1' })],
    want: { n1: "node(s) didn't satisfy existing pods anti-affinity rules", n2: 'ok' },
  },
  {
    name: 'affinity follows the web pod',
    plugin: interPodAffinity(),
    pod: pod('cache', { labels: { app: 'cache' }, affinity: affWeb() }),
    nodes: [ssd, hdd],
    existing: [pod('web-1', { labels: { app: 'web' }, nodeName: 'n2' })],
    want: { n1: "node(s) didn't match pod affinity rules", n2: 'ok' },
  },
  {
    name: 'affinity with no matching pod anywhere fails',
    plugin: interPodAffinity(),
    pod: pod('cache', { labels: { app: 'cache' }, affinity: affWeb() }),
    nodes: [ssd],
    want: { n1: "node(s) didn't match pod affinity rules" },
  },
  {
    name: 'first pod of a self-affine group may go anywhere',
    plugin: interPodAffinity(),
    pod: pod('web-0', { labels: { app: 'web' }, affinity: affWeb() }),
    nodes: [ssd, hdd],
    want: { n1: 'ok', n2: 'ok' },
  },
  {
    name: 'other namespaces do not count',
    plugin: interPodAffinity(),
    pod: pod('p', { labels: { app: 'web' }, affinity: antiWeb() }),
    nodes: [ssd],
    existing: [pod('web-1', { namespace: 'other', labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: 'ok' },
  },
  {
    // upstream's LabelSelectorAsSelector: a nil labelSelector selects no pods, an empty one every pod
    name: 'anti-affinity term without labelSelector repels nobody',
    plugin: interPodAffinity(),
    pod: pod('p', {
      labels: { app: 'web' },
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] } },
    }),
    nodes: [ssd, hdd],
    existing: [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: 'ok', n2: 'ok' },
  },
  {
    name: 'anti-affinity term with labelSelector {} repels every pod',
    plugin: interPodAffinity(),
    pod: pod('p', {
      labels: { app: 'web' },
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {}, topologyKey: 'kubernetes.io/hostname' }] } },
    }),
    nodes: [ssd, hdd],
    existing: [pod('db-1', { labels: { app: 'db' }, nodeName: 'n1' })],
    want: { n1: "node(s) didn't match pod anti-affinity rules", n2: 'ok' },
  },
  {
    name: 'namespaceSelector {} reaches pods of every namespace',
    plugin: interPodAffinity(),
    pod: pod('p', {
      labels: { app: 'web' },
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'web' } }, namespaceSelector: {}, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
    }),
    nodes: [ssd, hdd],
    existing: [pod('web-1', { namespace: 'other', labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: "node(s) didn't match pod anti-affinity rules", n2: 'ok' },
  },
  {
    name: 'required node affinity matchFields metadata.name',
    plugin: nodeAffinity,
    pod: pod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }] },
        },
      },
    }),
    nodes: [ssd, hdd],
    want: { n1: AFF, n2: 'ok' },
  },
  // PodTopologySpread
  {
    name: 'DoNotSchedule maxSkew 1 across zones',
    plugin: podTopologySpread,
    pod: pod('p', {
      labels: { app: 'web' },
      spread: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
    }),
    nodes: [ssd, hdd, bare],
    existing: [pod('w1', { labels: { app: 'web' }, nodeName: 'n1' })],
    want: {
      n1: "node(s) didn't match pod topology spread constraints",
      n2: 'ok',
      n3: "node(s) didn't match pod topology spread constraints (missing required label)",
    },
  },
  {
    name: 'ScheduleAnyway does not filter',
    plugin: podTopologySpread,
    pod: pod('p', {
      labels: { app: 'web' },
      spread: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
    }),
    nodes: [ssd, hdd],
    existing: [pod('w1', { labels: { app: 'web' }, nodeName: 'n1' }), pod('w2', { labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: 'ok', n2: 'ok' },
  },
  {
    // a nil labelSelector counts no pods (not every pod): nothing to skew, every zone is fine
    name: 'DoNotSchedule without labelSelector counts no pods',
    plugin: podTopologySpread,
    pod: pod('p', { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', matchLabelKeys: ['app'] }] }),
    nodes: [ssd, hdd],
    existing: [pod('w1', { labels: { app: 'web' }, nodeName: 'n1' }), pod('w2', { labels: { app: 'web' }, nodeName: 'n1' })],
    want: { n1: 'ok', n2: 'ok' },
  },
  {
    name: 'DoNotSchedule with labelSelector {} counts every pod',
    plugin: podTopologySpread,
    pod: pod('p', { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: {} }] }),
    nodes: [ssd, hdd],
    existing: [pod('db1', { labels: { app: 'db' }, nodeName: 'n1' })],
    want: { n1: "node(s) didn't match pod topology spread constraints", n2: 'ok' },
  },
];

describe('filter plugins', () => {
  it.each(rows.map((r) => [`${r.plugin.name}: ${r.name}`, r] as const))('%s', (_n, r) => {
    expect(filterWith(r.plugin, r.pod, r.nodes, r.existing)).toEqual(r.want);
  });

  it('explains a nodeSelector miss in words', () => {
    const s = nodeAffinity.filter!(new Map(), newPodInfo(pod('p', { nodeSelector: { disktype: 'ssd' } })), nodeInfos([hdd]).infos[0]);
    expect(s?.explain).toBe("didn't match the node selector disktype=ssd");
  });
});
