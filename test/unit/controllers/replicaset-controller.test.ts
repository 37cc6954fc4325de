import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { R } from '../../../main/client/types';
import type { PodRef, TraceStep } from '../../../main/trace/types';
import { setLogLevel } from '../../../main/log';
import { ReplicaSetController } from '../../../main/controllers/replicaset/replicaset-controller';
import { ChainNotes, InformerFactory } from '../../../main/controllers/common/context';
import { FakeApi, eventually } from './fake-api';

setLogLevel('error');

const rsObj = (replicas: number, extra: Partial<ReplicaSet['spec']> = {}) => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    ...extra,
  },
});

let cm: ControllerManager | undefined;
afterEach(() => cm?.stop());

async function start(api: FakeApi, steps: Array<[PodRef, TraceStep]> = []) {
  cm = new ControllerManager({ client: api, tracer: { record: (p, s) => steps.push([p, s]) }, options: { controllers: ['replicaset'] } });
  await cm.start();
}

const pods = (api: FakeApi) => api.all<Pod & KubeObject>(R.pods, 'default').filter((p) => !p.metadata.deletionTimestamp);

describe('ReplicaSet controller (fake API)', () => {
  it('creates replicas once, named <rs>-<5 chars>, owned by the ReplicaSet, with events and a trace', async () => {
    const api = new FakeApi();
    const steps: Array<[PodRef, TraceStep]> = [];
    await start(api, steps);
    const rs = await api.create<ReplicaSet & KubeObject>(R.replicasets, rsObj(3));
    await eventually(async () => (await api.get<ReplicaSet & KubeObject>(R.replicasets, 'web', 'default')).status?.replicas === 3, 5000, 'status.replicas 3');
    const ps = pods(api);
    expect(ps).toHaveLength(3);
    for (const p of ps) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    // never more than asked, even while watches catch up
    expect(api.writes.filter((w) => w.startsWith('create pods'))).toHaveLength(3);
    const evs = await eventually(() => {
      const e = api.all(R.events, 'default').filter((x) => x.reason === 'SuccessfulCreate');
      return e.length === 3 ? e : undefined;
    });
    expect(evs.map((e) => e.message).sort()).toEqual(ps.map((p) => `Created pod: ${p.metadata.name}`).sort());
    const msgs = steps.map(([, s]) => s.message).sort();
    expect(msgs).toEqual(
      [
        'ReplicaSet default/web: replicas 3, had 0 -> create',
        'ReplicaSet default/web: replicas 3, had 1 -> create',
        'ReplicaSet default/web: replicas 3, had 2 -> create',
      ].map((m, i) => `${m} ${[...steps].map(([, s]) => s).sort((a, b) => a.message.localeCompare(b.message))[i].details!.pod}`),
    );
    expect(steps.every(([, s]) => s.component === 'controller-manager')).toBe(true);
  });

  it('replaces a deleted pod and scales down to the least valuable pods', async () => {
    const api = new FakeApi();
    await start(api);
    await api.create(R.replicasets, rsObj(2));
    await eventually(() => pods(api).length === 2);
    const [victim] = pods(api);
    await api.delete(R.pods, victim.metadata.name!, { namespace: 'default' });
    await eventually(() => pods(api).length === 2 && !pods(api).some((p) => p.metadata.name === victim.metadata.name), 5000, 'replacement');
    // mark one pod Ready: scaling to 1 keeps it
    const keep = pods(api)[0];
    await api.patch(
      R.pods,
      keep.metadata.name!,
      'application/merge-patch+json',
      { spec: { nodeName: 'n1' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] } },
      { namespace: 'default' },
    );
    await api.patch(R.replicasets, 'web', 'application/merge-patch+json', { spec: { replicas: 1 } }, { namespace: 'default' });
    await eventually(() => pods(api).length === 1, 5000, 'scale down');
    expect(pods(api)[0].metadata.name).toBe(keep.metadata.name);
    await eventually(
      async () => {
        const s = (await api.get<ReplicaSet & KubeObject>(R.replicasets, 'web', 'default')).status;
        return s?.replicas === 1 && s.readyReplicas === 1 && s.availableReplicas === 1 && s.observedGeneration === 2;
      },
      5000,
      'status after scale down',
    );
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    const api = new FakeApi();
    await api.create(R.pods, { metadata: { name: 'orphan', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [] } });
    await start(api);
    const rs = await api.create<ReplicaSet & KubeObject>(R.replicasets, rsObj(2));
    await eventually(() => pods(api).length === 2);
    const orphan = await api.get<Pod & KubeObject>(R.pods, 'orphan', 'default');
    expect(orphan.metadata.ownerReferences?.[0]?.uid).toBe(rs.metadata.uid);
    await api.patch(R.pods, 'orphan', 'application/merge-patch+json', { metadata: { labels: { app: 'debug' } } }, { namespace: 'default' });
    await eventually(async () => !(await api.get<Pod & KubeObject>(R.pods, 'orphan', 'default')).metadata.ownerReferences, 5000, 'release');
    await eventually(() => pods(api).filter((p) => p.metadata.labels?.app === 'web').length === 2, 5000, 'a replacement for the released pod');
  });

  it('a pod create seen while a sync is adopting does not make that sync create the pod again', async () => {
    // a fake API that holds pod watch events back (a watch running behind) and makes pod patches wait for the test:
    // the create the controller is still expecting shows up while its next sync is busy adopting an orphan
    class HeldPodEventsApi extends FakeApi {
      hold = false;
      private held: Array<() => void> = [];
      gate?: Promise<void>;
      patchStarted!: Promise<void>;
      private started!: () => void;
      constructor() {
        super();
        this.patchStarted = new Promise((r) => (this.started = r));
      }
      override watch(...[t, opts, onEvent]: Parameters<FakeApi['watch']>) {
        return super.watch(t, opts, (ev) => (t.resource === 'pods' && this.hold ? this.held.push(() => onEvent(ev)) : onEvent(ev)));
      }
      release(): void {
        this.hold = false;
        for (const f of this.held.splice(0)) f();
      }
      override async patch<T extends KubeObject = KubeObject>(...args: Parameters<FakeApi['patch']>): Promise<T> {
        if (args[0].resource === 'pods' && this.gate) {
          this.started();
          await this.gate;
        }
        return super.patch<T>(...args);
      }
    }
    const api = new HeldPodEventsApi();
    const rs = await api.create<ReplicaSet & KubeObject>(R.replicasets, rsObj(2));
    await api.create(R.pods, {
      metadata: { name: 'orphan', namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    const ctx = { client: api, informers: new InformerFactory(api), tracer: { record: () => {} }, chain: new ChainNotes() };
    const rsc = new ReplicaSetController(ctx);
    rsc.init(); // handlers only: this test runs the syncs itself
    await ctx.informers.start();
    try {
      // the controller asked for one pod, which the API has created but the watch has not shown yet
      rsc.expectations.expect('default/web', 1);
      api.hold = true;
      await api.create(R.pods, {
        metadata: {
          name: 'web-inflight',
          namespace: 'default',
          labels: { app: 'web' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      });
      let open!: () => void;
      api.gate = new Promise((r) => (open = r));
      const sync = rsc.sync('default/web');
      await api.patchStarted; // the sync is adopting the orphan, with a pod list that lacks web-inflight
      api.release(); // now the watch shows web-inflight: the expectation is met
      open();
      await sync;
      expect(
        pods(api)
          .map((p) => p.metadata.name)
          .sort(),
      ).toEqual(['orphan', 'web-inflight']);
    } finally {
      ctx.informers.stop();
      rsc.stop();
    }
  });

  it('stops at the first failed batch and reports ReplicaFailure', async () => {
    const api = new FakeApi();
    api.failCreates.set('pods', 1_000_000);
    await start(api);
    await api.create(R.replicasets, rsObj(4));
    const cond = await eventually(async () => (await api.get<ReplicaSet & KubeObject>(R.replicasets, 'web', 'default')).status?.conditions?.[0]);
    expect(cond).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' });
    // each sync's first batch (1 pod) failed, so no later batch was tried
    expect(pods(api)).toHaveLength(0);
    expect((await api.list(R.events, { namespace: 'default' })).items.some((e) => e.reason === 'FailedCreate')).toBe(true);
    api.failCreates.clear();
    await eventually(() => pods(api).length === 4, 5000, 'recovery');
    await eventually(async () => !(await api.get<ReplicaSet & KubeObject>(R.replicasets, 'web', 'default')).status?.conditions, 5000, 'condition cleared');
  });
});
