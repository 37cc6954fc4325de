// The core chain against the memory store, with test-only strategies (a namespaced `widgets`
// resource with graceful delete and a status subresource) so the generic machinery is tested alone.
import { describe, expect, it } from 'vitest';
import type { ApiRequest, ApiWatchEvent, UserInfo } from '../../../main/apiserver/types';
import type { ResourceStrategy } from '../../../main/apiserver/registry/types';
import type { AdmissionPlugin } from '../../../main/apiserver/admission/types';
import { createApiServer } from '../../../main/apiserver/index';
import { adminUser } from '../../../main/apiserver/authn';
import { memoryStore } from '../../../main/store/index';
import type { PodRef, TraceStep } from '../../../main/trace/types';
import type { KubeObject } from '../../../main/api/object';
import type { StatusError } from '../../../main/api/errors';

const widgets: ResourceStrategy = {
  group: 'test.kubelab.io',
  version: 'v1',
  kind: 'Widget',
  resource: 'widgets',
  singular: 'widget',
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'scale'],
  schema: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      spec: {
        type: 'object',
        properties: { size: { type: 'integer' }, replicas: { type: 'integer' }, selector: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  defaults(o) {
    const spec = (o.spec ??= {}) as { size?: number };
    spec.size ??= 1;
  },
  prepareForUpdate(o, old) {
    o.status = old.status;
  },
  prepareForStatusUpdate(o, old) {
    o.spec = old.spec;
  },
  validate(o) {
    return (o.spec as { size: number }).size > 10
      ? [{ field: 'spec.size', type: 'FieldValueInvalid', message: `Invalid value: ${(o.spec as { size: number }).size}: must be at most 10` }]
      : [];
  },
  validateUpdate(o, old) {
    return this.validate!(o, { user: adminUser, operation: 'update', now: new Date() }).concat(
      o.metadata.labels?.frozen && old.metadata.labels?.frozen !== o.metadata.labels.frozen
        ? [{ field: 'metadata.labels', type: 'FieldValueForbidden', message: 'Forbidden: frozen' }]
        : [],
    );
  },
  selectableFields(o) {
    return { 'spec.color': String((o.spec as { color?: string } | undefined)?.color ?? '') };
  },
  gracefulDelete(o, requested) {
    return (o.spec as { graceful?: boolean } | undefined)?.graceful ? (requested ?? 30) : undefined;
  },
};
const namespaces: ResourceStrategy = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  verbs: ['create', 'get', 'list', 'delete'],
};

function setup(admission: AdmissionPlugin[] = []) {
  const store = memoryStore({ historyRevisions: 5, historyMs: 0 });
  const steps: { ref: PodRef; step: TraceStep }[] = [];
  const api = createApiServer({
    store,
    strategies: [widgets, namespaces],
    admission,
    tracer: { record: (ref, step) => steps.push({ ref, step }) },
    bookmarkIntervalMs: 20,
  });
  const req = (r: Partial<ApiRequest>, user: UserInfo = adminUser): ApiRequest => ({
    verb: 'get',
    group: 'test.kubelab.io',
    version: 'v1',
    resource: 'widgets',
    namespace: 'default',
    query: {},
    user,
    ...r,
  });
  const w = (name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>) => ({
    apiVersion: 'test.kubelab.io/v1',
    kind: 'Widget',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec,
  });
  return { api, store, steps, req, w, handle: (r: Partial<ApiRequest>, user?: UserInfo) => api.core.handle(req(r, user)) as Promise<KubeObject> };
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as StatusError;
  }
  throw new Error('expected a failure');
};

