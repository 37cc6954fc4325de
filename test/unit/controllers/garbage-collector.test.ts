import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { gcDecision } from '../../../main/controllers/garbagecollector/garbage-collector';
import { R } from '../../../main/client/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually, fakeKubelet } from './fake-api';

setLogLevel('error');

const ref = (uid: string): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller: true, blockOwnerDeletion: true });
const obj = (deleting = false): KubeObject => ({ metadata: { name: 'p', deletionTimestamp: deleting ? 'now' : undefined } });

describe('gcDecision', () => {
  it.each([
    ['no owners: nothing', obj(), [], { action: 'none' }],
    ['owner present: nothing', obj(), [{ ref: ref('a'), state: 'present' }], { action: 'none' }],
    ['only owner gone: delete in background', obj(), [{ ref: ref('a'), state: 'absent' }], { action: 'delete', policy: 'Background' }],
    ['owner deleted in foreground: delete in foreground', obj(), [{ ref: ref('a'), state: 'deleting-foreground' }], { action: 'delete', policy: 'Foreground' }],
    [
      'one of two owners gone: drop that reference',
      obj(),
      [
        { ref: ref('a'), state: 'absent' },
        { ref: ref('b'), state: 'present' },
      ],
      { action: 'remove-refs', uids: ['a'] },
    ],
    ['already being deleted: nothing', obj(true), [{ ref: ref('a'), state: 'absent' }], { action: 'none' }],
  ] as const)('%s', (_n, o, owners, want) => expect(gcDecision(o, owners as never)).toEqual(want));
});

let cm: ControllerManager | undefined;
let stopKubelet: (() => void) | undefined;
afterEach(() => {
  cm?.stop();
  stopKubelet?.();
});

async function setup() {
  const api = new FakeApi();
  stopKubelet = await fakeKubelet(api);
  cm = new ControllerManager({ client: api });
  await cm.start();
  return api;
}

const deployment = {
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
};
const live = (api: FakeApi, t: typeof R.pods) => api.all(t, 'default').length;

describe('cascading deletion (fake API)', () => {
  it('Background: deleting a Deployment removes its ReplicaSets and pods', async () => {
    const api = await setup();
    await api.create(R.deployments, deployment);
    await eventually(() => live(api, R.pods) === 2);
    await api.delete(R.deployments, 'web', { namespace: 'default', propagationPolicy: 'Background' });
    await eventually(() => live(api, R.replicasets) === 0 && live(api, R.pods) === 0, 5000, 'everything gone');
  });

  it('Foreground: the Deployment stays until its dependents are gone', async () => {
    const api = await setup();
    await api.create(R.deployments, deployment);
    await eventually(() => live(api, R.pods) === 2);
    await api.delete(R.deployments, 'web', { namespace: 'default', propagationPolicy: 'Foreground' });
    await eventually(() => live(api, R.deployments) === 0, 5000, 'deployment gone');
    expect(live(api, R.pods)).toBe(0);
    expect(live(api, R.replicasets)).toBe(0);
    const order = api.writes.filter((w) => /^delete (replicasets|deployments|pods) /.test(w));
    expect(order.at(-1)).toMatch(/^delete deployments /);
  });

  it('Orphan: ReplicaSets and pods stay, without the owner reference', async () => {
    const api = await setup();
    await api.create(R.deployments, deployment);
    await eventually(() => live(api, R.pods) === 2);
    await api.delete(R.deployments, 'web', { namespace: 'default', propagationPolicy: 'Orphan' });
    await eventually(() => live(api, R.deployments) === 0, 5000, 'deployment gone');
    const [rs] = api.all(R.replicasets, 'default');
    expect(rs.metadata.ownerReferences ?? []).toEqual([]);
    expect(live(api, R.pods)).toBe(2);
  });

  it('a namespace deletion empties it, Terminating meanwhile, then it goes; every namespace gets a default ServiceAccount', async () => {
    const api = await setup();
    await api.create(R.namespaces, { metadata: { name: 'lab' }, spec: { finalizers: ['kubernetes'] } });
    await eventually(() => api.all(R.serviceaccounts, 'lab').some((s) => s.metadata.name === 'default'), 5000, 'default SA');
    await api.create(R.deployments, { ...deployment, metadata: { name: 'web', namespace: 'lab' } });
    await api.create(R.configmaps, { metadata: { name: 'cfg', namespace: 'lab' }, data: { a: '1' } });
    await eventually(() => api.all(R.pods, 'lab').length === 2);
    await api.delete(R.namespaces, 'lab');
    expect((await api.get(R.namespaces, 'lab')).status).toMatchObject({ phase: 'Terminating' });
    await eventually(async () => !(await api.list(R.namespaces)).items.some((n) => n.metadata.name === 'lab'), 5000, 'namespace gone');
    for (const t of [R.pods, R.replicasets, R.deployments, R.configmaps, R.serviceaccounts]) expect(api.all(t, 'lab')).toHaveLength(0);
  });
});
