// The subresources with storage of their own (registry/pod-binding.ts, pod-eviction.ts, serviceaccount-token.ts,
// namespace-storage.ts), through the in-process API as the scheduler, kubectl drain and the namespace controller use them.
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { adminUser } from '../../../main/apiserver/authn';
import { createApiServer } from '../../../main/apiserver/index';
import type { ApiWatchEvent } from '../../../main/apiserver/types';
import { R, type Client } from '../../../main/client/types';
import { setLogSink } from '../../../main/log';
import { memoryStore } from '../../../main/store/index';
import type { Store } from '../../../main/store/types';

setLogSink(() => {});
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function api(): Promise<Client> {
  store = memoryStore();
  const a = createApiServer({ store, admission: [] });
  await a.bootstrap();
  return a.client(adminUser);
}

const pod = (name: string, o: { nodeName?: string; finalizers?: string[] } = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, finalizers: o.finalizers },
  spec: { nodeName: o.nodeName, containers: [{ name: 'c', image: 'busybox' }] },
});

/** watches `type` and resolves with the first event that satisfies the predicate */
async function until(c: Client, type: typeof R.namespaces, pred: (ev: ApiWatchEvent) => boolean): Promise<ApiWatchEvent> {
  let stop = () => {};
  const seen = new Promise<ApiWatchEvent>((resolve) => {
    void c
      .watch(type, {}, (ev) => {
        if (pred(ev)) resolve(ev);
      })
      .then((w) => (stop = () => w.stop()));
  });
  const ev = await seen;
  stop();
  return ev;
}
const bind = (c: Client, name: string, node: string | undefined, uid?: string) =>
  c.create(
    R.pods,
    { apiVersion: 'v1', kind: 'Binding', metadata: { name, uid }, target: node === undefined ? {} : { kind: 'Node', name: node } },
    { namespace: 'default', subresource: 'binding', name },
  );
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { code?: number }) => `${e.code} ${e.message}`,
  );

describe('pods/binding', () => {
  it('sets spec.nodeName and PodScheduled once; refuses what upstream refuses', async () => {
    const c = await api();
    const created = await c.create<Pod & KubeObject>(R.pods, pod('web'), { namespace: 'default' });
    expect(await failure(bind(c, 'web', undefined))).toBe('422 Binding "web" is invalid: target.name: Required value');
    expect(await failure(bind(c, 'web', 'n1', 'other-uid'))).toBe(
      `409 Operation cannot be fulfilled on pods/binding "web": Precondition failed: UID in precondition: other-uid, UID in object meta: ${created.metadata.uid}`,
    );
    expect(await bind(c, 'web', 'n1', created.metadata.uid)).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const bound = await c.get<Pod & KubeObject>(R.pods, 'web', 'default');
    expect(bound.spec?.nodeName).toBe('n1');
    expect(bound.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status).toBe('True');
    expect(await failure(bind(c, 'web', 'n2'))).toBe('409 Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "n1"');
    expect(await failure(bind(c, 'missing', 'n1'))).toBe('404 pods "missing" not found');
  });

  it('refuses a pod being deleted', async () => {
    const c = await api();
    // a finalizer keeps it (an unscheduled pod is deleted at once)
    await c.create(R.pods, pod('going', { finalizers: ['example.com/hold'] }), { namespace: 'default' });
    await c.delete(R.pods, 'going', { namespace: 'default' });
    expect(await failure(bind(c, 'going', 'n1'))).toBe(
      '409 Operation cannot be fulfilled on pods/binding "going": pod going is being deleted, cannot be assigned to a host',
    );
  });
});

describe('pods/eviction', () => {
  it("deletes the pod with the Eviction's deleteOptions", async () => {
    const c = await api();
    await c.create(R.pods, pod('a'), { namespace: 'default' });
    await c.create(R.pods, pod('b', { nodeName: 'n1' }), { namespace: 'default' });
    const evict = (name: string, deleteOptions?: object) =>
      c.create(
        R.pods,
        { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, deleteOptions },
        { namespace: 'default', subresource: 'eviction', name },
      );
    expect(await evict('a', { gracePeriodSeconds: 0 })).toMatchObject({ status: 'Success', code: 201 });
    expect(await failure(c.get(R.pods, 'a', 'default'))).toBe('404 pods "a" not found');
    // without options a scheduled pod's own grace period applies: Terminating, not gone
    await evict('b');
    expect((await c.get<Pod & KubeObject>(R.pods, 'b', 'default')).metadata.deletionTimestamp).toBeTruthy();
    expect(await failure(evict('missing'))).toBe('404 pods "missing" not found');
  });
});

describe('serviceaccounts/token', () => {
  it('answers a TokenRequest with a bounded token; refuses under 10 minutes', async () => {
    const c = await api();
    await c.create(R.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } }, { namespace: 'default' });
    const request = (spec: object) =>
      c.create<KubeObject & { spec: { audiences: string[]; expirationSeconds: number }; status: { token: string; expirationTimestamp: string } }>(
        R.serviceaccounts,
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec },
        { namespace: 'default', subresource: 'token', name: 'robot' },
      );
    expect(await failure(request({ expirationSeconds: 599 }))).toBe(
      '422 TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    );
    const t = await request({});
    expect(t.kind).toBe('TokenRequest');
    expect(t.spec.expirationSeconds).toBe(3600);
    expect(t.spec.audiences).toHaveLength(1);
    const claims = JSON.parse(Buffer.from(t.status.token.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe('system:serviceaccount:default:robot');
    expect(claims.exp - claims.iat).toBe(3600);
    expect(
      await failure(request.call(null, {}).then(() => c.create(R.serviceaccounts, {}, { namespace: 'default', subresource: 'token', name: 'nobody' }))),
    ).toBe('404 serviceaccounts "nobody" not found');
  });
});

describe('namespaces: delete and finalize', () => {
  type Ns = KubeObject & { spec: { finalizers: string[] }; status: { phase: string } };
  it('a delete leaves it Terminating while spec.finalizers remain; finalize changes only those, and the last one removes it', async () => {
    const c = await api();
    // a finalizer of our own holds it once the lab's `kubernetes` finalizer has cleaned it out
    await c.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' }, spec: { finalizers: ['example.com/hold'] } });
    const cleaned = until(
      c,
      R.namespaces,
      (ev) => ev.type === 'MODIFIED' && (ev.object as Ns).spec.finalizers.join() === 'example.com/hold' && !!ev.object.metadata.deletionTimestamp,
    );
    await c.delete(R.namespaces, 'scratch');
    const ns = (await cleaned).object as Ns;
    expect(ns.status.phase).toBe('Terminating');
    // a plain update cannot drop spec.finalizers; finalize can, and takes nothing else from the body
    await c.update(R.namespaces, { ...ns, spec: { finalizers: [] } });
    expect((await c.get<Ns>(R.namespaces, 'scratch')).spec.finalizers).toEqual(['example.com/hold']);
    const gone = until(c, R.namespaces, (ev) => ev.type === 'DELETED');
    await c.update(
      R.namespaces,
      { ...ns, metadata: { ...ns.metadata, resourceVersion: undefined, labels: { extra: 'x' } }, spec: { finalizers: [] } },
      { subresource: 'finalize' },
    );
    expect((await gone).object.metadata.labels?.extra).toBeUndefined();
    expect(await failure(c.get(R.namespaces, 'scratch'))).toBe('404 namespaces "scratch" not found');
  });
});
