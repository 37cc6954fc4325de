// The ref manager's decisions (upstream controller_ref_manager.go's ClaimObject), a row per case, then ClaimPods
// against the fake API: the strategic merge patches it sends, one deletion recheck per claim, failures aggregated.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { KubeObject, OwnerReference } from '../../../main/api/object';
import { errors } from '../../../main/api/errors';
import { R } from '../../../main/client/types';
import { ControllerRefManager, newControllerRef } from '../../../main/controllers/common/controller-ref-manager';
import { FakeApi } from './fake-api';

type P = Pod & KubeObject;
const ctrl = (deleting = false): KubeObject => ({
  metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
});
const ours: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true };
const theirs: OwnerReference = { ...ours, name: 'other', uid: 'other-uid' };
const pod = (o: { ref?: OwnerReference; deleting?: boolean; namespace?: string } = {}): P => ({
  metadata: {
    name: 'p',
    namespace: o.namespace ?? 'default',
    uid: 'pod-uid',
    labels: { app: 'web' },
    ownerReferences: o.ref ? [o.ref] : undefined,
    ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
});

describe('ClaimObject', () => {
  type Row = {
    name: string;
    controllerDeleting?: boolean;
    obj: P;
    matches: boolean;
    adoptFails?: unknown;
    releaseFails?: unknown;
    claimed: boolean;
    action: 'adopt' | 'release' | 'none';
    throws?: RegExp;
  };
  const notFound = errors.notFound({ kind: 'pods', name: 'p' });
  const rows: Row[] = [
    { name: 'an orphan that matches is adopted', obj: pod(), matches: true, claimed: true, action: 'adopt' },
    { name: 'an orphan that does not match is left alone', obj: pod(), matches: false, claimed: false, action: 'none' },
    { name: 'no adoption while the controller is being deleted', controllerDeleting: true, obj: pod(), matches: true, claimed: false, action: 'none' },
    { name: 'no adoption of an object being deleted', obj: pod({ deleting: true }), matches: true, claimed: false, action: 'none' },
    { name: 'no adoption across namespaces', obj: pod({ namespace: 'other' }), matches: true, claimed: false, action: 'none' },
    { name: 'an orphan gone before adoption is no error', obj: pod(), matches: true, adoptFails: notFound, claimed: false, action: 'adopt' },
    {
      name: 'a failed adoption is an error (requeue)',
      obj: pod(),
      matches: true,
      adoptFails: new Error('conflict'),
      claimed: false,
      action: 'adopt',
      throws: /conflict/,
    },
    { name: 'ours and matching is claimed', obj: pod({ ref: ours }), matches: true, claimed: true, action: 'none' },
    {
      name: 'ours and matching stays claimed while the controller is deleted',
      controllerDeleting: true,
      obj: pod({ ref: ours }),
      matches: true,
      claimed: true,
      action: 'none',
    },
    { name: 'ours but no longer matching is released', obj: pod({ ref: ours }), matches: false, claimed: false, action: 'release' },
    {
      name: 'ours, not matching, controller being deleted: neither claimed nor released',
      controllerDeleting: true,
      obj: pod({ ref: ours }),
      matches: false,
      claimed: false,
      action: 'none',
    },
    {
      name: 'released meanwhile by someone else (404) is no error',
      obj: pod({ ref: ours }),
      matches: false,
      releaseFails: notFound,
      claimed: false,
      action: 'release',
    },
    {
      name: 'a failed release is an error (requeue)',
      obj: pod({ ref: ours }),
      matches: false,
      releaseFails: new Error('timeout'),
      claimed: false,
      action: 'release',
      throws: /timeout/,
    },
    { name: "another controller's object is ignored, matching or not", obj: pod({ ref: theirs }), matches: true, claimed: false, action: 'none' },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_n, r) => {
    const m = new ControllerRefManager(new FakeApi(), ctrl(r.controllerDeleting), R.replicasets, { matchLabels: { app: 'web' } }, async () => {});
    const did: string[] = [];
    const run = m.claimObject(
      r.obj,
      () => r.matches,
      async (o) => {
        did.push('adopt');
        if (r.adoptFails) throw r.adoptFails;
        return o;
      },
      async () => {
        did.push('release');
        if (r.releaseFails) throw r.releaseFails;
      },
    );
    if (r.throws) await expect(run).rejects.toThrow(r.throws);
    else expect(Boolean(await run)).toBe(r.claimed);
    expect(did).toEqual(r.action === 'none' ? [] : [r.action]);
  });
});