describe('create', () => {
  it('sets uid, timestamps, defaults, namespace, and the revision', async () => {
    const { handle, w } = setup();
    const o = await handle({ verb: 'create', body: w('a') });
    expect(o.metadata).toMatchObject({ name: 'a', namespace: 'default', resourceVersion: expect.stringMatching(/^\d+$/), uid: expect.any(String) });
    expect(o.spec).toEqual({ size: 1 });
    expect(o.metadata.managedFields?.[0]).toMatchObject({ manager: 'unknown', operation: 'Update' });
  });

  it.each<[string, Record<string, unknown>, Partial<ApiRequest>, number, RegExp]>([
    ['duplicate', {}, {}, 409, /widgets.test.kubelab.io "dup" already exists/],
    ['invalid', { size: 11 }, {}, 422, /Widget.test.kubelab.io "dup" is invalid: spec.size: Invalid value: 11: must be at most 10/],
    ['unknown field, strict', { size: 1, foo: 1 }, { query: { fieldValidation: 'Strict' } }, 400, /strict decoding error: unknown field "spec.foo"/],
    ['namespace mismatch', {}, { namespace: 'other' }, 400, /does not match the namespace/],
  ])('refuses %s', async (_n, spec, extra, code, message) => {
    const { handle, w } = setup();
    await handle({ verb: 'create', body: { ...w('dup'), metadata: { name: 'dup', namespace: 'default' } } });
    const e = await failure(handle({ verb: 'create', body: { ...w('dup', spec), metadata: { name: 'dup', namespace: 'default' } }, ...extra }));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('warns about unknown fields under fieldValidation=Warn', async () => {
    const { api, req, w } = setup();
    const r = req({ verb: 'create', body: w('a', { bar: 1 }), query: { fieldValidation: 'Warn' } });
    await api.core.handle(r);
    expect(r.warnings).toEqual(['unknown field "spec.bar"']);
  });

  it('names objects from generateName', async () => {
    const { handle } = setup();
    const o = await handle({ verb: 'create', body: { metadata: { generateName: 'web-' }, spec: {} } });
    expect(o.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
  });

  it('runs admission in order, mutating before validation, and refuses with the plugin error', async () => {
    const order: string[] = [];
    const plugins: AdmissionPlugin[] = [
      {
        name: 'First',
        async admit(a) {
          order.push('admit First');
          (a.object!.metadata.labels ??= {}).seen = 'yes';
          a.note('labelled');
        },
      },
      {
        name: 'Second',
        async validate(a) {
          order.push('validate Second');
          if (a.object!.metadata.name === 'bad') throw Object.assign(new Error('no'), {});
        },
      },
    ];
    const { handle, w } = setup(plugins);
    const o = await handle({ verb: 'create', body: w('good') });
    expect(o.metadata.labels).toEqual({ seen: 'yes' });
    expect(order).toEqual(['admit First', 'validate Second']);
    await expect(handle({ verb: 'create', body: w('bad') })).rejects.toThrow('no');
  });
});

describe('update and patch', () => {
  it('refuses a stale resourceVersion with 409 and keeps the revision on a no-op update', async () => {
    const { handle, w, store } = setup();
    const o = await handle({ verb: 'create', body: w('a') });
    await handle({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { spec: { size: 2 } } });
    const e = await failure(handle({ verb: 'update', name: 'a', body: o }));
    expect(e.code).toBe(409);
    expect(e.message).toBe(
      'Operation cannot be fulfilled on widgets.test.kubelab.io "a": the object has been modified; please apply your changes to the latest version and try again',
    );
    const cur = await handle({ verb: 'get', name: 'a' });
    const rev = store.revision;
    const same = await handle({ verb: 'update', name: 'a', body: cur });
    expect(same.metadata.resourceVersion).toBe(cur.metadata.resourceVersion);
    expect(store.revision).toBe(rev);
  });

  it('refuses a malformed resourceVersion on update and patch with 400 BadRequest, not 409', async () => {
    const { handle, w } = setup();
    await handle({ verb: 'create', body: w('a') });
    for (const rv of ['abc', '-1', '1.5', '99999999999999999999']) {
      const put = await failure(handle({ verb: 'update', name: 'a', body: { ...w('a'), metadata: { name: 'a', resourceVersion: rv } } }));
      expect([put.code, put.reason]).toEqual([400, 'BadRequest']);
      expect(put.message).toBe(`invalid resource version: resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": invalid syntax`);
      const patch = await failure(handle({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { resourceVersion: rv } } }));
      expect(patch.code).toBe(400);
    }
  });

  it('applies the three patch types and validates the result on update', async () => {
    const { handle, w } = setup();
    await handle({ verb: 'create', body: w('a', {}, { frozen: 'x' }) });
    await handle({ verb: 'patch', name: 'a', patchType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/size', value: 3 }] });
    await handle({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { labels: { b: '1' } } } });
    const o = await handle({ verb: 'patch', name: 'a', patchType: 'application/strategic-merge-patch+json', body: { metadata: { labels: { c: '2' } } } });
    expect(o.spec).toEqual({ size: 3 });
    expect(o.metadata.labels).toEqual({ frozen: 'x', b: '1', c: '2' });
    const e = await failure(handle({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { labels: { frozen: 'y' } } } }));
    expect(e.code).toBe(422);
  });

  it('status updates keep spec; main updates keep status', async () => {
    const { handle, w } = setup();
    await handle({ verb: 'create', body: w('a') });
    await handle({
      verb: 'patch',
      name: 'a',
      subresource: 'status',
      patchType: 'application/merge-patch+json',
      body: { spec: { size: 9 }, status: { ok: true } },
    });
    const o = await handle({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { spec: { size: 4 }, status: { ok: false } } });
    expect(o.spec).toEqual({ size: 4 });
    expect(o.status).toEqual({ ok: true });
  });

  it('scale reads and writes spec.replicas as autoscaling/v1 Scale', async () => {
    const { handle, w } = setup();
    await handle({ verb: 'create', body: w('a', { replicas: 1, selector: { matchLabels: { app: 'a' } } }) });
    const s = await handle({ verb: 'patch', name: 'a', subresource: 'scale', patchType: 'application/merge-patch+json', body: { spec: { replicas: 4 } } });
    expect(s).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 }, status: { selector: 'app=a' } });
    expect((await handle({ verb: 'get', name: 'a' })).spec).toMatchObject({ replicas: 4 });
  });

  it('server-side apply creates, then conflicts with another manager', async () => {
    const { handle, w } = setup();
    const apply = (size: number, manager: string, force = false) =>
      handle({
        verb: 'patch',
        name: 'a',
        patchType: 'application/apply-patch+yaml',
        body: w('a', { size }),
        query: { fieldManager: manager, ...(force ? { force: 'true' } : {}) },
      });
    expect((await apply(2, 'one')).spec).toEqual({ size: 2 });
    const e = await failure(apply(3, 'two'));
    expect(e.code).toBe(409);
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "one" using test.kubelab.io/v1: .spec.size');
    expect((await apply(3, 'two', true)).spec).toEqual({ size: 3 });
  });
});

