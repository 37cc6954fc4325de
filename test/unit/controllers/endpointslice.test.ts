import { afterEach, describe, expect, it } from 'vitest';
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import {
  CONTROLLER_NAME,
  MIRRORING_CONTROLLER_NAME,
  desiredFromEndpoints,
  endpointPorts,
  mirroredSliceLabels,
  podToEndpoint,
  reconcileDesired,
  reconcileSlices,
  slicePrefix,
  type EndpointSlice,
  type SliceEndpoint,
} from '../../../main/controllers/endpointslice/endpointslice-decisions';
import { EndpointSliceController } from '../../../main/controllers/endpointslice/endpointslice-controller';
import { R } from '../../../main/client/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually } from './fake-api';

setLogLevel('error');

const pod = (
  name: string,
  ip: string | undefined,
  opts: { ready?: boolean; deleting?: boolean; phase?: string; port?: number; hostname?: string; subdomain?: string } = {},
): Pod => ({
  metadata: { name, namespace: 'default', uid: `u-${name}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: {
    nodeName: 'node-1',
    hostname: opts.hostname,
    subdomain: opts.subdomain,
    containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: opts.port ?? 8080 }] }],
  },
  status: { phase: opts.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});
const service = (
  ports: ServicePort[] = [{ port: 80, targetPort: 'http' }],
  extra: Partial<Service['spec']> = {},
  labels?: Record<string, string>,
): Service => ({
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', ...(labels ? { labels } : {}) },
  spec: { selector: { app: 'web' }, ports, ...extra },
});

describe('podToEndpoint', () => {
  it.each([
    ['ready pod', pod('a', '10.0.0.1'), {}, { ready: true, serving: true, terminating: false }],
    ['not-ready pod', pod('a', '10.0.0.1', { ready: false }), {}, { ready: false, serving: false, terminating: false }],
    ['terminating ready pod: serving, not ready', pod('a', '10.0.0.1', { deleting: true }), {}, { ready: false, serving: true, terminating: true }],
    [
      'publishNotReadyAddresses: always ready',
      pod('a', '10.0.0.1', { ready: false }),
      { publishNotReadyAddresses: true },
      { ready: true, serving: false, terminating: false },
    ],
  ] as const)('%s', (_n, p, extra, conditions) => {
    expect(podToEndpoint(service(undefined, extra), p)).toEqual({
      addresses: ['10.0.0.1'],
      conditions,
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'u-a' },
    });
  });
  it('sets hostname only when the pod names this Service as its subdomain', () => {
    expect(podToEndpoint(service(), pod('a', '10.0.0.1', { hostname: 'h0', subdomain: 'web' }))?.hostname).toBe('h0');
    expect(podToEndpoint(service(), pod('a', '10.0.0.1', { hostname: 'h0', subdomain: 'other' }))?.hostname).toBeUndefined();
  });
});

describe('endpointPorts', () => {
  it.each([
    ['named targetPort resolved per pod; name always set', [{ port: 80, targetPort: 'http' }], [{ name: '', port: 8080, protocol: 'TCP' }]],
    [
      'number kept, service order kept',
      [
        { name: 'b', port: 81, targetPort: 9000 },
        { name: 'a', port: 80 },
      ],
      [
        { name: 'b', port: 9000, protocol: 'TCP' },
        { name: 'a', port: 80, protocol: 'TCP' },
      ],
    ],
    ['unresolvable name dropped', [{ name: 'x', port: 80, targetPort: 'grpc' }], []],
  ] as const)('%s', (_n, ports, want) => expect(endpointPorts(service([...ports]), pod('a', '10.0.0.1'))).toEqual(want));
});

describe('slicePrefix', () => {
  it.each([
    ['web', 'web-'],
    ['Bad_Name', 'endpointslice-'],
  ])('%s -> %s', (n, want) => expect(slicePrefix(n)).toBe(want));
});

const ep = (name: string, ip: string, ready = true): SliceEndpoint => ({
  addresses: [ip],
  conditions: { ready, serving: ready, terminating: false },
  nodeName: 'node-1',
  targetRef: { kind: 'Pod', namespace: 'default', name, uid: `u-${name}` },
});
const labels = { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': CONTROLLER_NAME };
const slice = (name: string, endpoints: SliceEndpoint[], ports: EndpointSlice['ports'] = [{ name: '', port: 8080, protocol: 'TCP' }]): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'default', labels, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true }] },
  addressType: 'IPv4',
  endpoints,
  ...(ports ? { ports } : {}),
});
const names = (s: EndpointSlice[]) => s.map((x) => x.metadata.name ?? x.metadata.generateName);
const counts = (s: EndpointSlice[]) => s.map((x) => (x.endpoints ?? []).length);

describe('reconcileSlices', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => pod(`p${i}`, `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`));
  it.each([
    {
      name: 'no slices, two pods: one new slice owned by the Service',
      svc: service(),
      pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2')],
      existing: [],
      create: [2],
      update: [],
      del: [],
    },
    {
      name: 'up to date: no writes',
      svc: service(),
      pods: [pod('a', '10.0.0.1')],
      existing: [slice('web-x', [ep('a', '10.0.0.1')])],
      create: [],
      update: [],
      del: [],
    },
    {
      name: 'a pod turns not ready: its slice is updated in place',
      svc: service(),
      pods: [pod('a', '10.0.0.1', { ready: false })],
      existing: [slice('web-x', [ep('a', '10.0.0.1')])],
      create: [],
      update: [1],
      del: [],
    },
    {
      name: 'a new pod joins the slice with room',
      svc: service(),
      pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2')],
      existing: [slice('web-x', [ep('a', '10.0.0.1')])],
      create: [],
      update: [2],
      del: [],
    },
    {
      name: 'pods without IP or finished are left out',
      svc: service(),
      pods: [pod('a', undefined), pod('b', '10.0.0.2', { phase: 'Succeeded' })],
      existing: [],
      create: [0],
      update: [],
      del: [],
    },
    {
      name: 'last pod gone: the slice becomes the empty placeholder (same name)',
      svc: service(),
      pods: [],
      existing: [slice('web-x', [ep('a', '10.0.0.1')])],
      create: [],
      update: [0],
      del: [],
    },
    { name: 'placeholder already there: no writes', svc: service(), pods: [], existing: [slice('web-p', [], null)], create: [], update: [], del: [] },
    {
      name: 'first pod: the placeholder takes it',
      svc: service(),
      pods: [pod('a', '10.0.0.1')],
      existing: [slice('web-p', [], null)],
      create: [],
      update: [1],
      del: [],
    },
    { name: '250 pods: slices of at most 100', svc: service(), pods: many(250), existing: [], create: [100, 100, 50], update: [], del: [] },
    {
      name: 'ports differ per pod (named targetPort): one slice per port set',
      svc: service(),
      pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { port: 9090 })],
      existing: [],
      create: [1, 1],
      update: [],
      del: [],
    },
    {
      name: 'service port changed: the old slice is rewritten with the new ports',
      svc: service([{ port: 80, targetPort: 9999 }]),
      pods: [pod('a', '10.0.0.1')],
      existing: [slice('web-x', [ep('a', '10.0.0.1')])],
      create: [],
      update: [1],
      del: [],
    },
    {
      name: 'a slice of an older Service of the same name is not reused',
      svc: { ...service(), metadata: { ...service().metadata, uid: 'new' } },
      pods: [pod('a', '10.0.0.1')],
      existing: [slice('web-x', [ep('a', '10.0.0.1')])],
      create: [1],
      update: [],
      del: ['web-x'],
    },
  ])('$name', ({ svc, pods, existing, create, update, del }) => {
    const plan = reconcileSlices(svc, pods, existing);
    expect(counts(plan.create)).toEqual(create);
    expect(counts(plan.update)).toEqual(update);
    expect(names(plan.delete)).toEqual(del);
  });

  it('new slices carry generateName, labels, the controller ownerReference and IPv4', () => {
    const [s] = reconcileSlices(service(undefined, { clusterIP: 'None' }, { tier: 'front' }), [pod('a', '10.0.0.1')], []).create;
    expect(s.metadata).toEqual({
      generateName: 'web-',
      namespace: 'default',
      labels: { tier: 'front', ...labels, 'service.kubernetes.io/headless': '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
  });

  it('a full slice keeps its endpoints; the overflow goes to a slice with room, not a new one', () => {
    const full = slice(
      'web-full',
      many(100).map((p) => podToEndpoint(service(), p)!),
    );
    const room = slice('web-room', [ep('x', '10.9.0.1')]);
    const pods = [...many(100), pod('x', '10.9.0.1'), pod('y', '10.9.0.2')];
    const plan = reconcileSlices(service(), pods, [full, room]);
    expect(plan.create).toEqual([]);
    expect(names(plan.update)).toEqual(['web-room']);
    expect(plan.update[0].endpoints?.map((e) => e.addresses[0])).toEqual(['10.9.0.1', '10.9.0.2']);
  });
});

describe('mirroring hand-written Endpoints', () => {
  const manual = (subsets: unknown[], labels?: Record<string, string>) =>
    ({ metadata: { name: 'db', namespace: 'default', ...(labels ? { labels } : {}) }, subsets }) as never;
  const svc: Service = { metadata: { name: 'db', namespace: 'default', uid: 'db-uid' }, spec: { ports: [{ port: 5432 }] } };
  it.each([
    [
      'ready and not-ready addresses, ports as written',
      [{ addresses: [{ ip: '10.1.0.5' }], notReadyAddresses: [{ ip: '10.1.0.6', nodeName: 'n1' }], ports: [{ name: 'pg', port: 5432 }] }],
      [
        [{ name: 'pg', port: 5432, protocol: 'TCP' }],
        [
          { addresses: ['10.1.0.5'], conditions: { ready: true } },
          { addresses: ['10.1.0.6'], conditions: { ready: false }, nodeName: 'n1' },
        ],
      ],
    ],
    ['IPv6 addresses are not IPv4 slices', [{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 1 }] }], undefined],
    ['no subsets: nothing', [], undefined],
  ] as const)('%s', (_n, subsets, want) => {
    const [g] = [...desiredFromEndpoints(manual([...subsets])).values()];
    expect(g ? [g.ports, [...g.endpoints.values()]] : undefined).toEqual(want);
  });
  it('slices labelled managed-by mirroring, owned by the Service; none when the Endpoints empty out (no placeholder)', () => {
    const ep = manual([{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 5432 }] }], { team: 'data' });
    const [s] = reconcileDesired(svc, desiredFromEndpoints(ep), [], mirroredSliceLabels(ep), { maxPerSlice: 1000, placeholder: false }).create;
    expect(s.metadata.labels).toEqual({
      team: 'data',
      'kubernetes.io/service-name': 'db',
      'endpointslice.kubernetes.io/managed-by': MIRRORING_CONTROLLER_NAME,
    });
    expect(s.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'db', uid: 'db-uid', controller: true });
    const existing = { ...s, metadata: { ...s.metadata, name: 'db-x' } };
    const plan = reconcileDesired(svc, desiredFromEndpoints(manual([])), [existing], mirroredSliceLabels(ep), { maxPerSlice: 1000, placeholder: false });
    expect([plan.create, plan.update, names(plan.delete)]).toEqual([[], [], ['db-x']]);
  });
});

let cm: ControllerManager | undefined;
afterEach(() => cm?.stop());

describe('EndpointSlice controller (fake API)', () => {
  it('keeps one slice per Service in step with its pods, writes nothing when nothing changed, and the GC removes it with the Service', async () => {
    const api = new FakeApi();
    cm = new ControllerManager({ client: api, options: { controllers: ['endpointslice', 'garbagecollector'] } });
    await cm.start();
    await api.create(R.services, service() as KubeObject);
    await api.create(R.pods, pod('a', '10.0.0.1') as KubeObject);
    await api.create(R.pods, pod('b', '10.0.0.2', { ready: false }) as KubeObject);
    const slices = () => api.all(R.endpointslices, 'default') as EndpointSlice[];
    await eventually(() => slices().length === 1 && (slices()[0].endpoints ?? []).length === 2, 3000, 'slice with two endpoints');
    const s = slices()[0];
    expect(s.metadata.name).toMatch(/^web-/);
    expect(s.endpoints?.map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([
      ['10.0.0.1', true],
      ['10.0.0.2', false],
    ]);
    const rv = s.metadata.resourceVersion;
    // a sync with nothing changed must not rewrite the slice
    await (cm.controllers[0] as EndpointSliceController).sync('default/web');
    expect(slices()[0].metadata.resourceVersion).toBe(rv);
    await api.delete(R.pods, 'a', { namespace: 'default' });
    await api.delete(R.pods, 'b', { namespace: 'default' });
    await eventually(() => slices().length === 1 && (slices()[0].endpoints ?? []).length === 0, 3000, 'placeholder only');
    await api.delete(R.services, 'web', { namespace: 'default' });
    await eventually(() => slices().length === 0, 3000, 'slices removed with the service');
  });

  it('puts back a slice someone deleted, and undoes edits to it', async () => {
    const api = new FakeApi();
    cm = new ControllerManager({ client: api, options: { controllers: ['endpointslice'] } });
    await cm.start();
    await api.create(R.services, service() as KubeObject);
    await api.create(R.pods, pod('a', '10.0.0.1') as KubeObject);
    const slices = () => api.all(R.endpointslices, 'default') as EndpointSlice[];
    const first = await eventually(() => slices().length === 1 && (slices()[0].endpoints ?? []).length === 1 && slices()[0], 3000, 'a slice');
    await api.delete(R.endpointslices, first.metadata.name!, { namespace: 'default' });
    const second = await eventually(() => slices().length === 1 && slices()[0].metadata.name !== first.metadata.name && slices()[0], 3000, 'a new slice');
    await api.update(R.endpointslices, { ...second, endpoints: [] } as KubeObject, { namespace: 'default' });
    await eventually(() => (slices()[0].endpoints ?? []).length === 1, 3000, 'the endpoint back');
  });

  it('mirrors the Endpoints of a Service without selector, and stops when the Service gets one', async () => {
    const api = new FakeApi();
    cm = new ControllerManager({ client: api, options: { controllers: ['endpointslicemirroring'] } });
    await cm.start();
    await api.create(R.services, { metadata: { name: 'db', namespace: 'default', uid: 'db-uid' }, spec: { ports: [{ port: 5432 }] } } as KubeObject);
    await api.create(R.endpoints, {
      metadata: { name: 'db', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    } as KubeObject);
    const slices = () => api.all(R.endpointslices, 'default') as EndpointSlice[];
    await eventually(() => slices().length === 1 && slices()[0].endpoints?.[0]?.addresses[0] === '10.1.0.5', 3000, 'a mirrored slice');
    expect(slices()[0].metadata.labels?.['endpointslice.kubernetes.io/managed-by']).toBe(MIRRORING_CONTROLLER_NAME);
    const svc = await api.get<KubeObject>(R.services, 'db', 'default');
    await api.update(R.services, { ...svc, spec: { ...(svc.spec as object), selector: { app: 'db' } } } as KubeObject, { namespace: 'default' });
    await eventually(() => slices().length === 0, 3000, 'mirrored slice removed');
  });

  it('leaves Services without a selector alone', async () => {
    const api = new FakeApi();
    cm = new ControllerManager({ client: api, options: { controllers: ['endpointslice'] } });
    await cm.start();
    await api.create(R.services, { metadata: { name: 'manual', namespace: 'default', uid: 'm' }, spec: { ports: [{ port: 80 }] } } as KubeObject);
    await api.create(R.services, service() as KubeObject);
    await eventually(() => api.all(R.endpointslices, 'default').length === 1, 3000, 'slice of web');
    expect((api.all(R.endpointslices, 'default')[0].metadata.labels ?? {})['kubernetes.io/service-name']).toBe('web');
  });
});