describe('ClaimPods against the API', () => {
  async function setup() {
    const api = new FakeApi();
    const rs = await api.create<ReplicaSet & KubeObject>(R.replicasets, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'web' } } },
    });
    const mk = (name: string, labels: Record<string, string>, ownerReferences?: OwnerReference[]) =>
      api.create<P>(R.pods, { metadata: { name, namespace: 'default', labels, ownerReferences }, spec: { containers: [] } });
    return { api, rs, mk };
  }

  it('adopts with NewControllerRef, keeps other owners, releases only its own reference', async () => {
    const { api, rs, mk } = await setup();
    const cm: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm-uid' };
    await mk('orphan', { app: 'web' }, [cm]);
    await mk('relabelled', { app: 'debug' }, [newControllerRef(rs, R.replicasets), cm]);
    await mk('stranger', { app: 'db' });
    const m = new ControllerRefManager(api, rs, R.replicasets, rs.spec!.selector);
    const claimed = await m.claim(R.pods, api.all<P>(R.pods, 'default'));
    expect(claimed.map((p) => p.metadata.name)).toEqual(['orphan']);
    const get = (n: string) => api.get<P>(R.pods, n, 'default');
    expect((await get('orphan')).metadata.ownerReferences).toEqual([
      cm,
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect((await get('relabelled')).metadata.ownerReferences).toEqual([cm]);
    expect((await get('stranger')).metadata.ownerReferences).toBeUndefined();
    expect(api.writes.filter((w) => w.startsWith('patch'))).toEqual(['patch pods orphan', 'patch pods relabelled']);
  });

  it('rechecks the controller once before adopting; a controller deleted meanwhile adopts nothing', async () => {
    const { api, rs, mk } = await setup();
    await mk('a', { app: 'web' });
    await mk('b', { app: 'web' });
    let rechecks = 0;
    const once = new ControllerRefManager(api, rs, R.replicasets, rs.spec!.selector, async () => {
      rechecks++;
    });
    expect(await once.claim(R.pods, api.all<P>(R.pods, 'default'))).toHaveLength(2);
    expect(rechecks).toBe(1);

    const { api: api2, rs: rs2, mk: mk2 } = await setup();
    await mk2('a', { app: 'web' });
    await mk2('b', { app: 'web' });
    // the cache still shows the ReplicaSet alive; the API knows it is going
    await api2.patch(
      R.replicasets,
      'web',
      'application/merge-patch+json',
      { metadata: { finalizers: ['example.com/hold'], deletionTimestamp: '2024-01-01T00:00:00Z' } },
      { namespace: 'default' },
    );
    const m = new ControllerRefManager(api2, rs2, R.replicasets, rs2.spec!.selector);
    await expect(m.claim(R.pods, api2.all<P>(R.pods, 'default'))).rejects.toThrow(
      /^can't adopt Pod default\/a \(uid-\d+\): default\/web has just been deleted at 2024-01-01T00:00:00Z \(and 1 more\)$/,
    );
    expect(api2.all<P>(R.pods, 'default').every((p) => !p.metadata.ownerReferences)).toBe(true);
  });

  it('a controller recreated under the same name is not the one adopting', async () => {
    const { api, rs, mk } = await setup();
    await mk('a', { app: 'web' });
    const stale = { ...rs, metadata: { ...rs.metadata, uid: 'gone-uid' } };
    const m = new ControllerRefManager(api, stale, R.replicasets, rs.spec!.selector);
    await expect(m.claim(R.pods, api.all<P>(R.pods, 'default'))).rejects.toThrow(/original ReplicaSet default\/web is gone: got uid uid-\d+, wanted gone-uid/);
  });
});