describe('delete', () => {
  it('deletes gracefully, then for good with grace 0; finalizers hold the object', async () => {
    const { handle, w } = setup();
    await handle({ verb: 'create', body: w('g', { graceful: true }) });
    const marked = await handle({ verb: 'delete', name: 'g' });
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
    await handle({ verb: 'delete', name: 'g', query: { gracePeriodSeconds: '0' } });
    expect((await failure(handle({ verb: 'get', name: 'g' }))).code).toBe(404);

    await handle({ verb: 'create', body: { ...w('f'), metadata: { name: 'f', finalizers: ['test/hold'] } } });
    await handle({ verb: 'delete', name: 'f' });
    const held = await handle({ verb: 'get', name: 'f' });
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await handle({ verb: 'patch', name: 'f', patchType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } });
    expect((await failure(handle({ verb: 'get', name: 'f' }))).code).toBe(404);
  });

  it('checks preconditions and deletes collections by selector', async () => {
    const { handle, w } = setup();
    await handle({ verb: 'create', body: w('a', {}, { k: '1' }) });
    await handle({ verb: 'create', body: w('b', {}, { k: '1' }) });
    await handle({ verb: 'create', body: w('c', {}, { k: '2' }) });
    const e = await failure(handle({ verb: 'delete', name: 'a', body: { preconditions: { uid: 'nope' } } }));
    expect(e.message).toMatch(/Precondition failed: UID in precondition: nope/);
    await handle({ verb: 'deletecollection', query: { labelSelector: 'k=1' } });
    const left = (await handle({ verb: 'list' })) as unknown as { items: KubeObject[] };
    expect(left.items.map((i) => i.metadata.name)).toEqual(['c']);
  });
});

