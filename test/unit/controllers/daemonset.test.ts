import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { podNodeName, rollingDeleteBudget, shouldRunOn } from '../../../main/controllers/daemonset/daemonset-decisions';
import { R } from '../../../main/client/types';
import { setLogLevel, setLogSink } from '../../../main/log';
import { FakeApi, eventually } from './fake-api';

setLogLevel('error');

const node = (
  name: string,
  labels: Record<string, string> = {},
  taints: Node['spec'] extends infer S ? (S extends { taints?: infer T } ? T : never) : never = [],
): Node & KubeObject => ({ metadata: { name, labels }, spec: { taints } }) as Node & KubeObject;

describe('shouldRunOn', () => {
  it.each([
    ['a plain node', node('n1'), {}, true],
    ['a node matching the nodeSelector', node('n1', { disktype: 'ssd' }), { nodeSelector: { disktype: 'ssd' } }, true],
    ['a node not matching the nodeSelector', node('n1'), { nodeSelector: { disktype: 'ssd' } }, false],
    ['a tainted node without toleration', node('n1', {}, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]), {}, false],
    [
      'a tainted node with toleration',
      node('n1', {}, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]),
      { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] },
      true,
    ],
    ['an unreachable node (daemon pods tolerate it)', node('n1', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), {}, true],
    ['a cordoned node (daemon pods tolerate it)', node('n1', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), {}, true],
    ['a PreferNoSchedule taint does not keep it away', node('n1', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]), {}, true],
    // required node affinity as the scheduler reads it (one matcher): Gt/Lt and matchFields count, an empty term matches nothing
    [
      'node affinity Gt on a newer node',
      node('n1', { gen: '5' }),
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }] },
          },
        },
      },
      true,
    ],
    [
      'node affinity Gt on an older node',
      node('n1', { gen: '3' }),
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }] },
          },
        },
      },
      false,
    ],
    [
      'node affinity matchFields names another node',
      node('n1'),
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }],
            },
          },
        },
      },
      false,
    ],
    [
      'node affinity matchFields names this node',
      node('n1'),
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
            },
          },
        },
      },
      true,
    ],
    [
      'node affinity with an empty term',
      node('n1'),
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } },
      false,
    ],
  ] as const)('%s', (_n, nd, spec, want) => expect(shouldRunOn(nd, { spec: { containers: [], ...(spec as object) } }).run).toBe(want));

  it('names the reason', () => {
    expect(shouldRunOn(node('n1'), { spec: { containers: [], nodeSelector: { disktype: 'ssd' } } }).reason).toBe('node selector disktype=ssd does not match');
  });

  it('rollingDeleteBudget: maxUnavailable minus what is already unavailable', () => {
    const ds = (m?: number | string): DaemonSet => ({
      spec: { selector: {}, template: {}, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: m } } },
    });
    expect(rollingDeleteBudget(ds(), 4, 0)).toBe(1);
    expect(rollingDeleteBudget(ds(2), 4, 1)).toBe(1);
    expect(rollingDeleteBudget(ds('50%'), 4, 0)).toBe(2);
    expect(rollingDeleteBudget(ds(1), 4, 1)).toBe(0);
  });
});

let cm: ControllerManager | undefined;
let stopSched: (() => void) | undefined;
afterEach(() => {
  cm?.stop();
  stopSched?.();
});

/** fake scheduler + kubelet: binds each pod to the node its affinity names and makes it Ready */
async function fakeNodes(api: FakeApi): Promise<() => void> {
  const w = await api.watch(R.pods, {}, (ev) => {
    if (ev.type !== 'ADDED') return;
    const p = ev.object as Pod & KubeObject;
    setTimeout(
      () =>
        void api
          .patch(
            R.pods,
            p.metadata.name!,
            'application/merge-patch+json',
            {
              spec: { nodeName: podNodeName(p) },
              status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] },
            },
            { namespace: p.metadata.namespace },
          )
          .catch(() => {}),
      5,
    );
  });
  return () => w.stop();
}

const dsPods = (api: FakeApi) => api.all<Pod & KubeObject>(R.pods, 'default').filter((p) => !p.metadata.deletionTimestamp);

describe('DaemonSet controller (fake API)', () => {
  it('runs one pod per node, follows nodes, and rolls a new template one node at a time', async () => {
    const api = new FakeApi();
    stopSched = await fakeNodes(api);
    await api.create(R.nodes, node('node-1'));
    await api.create(R.nodes, node('node-2'));
    cm = new ControllerManager({ client: api, options: { controllers: ['daemonset'] } });
    await cm.start();
    await api.create(R.daemonsets, {
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    });
    await eventually(() => dsPods(api).length === 2, 3000, 'two pods');
    expect(dsPods(api).map(podNodeName).sort()).toEqual(['node-1', 'node-2']);
    await eventually(async () => (await api.get<DaemonSet & KubeObject>(R.daemonsets, 'agent', 'default')).status?.numberReady === 2, 3000, 'status');
    const s = (await api.get<DaemonSet & KubeObject>(R.daemonsets, 'agent', 'default')).status!;
    expect(s).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberMisscheduled: 0 });
    await api.create(R.nodes, node('node-3'));
    await eventually(() => dsPods(api).length === 3, 3000, 'a pod on the new node');
    await api.delete(R.nodes, 'node-3');
    await eventually(() => dsPods(api).length === 2, 3000, 'its pod gone with it');
    // rolling update: never both nodes without a ready pod at once
    let minReady = 2;
    const w = await api.watch(R.pods, {}, () => {
      minReady = Math.min(minReady, dsPods(api).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length);
    });
    await api.patch(
      R.daemonsets,
      'agent',
      'application/merge-patch+json',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } } },
      { namespace: 'default' },
    );
    await eventually(
      () => dsPods(api).length === 2 && dsPods(api).every((p) => p.spec!.containers[0].image === 'busybox:2' && p.status?.phase === 'Running'),
      5000,
      'rolled',
    );
    w.stop();
    expect(minReady).toBeGreaterThanOrEqual(1);
  });

  it('a delete that fails is logged and retried with backoff, not dropped', async () => {
    const logged: string[] = [];
    setLogSink((line) => logged.push(line));
    setLogLevel('warn');
    try {
      const api = new FakeApi();
      stopSched = await fakeNodes(api);
      await api.create(R.nodes, node('node-1', { role: 'agent' }));
      cm = new ControllerManager({ client: api, options: { controllers: ['daemonset'] } });
      await cm.start();
      await api.create(R.daemonsets, {
        metadata: { name: 'agent', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { role: 'agent' }, containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
      await eventually(() => dsPods(api).length === 1, 3000, 'a pod on the agent node');
      api.failDeletes.set('pods', 2);
      await api.patch(R.nodes, 'node-1', 'application/merge-patch+json', { metadata: { labels: { role: null } } });
      await eventually(() => dsPods(api).length === 0, 5000, 'the pod deleted once the API answers again');
      expect(logged.filter((l) => l.includes('sync failed') && l.includes('etcdserver: request timed out'))).toHaveLength(2);
    } finally {
      setLogLevel('error');
      setLogSink(() => {});
    }
  });
});
