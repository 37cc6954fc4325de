import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { evictionDelayMs, observedReadiness, reconcileTaints } from '../../../main/controllers/nodelifecycle/node-lifecycle-decisions';
import { R } from '../../../main/client/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually, fakeKubelet } from './fake-api';

setLogLevel('error');

const readyNode = (status: string): Node => ({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status }] } });

describe('observedReadiness', () => {
  it.each([
    ['heard from recently, Ready', readyNode('True'), 1000, 'True'],
    ['heard from recently, NotReady', readyNode('False'), 1000, 'False'],
    ['silent past the grace period', readyNode('True'), 41_000, 'Unknown'],
  ] as const)('%s', (_n, node, silentMs, want) => expect(observedReadiness(node, 0, silentMs, 40_000, 0)).toBe(want));
});

describe('reconcileTaints', () => {
  const t = '2026-01-01T00:00:00.000Z';
  it('adds unreachable NoSchedule+NoExecute (with timeAdded) when Unknown, keeps others', () => {
    const other: Taint = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
    expect(reconcileTaints([other], 'Unknown', t)).toEqual([
      other,
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: t },
    ]);
  });
  it('swaps unreachable for not-ready when the kubelet says NotReady, and clears all when Ready', () => {
    const unreachable = reconcileTaints([], 'Unknown', t);
    expect(reconcileTaints(unreachable, 'False', t).map((x) => x.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/not-ready']);
    expect(reconcileTaints(unreachable, 'True', t)).toEqual([]);
  });
  it.each([
    ['a cordoned node gets unschedulable:NoSchedule', [], 'True', true, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]],
    ['an uncordoned node loses it', [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }], 'True', false, []],
    [
      "a user's taint with another effect on that key stays",
      [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoExecute' }],
      'True',
      false,
      [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoExecute' }],
    ],
    [
      'cordoned and unreachable: both',
      [],
      'Unknown',
      true,
      [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: t },
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      ],
    ],
  ] as [string, Taint[], 'True' | 'Unknown', boolean, Taint[]][])('%s', (_n, current, readiness, unschedulable, want) => {
    expect(reconcileTaints(current, readiness, t, unschedulable)).toEqual(want);
  });
});

describe('evictionDelayMs', () => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: new Date(0).toISOString() };
  const pod = (tolerations?: Pod['spec'] extends infer S ? (S extends { tolerations?: infer T } ? T : never) : never): Pod => ({
    metadata: { name: 'p' },
    spec: { containers: [], tolerations },
  });
  it.each([
    ['no NoExecute taint: never', pod(), [{ key: 'x', effect: 'NoSchedule' }], 0, 'never'],
    ['no toleration: the default tolerationSeconds', pod(), [taint], 10_000, 290_000],
    [
      'its own tolerationSeconds',
      pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]),
      [taint],
      1000,
      4000,
    ],
    ['tolerated forever (no seconds)', pod([{ operator: 'Exists' }]), [taint], 1_000_000, 'never'],
    ['an unrelated NoExecute taint: now', pod(), [{ key: 'evict-me', effect: 'NoExecute' }], 0, 0],
    ['past due: now', pod(), [taint], 400_000, 0],
    [
      "the admission plugin's 300 s follows the lab setting",
      pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]),
      [taint],
      1000,
      299_000,
    ],
  ] as const)('%s', (_n, p, taints, nowMs, want) => expect(evictionDelayMs(p, taints as unknown as Taint[], nowMs, 300)).toBe(want));
  it('uses the lab setting for admission-defaulted tolerations', () =>
    expect(
      evictionDelayMs(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [taint], 1000, 5),
    ).toBe(4000));
});

let cm: ControllerManager | undefined;
let stopKubelet: (() => void) | undefined;
afterEach(() => {
  cm?.stop();
  stopKubelet?.();
});

describe('Node lifecycle controller (fake API)', () => {
  it('a silent node turns Unknown and tainted, its deployment pods are evicted and come back; taints go when it returns', async () => {
    const api = new FakeApi();
    const fresh = () => new Date().toISOString();
    for (const n of ['node-1', 'node-2']) {
      await api.create(R.nodes, { metadata: { name: n }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: fresh() }] } });
      await api.create(R.leases, { metadata: { name: n, namespace: 'kube-node-lease' }, spec: { holderIdentity: n, renewTime: fresh() } });
    }
    // node-1 keeps renewing its lease; node-2 goes silent
    const renew = setInterval(
      () => void api.patch(R.leases, 'node-1', 'application/merge-patch+json', { spec: { renewTime: fresh() } }, { namespace: 'kube-node-lease' }),
      100,
    );
    try {
      stopKubelet = await fakeKubelet(api, 5, 'node-2');
      cm = new ControllerManager({ client: api, options: { nodeMonitorGracePeriodSeconds: 0.5, podEvictionTimeoutSeconds: 1, nodeMonitorPeriodSeconds: 0.1 } });
      await cm.start();
      await api.create(R.deployments, {
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        },
      });
      const onNode2 = () => api.all<Pod & KubeObject>(R.pods, 'default').filter((p) => p.spec?.nodeName === 'node-2' && !p.metadata.deletionTimestamp);
      await eventually(() => onNode2().length === 2, 3000, 'pods on node-2');
      // new pods now land on node-1 (the fake scheduler+kubelet of node-1)
      stopKubelet();
      stopKubelet = await fakeKubelet(api, 5, 'node-1');
      const node2 = await eventually(
        async () => {
          const n = await api.get<Node & KubeObject>(R.nodes, 'node-2');
          return (
            n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' &&
            n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') &&
            n
          );
        },
        5000,
        'node-2 Unknown and tainted',
      );
      expect(node2.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      });
      const n1 = await api.get<Node & KubeObject>(R.nodes, 'node-1');
      expect(n1.spec?.taints ?? []).toEqual([]);
      await eventually(() => onNode2().length === 0, 5000, 'evicted from node-2');
      await eventually(() => api.all<Pod & KubeObject>(R.pods, 'default').filter((p) => p.spec?.nodeName === 'node-1').length === 2, 5000, 'back on node-1');
      const evs = api.all(R.events, 'default').map((e) => e.reason);
      expect(evs).toContain('TaintManagerEviction');
      expect(api.all(R.events).some((e) => e.reason === 'NodeNotReady' && e.message === 'Node node-2 status is now: NodeNotReady')).toBe(true);
      // node-2 comes back: its kubelet posts Ready and renews the lease
      await api.patch(R.nodes, 'node-2', 'application/merge-patch+json', {
        status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: fresh() }] },
      });
      await api.patch(R.leases, 'node-2', 'application/merge-patch+json', { spec: { renewTime: fresh() } }, { namespace: 'kube-node-lease' });
      await eventually(async () => ((await api.get<Node & KubeObject>(R.nodes, 'node-2')).spec?.taints ?? []).length === 0, 3000, 'taints removed');
    } finally {
      clearInterval(renew);
    }
  });
});
