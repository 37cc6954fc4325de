// The Node view's decisions: `kubectl taint` / `kubectl label` arguments, and describe's figures for pods and allocation.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { allocatedResources, drainPlan, labelChange, podResourceRow, positiveCondition, systemInfo, taintChange, type Taint } from '../../../renderer/lib/node';

const ns: Taint = { key: 'dedicated', value: 'lab', effect: 'NoSchedule' };
const ne: Taint = { key: 'dedicated', value: 'lab', effect: 'NoExecute' };
const other: Taint = { key: 'gpu', effect: 'PreferNoSchedule' };

describe('taintChange', () => {
  it.each([
    ['adds key=value:Effect', [], 'dedicated=lab:NoSchedule', [ns]],
    ['adds a taint without value', [ns], 'gpu:PreferNoSchedule', [ns, other]],
    ['replaces the same key and effect', [ns], 'dedicated=other:NoSchedule', [{ ...ns, value: 'other' }]],
    ['keeps the same key with another effect', [ns], 'dedicated=lab:NoExecute', [ns, ne]],
    ['key:Effect- removes only that effect', [ns, ne, other], 'dedicated:NoSchedule-', [ne, other]],
    ['key- removes every effect of the key', [ns, ne, other], 'dedicated-', [other]],
    ['removing what is not there changes nothing', [other], 'dedicated-', [other]],
    ['a prefixed key', [], 'example.com/zone=a:NoSchedule', [{ key: 'example.com/zone', value: 'a', effect: 'NoSchedule' }]],
  ] as [string, Taint[], string, Taint[]][])('%s', (_n, taints, change, want) => {
    expect(taintChange(taints, change)).toEqual(want);
  });

  it.each(['dedicated=lab', 'dedicated=lab:Sometimes', '', 'bad key:NoSchedule', 'dedicated:Sometimes-'])('refuses %j', (change) => {
    expect(taintChange([ns], change)).toBeInstanceOf(Error);
  });
});

describe('labelChange', () => {
  it.each([
    ['disktype=ssd', { disktype: 'ssd' }],
    ['disktype-', { disktype: null }],
    ['example.com/tier=', { 'example.com/tier': '' }],
    [' zone=a ', { zone: 'a' }],
  ] as const)('%j', (change, want) => {
    expect(labelChange(change)).toEqual(want);
  });

  it.each(['disktype', 'disk type=ssd', 'a=b c', ''])('refuses %j', (change) => {
    expect(labelChange(change)).toBeInstanceOf(Error);
  });
});

describe('describe node figures', () => {
  const alloc = { cpu: '2', memory: '2Gi', 'ephemeral-storage': '10Gi', 'hugepages-2Mi': '0', pods: '110' };
  const pod = (containers: object[], initContainers: object[] = []): Pod => ({ metadata: { name: 'p' }, spec: { containers, initContainers } }) as Pod;
  const c = (requests?: object, limits?: object) => ({ name: 'c', image: 'i', resources: { requests, limits } });

  it.each([
    [
      'requests and limits',
      pod([c({ cpu: '250m', memory: '64Mi' }, { cpu: '500m', memory: '128Mi' })]),
      { cpuRequests: '250m (12%)', cpuLimits: '500m (25%)', memoryRequests: '64Mi (3%)', memoryLimits: '128Mi (6%)' },
    ],
    ['nothing asked', pod([c()]), { cpuRequests: '0 (0%)', cpuLimits: '0 (0%)', memoryRequests: '0 (0%)', memoryLimits: '0 (0%)' }],
    [
      'containers add up',
      pod([c({ cpu: '100m' }), c({ cpu: '300m' })]),
      { cpuRequests: '400m (20%)', cpuLimits: '0 (0%)', memoryRequests: '0 (0%)', memoryLimits: '0 (0%)' },
    ],
    [
      'a larger init container wins',
      pod([c({ cpu: '100m' })], [c({ cpu: '1' }, { cpu: '1' })]),
      { cpuRequests: '1 (50%)', cpuLimits: '1 (50%)', memoryRequests: '0 (0%)', memoryLimits: '0 (0%)' },
    ],
  ] as const)('pod row: %s', (_n, p, want) => {
    expect(podResourceRow(p, alloc)).toEqual(want);
  });

  it('allocated resources sum the pods and list every hugepages size', () => {
    const pods = [pod([c({ cpu: '250m', memory: '64Mi' }, { cpu: '500m', memory: '128Mi' })]), pod([c({ cpu: '500m', memory: '1Gi' })])];
    expect(allocatedResources(pods, alloc)).toEqual([
      { resource: 'cpu', requests: '750m (37%)', limits: '500m (25%)' },
      { resource: 'memory', requests: '1088Mi (53%)', limits: '128Mi (6%)' },
      { resource: 'ephemeral-storage', requests: '0 (0%)', limits: '0 (0%)' },
      { resource: 'hugepages-2Mi', requests: '0 (0%)', limits: '0 (0%)' },
    ]);
  });

  it("system info in describe's order and words", () => {
    expect(systemInfo({ kubeletVersion: 'v1.32', machineID: 'm', kernelVersion: '6.1' })).toEqual([
      { label: 'Machine ID', value: 'm' },
      { label: 'Kernel Version', value: '6.1' },
      { label: 'Kubelet Version', value: 'v1.32' },
    ]);
  });
});

describe('drainPlan', () => {
  const owned = (name: string, kind?: string, controller = true): KubeObject => ({
    metadata: { name, ownerReferences: kind ? [{ apiVersion: 'apps/v1', kind, name: 'x', uid: 'u', controller }] : undefined },
  });
  const names = (ps: KubeObject[]) => ps.map((p) => p.metadata.name);
  it.each([
    ['ReplicaSet pods are evicted', [owned('a', 'ReplicaSet')], { evict: ['a'], daemonSet: [], unmanaged: [] }],
    ['DaemonSet pods stay', [owned('d', 'DaemonSet'), owned('a', 'ReplicaSet')], { evict: ['a'], daemonSet: ['d'], unmanaged: [] }],
    ['a bare pod is evicted and lost', [owned('b')], { evict: ['b'], daemonSet: [], unmanaged: ['b'] }],
    ['a Job pod is evicted, its Job recreates it', [owned('j', 'Job')], { evict: ['j'], daemonSet: [], unmanaged: [] }],
    ['an owner that is not a controller still counts as one', [owned('o', 'ReplicaSet', false)], { evict: ['o'], daemonSet: [], unmanaged: [] }],
  ] as const)('%s', (_n, pods, want) => {
    const plan = drainPlan([...pods]);
    expect({ evict: names(plan.evict), daemonSet: names(plan.daemonSet), unmanaged: names(plan.unmanaged) }).toEqual(want);
  });
});

describe('positiveCondition', () => {
  it('Ready and PodOverlay are good when True; the pressure conditions when False', () => {
    expect(['Ready', 'PodOverlay', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map(positiveCondition)).toEqual([true, true, false, false, false]);
  });
});