describe('list and watch', () => {
  it('filters by label and field selectors, refuses unknown fields, pages with limit/continue', async () => {
    const { handle, w } = setup();
    for (const [n, color] of [
      ['a', 'red'],
      ['b', 'blue'],
      ['c', 'red'],
    ])
      await handle({ verb: 'create', body: w(n, { color }, { n }) });
    const names = async (q: Record<string, string>) =>
      ((await handle({ verb: 'list', query: q })) as unknown as { items: KubeObject[] }).items.map((i) => i.metadata.name);
    expect(await names({ fieldSelector: 'spec.color=red' })).toEqual(['a', 'c']);
    expect(await names({ labelSelector: 'n in (b,c)' })).toEqual(['b', 'c']);
    expect(await names({ fieldSelector: 'metadata.name!=a' })).toEqual(['b', 'c']);
    expect((await failure(handle({ verb: 'list', query: { fieldSelector: 'spec.size=1' } }))).message).toBe('field label not supported: spec.size');
    const page = (await handle({ verb: 'list', query: { limit: '2' } })) as unknown as { items: KubeObject[]; metadata: { continue: string } };
    expect(page.items).toHaveLength(2);
    expect(await names({ limit: '2', continue: page.metadata.continue })).toEqual(['c']);
  });

  it('lists as of a revision with resourceVersionMatch=Exact, and 410 once compacted', async () => {
    const { handle, w } = setup();
    const a = await handle({ verb: 'create', body: w('a') });
    await handle({ verb: 'create', body: w('b') });
    const names = async (q: Record<string, string>) =>
      ((await handle({ verb: 'list', query: q })) as unknown as { items: KubeObject[] }).items.map((i) => i.metadata.name);
    expect(await names({ resourceVersion: a.metadata.resourceVersion!, resourceVersionMatch: 'Exact' })).toEqual(['a']);
    expect(await names({ resourceVersion: a.metadata.resourceVersion! })).toEqual(['a', 'b']);
    for (let i = 0; i < 20; i++) await handle({ verb: 'create', body: w(`x${i}`) });
    const e = await failure(handle({ verb: 'list', query: { resourceVersion: a.metadata.resourceVersion!, resourceVersionMatch: 'Exact' } }));
    expect(e.code).toBe(410);
  });

  it('watches from a revision, turns selector transitions into ADDED/DELETED, and sends bookmarks', async () => {
    const { api, req, handle, w } = setup();
    const a = await handle({ verb: 'create', body: w('a', {}, { app: 'x' }) });
    const events: ApiWatchEvent[] = [];
    const watch = await api.core.watch(
      req({ verb: 'watch', query: { watch: 'true', labelSelector: 'app=x', resourceVersion: a.metadata.resourceVersion!, allowWatchBookmarks: 'true' } }),
      (e) => events.push(e),
    );
    await handle({ verb: 'create', body: w('b', {}, { app: 'x' }) });
    await handle({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { labels: { app: 'y' } } } });
    await handle({ verb: 'patch', name: 'a', patchType: 'application/merge-patch+json', body: { metadata: { labels: { app: 'x' } } } });
    await handle({ verb: 'delete', name: 'b' });
    await expect
      .poll(() => events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`))
      .toEqual(['ADDED b', 'DELETED a', 'ADDED a', 'DELETED b']);
    await expect.poll(() => events.some((e) => e.type === 'BOOKMARK')).toBe(true);
    watch.stop();
    await watch.done;
  });

  it('starts with ADDED for current objects when resourceVersion is unset, and ends on timeoutSeconds', async () => {
    const { api, req, handle, w } = setup();
    await handle({ verb: 'create', body: w('a') });
    const events: ApiWatchEvent[] = [];
    const watch = await api.core.watch(req({ verb: 'watch', query: { watch: 'true', timeoutSeconds: '1' } }), (e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
    await watch.done;
  });

  it('sends 410 Expired as an ERROR event for a compacted revision', async () => {
    const { api, req, handle, w } = setup();
    for (let i = 0; i < 20; i++) await handle({ verb: 'create', body: w(`x${i}`) });
    const events: ApiWatchEvent[] = [];
    const watch = await api.core.watch(req({ verb: 'watch', query: { watch: 'true', resourceVersion: '1' } }), (e) => events.push(e));
    await watch.done;
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ERROR');
    expect(events[0].object).toMatchObject({
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: expect.stringMatching(/^too old resource version: 1 \(\d+\)$/),
    });
  });
});

describe('authorization', () => {
  it('refuses a user without bindings with upstream Forbidden messages', async () => {
    const { handle, w } = setup();
    const nobody: UserInfo = { username: 'jane', groups: ['system:authenticated'] };
    const e = await failure(handle({ verb: 'create', body: w('a') }, nobody));
    expect(e.code).toBe(403);
    expect(e.message).toBe(
      'widgets.test.kubelab.io is forbidden: User "jane" cannot create resource "widgets" in API group "test.kubelab.io" in the namespace "default"',
    );
    const g = await failure(handle({ verb: 'get', name: 'a', subresource: 'status' }, nobody));
    expect(g.message).toBe(
      'widgets.test.kubelab.io "a" is forbidden: User "jane" cannot get resource "widgets/status" in API group "test.kubelab.io" in the namespace "default"',
    );
    const n = await failure(handle({ verb: 'list', group: '', resource: 'namespaces', namespace: undefined }, nobody));
    expect(n.message).toBe('namespaces is forbidden: User "jane" cannot list resource "namespaces" in API group "" at the cluster scope');
  });
});

describe('pod flow recording', () => {
  it('records request, authenticate, authorize, each admission plugin, validate and store for a pod create', async () => {
    const { podStrategy } = await import('../../../main/apiserver/registry/pods');
    const store = memoryStore();
    const steps: { ref: PodRef; step: TraceStep }[] = [];
    const plugins: AdmissionPlugin[] = [
      {
        name: 'LimitRanger',
        async admit(a) {
          a.note('set default cpu request 100m on container web');
        },
      },
    ];
    const api = createApiServer({ store, strategies: [podStrategy], admission: plugins, tracer: { record: (ref, step) => steps.push({ ref, step }) } });
    const pod = (await api.core.handle({
      verb: 'create',
      group: '',
      version: 'v1',
      resource: 'pods',
      namespace: 'default',
      query: {},
      user: adminUser,
      userAgent: 'kubectl/v1.32.4',
      authenticatedBy: 'admin token',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    })) as KubeObject;
    expect(steps.map((s) => s.step.action)).toEqual(['request', 'authenticate', 'authorize', 'admit:LimitRanger', 'validate', 'store']);
    expect(steps.every((s) => s.ref.uid === pod.metadata.uid && s.ref.name === 'web' && s.ref.namespace === 'default')).toBe(true);
    const by = Object.fromEntries(steps.map((s) => [s.step.action, s.step]));
    expect(by.request.message).toContain('kubectl/v1.32.4');
    expect(by.authenticate.message).toBe('authenticated as kubelab-admin (admin token)');
    expect(by.authorize.message).toContain('RBAC: allowed by ClusterRoleBinding "cluster-admin"');
    expect(by['admit:LimitRanger'].message).toBe('set default cpu request 100m on container web');
    expect(by.store.message).toBe(`persisted at revision ${pod.metadata.resourceVersion}`);

    steps.length = 0;
    await expect(
      api.core.handle({
        verb: 'create',
        group: '',
        version: 'v1',
        resource: 'pods',
        namespace: 'default',
        query: {},
        user: adminUser,
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [{ name: 'web' }] } },
      }),
    ).rejects.toThrow('Required value');
    expect(steps.at(-1)?.step).toMatchObject({ action: 'validate', outcome: 'failure' });
  });
});
