import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { aggregatedDiscovery, apiResourceList } from '../../../main/apiserver/discovery';
import { groupVersionDocument } from '../../../main/apiserver/openapi';
import { ResourceRegistry } from '../../../main/apiserver/resources';
import { endpointSliceStrategy as s } from '../../../main/apiserver/registry/endpointslices';
import { formatDiscoveryEndpoints, formatDiscoveryPorts } from '../../../main/apiserver/registry/endpointslices-format';
import { strategyFor } from '../../../main/apiserver/registry/index';
import { bootstrapObjects } from '../../../main/apiserver/bootstrap';

const ctx = { user: { username: 'admin', groups: [] }, operation: 'create' as const, now: new Date() };
const slice = (extra: Record<string, unknown>): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-abcde', namespace: 'default' },
  ...extra,
});
const eps = (n: number) => Array.from({ length: n }, (_, i) => ({ addresses: [`10.0.0.${i + 1}`] }));

describe('kubectl get endpointslices cells (printers.go)', () => {
  it.each([
    ['none', undefined, '<unset>'],
    ['one', [{ name: '', port: 80, protocol: 'TCP' }], '80'],
    ['no number: the name', [{ name: 'http', protocol: 'TCP' }], 'http'],
    ['four: three and more', [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }], '1,2,3 + 1 more...'],
  ])('PORTS %s', (_n, ports, want) => expect(formatDiscoveryPorts(ports)).toBe(want));
  it.each([
    ['none', [], '<unset>'],
    ['two', eps(2), '10.0.0.1,10.0.0.2'],
    ['five', eps(5), '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...'],
  ])('ENDPOINTS %s', (_n, endpoints, want) => expect(formatDiscoveryEndpoints(endpoints)).toBe(want));
  it('columns NAME ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
    expect(s.tableColumns!.map((c) => c.name.toUpperCase())).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(s.tableRow!(slice({ addressType: 'IPv4', endpoints: eps(1), ports: [{ port: 80 }] }), new Date()).slice(0, 4)).toEqual([
      'web-abcde',
      'IPv4',
      '80',
      '10.0.0.1',
    ]);
  });
});

describe('EndpointSlice validation (upstream messages)', () => {
  it.each([
    ['valid', { addressType: 'IPv4', endpoints: eps(2), ports: [{ name: '', port: 80, protocol: 'TCP' }] }, []],
    ['addressType missing', { endpoints: [] }, ['addressType: Required value']],
    ['addressType unknown', { addressType: 'IP', endpoints: [] }, ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']],
    ['too many endpoints', { addressType: 'IPv4', endpoints: eps(1001) }, ['endpoints: Too many: 1001: must have at most 1000 items']],
    ['no address', { addressType: 'IPv4', endpoints: [{ addresses: [] }] }, ['endpoints[0].addresses: Required value: must contain at least 1 address']],
    [
      'too many addresses',
      { addressType: 'IPv4', endpoints: [{ addresses: eps(101).map((e) => e.addresses[0]) }] },
      ['endpoints[0].addresses: Too many: 101: must have at most 100 items'],
    ],
    [
      'not IPv4',
      { addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }] },
      ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address'],
    ],
    [
      'loopback',
      { addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'] }] },
      ['endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ],
    [
      'bad hostname',
      { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], hostname: 'A_b' }] },
      [expect.stringMatching(/^endpoints\[0\]\.hostname: Invalid value: "A_b": a lowercase RFC 1123 label/)],
    ],
    [
      'duplicate port names',
      {
        addressType: 'IPv4',
        endpoints: [],
        ports: [
          { name: 'a', port: 1, protocol: 'TCP' },
          { name: 'a', port: 2, protocol: 'TCP' },
        ],
      },
      ['ports[1].name: Duplicate value: "a"'],
    ],
    [
      'bad port name',
      { addressType: 'IPv4', endpoints: [], ports: [{ name: 'Http', port: 1, protocol: 'TCP' }] },
      [expect.stringMatching(/^ports\[0\]\.name: Invalid value: "Http": a lowercase RFC 1123 label/)],
    ],
    [
      'bad protocol',
      { addressType: 'IPv4', endpoints: [], ports: [{ name: '', port: 1, protocol: 'HTTP' }] },
      ['ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
  ])('%s', (_n, fields, want) => {
    expect(s.validate!(slice(fields), ctx).map((e) => `${e.field}: ${e.message}`)).toEqual(want);
  });
  it('addressType is immutable; generation moves only when more than metadata changes', () => {
    const old = slice({ addressType: 'IPv4', endpoints: [], metadata: { name: 'x', namespace: 'default', generation: 1, resourceVersion: '1' } });
    const upd = slice({ addressType: 'FQDN', endpoints: [], metadata: { name: 'x', namespace: 'default', generation: 1, resourceVersion: '1' } });
    expect(s.validateUpdate!(upd, old, ctx).map((e) => `${e.field}: ${e.message}`)).toContain('addressType: Invalid value: "FQDN": field is immutable');
    const same = structuredClone(old);
    (same.metadata as Record<string, unknown>).annotations = { a: 'b' };
    s.prepareForUpdate!(same, old, ctx);
    expect(same.metadata.generation).toBe(1);
    const moved = slice({ addressType: 'IPv4', endpoints: eps(1), metadata: { name: 'x', namespace: 'default', generation: 1 } });
    s.prepareForUpdate!(moved, old, ctx);
    expect(moved.metadata.generation).toBe(2);
  });
  it('defaults port name to "" and protocol to TCP', () => {
    const o = slice({ addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] });
    s.defaults!(o);
    expect(o.ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
  });
});

describe('discovery, OpenAPI and RBAC', () => {
  const reg = new ResourceRegistry();
  reg.add(strategyFor('discovery.k8s.io', 'endpointslices')!);
  it('served in legacy and aggregated discovery as discovery.k8s.io/v1, namespaced, no short name', () => {
    expect(apiResourceList(reg, 'discovery.k8s.io', 'v1').resources).toEqual([
      {
        name: 'endpointslices',
        singularName: 'endpointslice',
        namespaced: true,
        kind: 'EndpointSlice',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      },
    ]);
    const g = aggregatedDiscovery(reg, false).items.find((i) => i.metadata.name === 'discovery.k8s.io')!;
    expect(g.versions[0].resources[0]).toMatchObject({
      resource: 'endpointslices',
      scope: 'Namespaced',
      responseKind: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
    });
  });
  it('has an OpenAPI v3 definition with the PATCH fieldValidation kubectl looks for', () => {
    const doc = groupVersionDocument(reg, 'discovery.k8s.io', 'v1');
    const def = doc.components.schemas['io.k8s.api.discovery.v1.EndpointSlice'] as Record<string, any>;
    expect(def.required).toEqual(['addressType', 'endpoints']);
    expect(Object.keys(def.properties.endpoints.items.properties)).toEqual(expect.arrayContaining(['addresses', 'conditions', 'nodeName', 'targetRef']));
    const patch = (doc.paths['/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices/{name}'] as any).patch;
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  });
  it('view (so edit and admin) reads endpointslices; kube-proxy reads them; the controller role writes them', () => {
    const role = (name: string) =>
      bootstrapObjects(6443).find((o) => o.object.kind === 'ClusterRole' && o.object.metadata.name === name)!.object.rules as Array<{
        apiGroups: string[];
        resources: string[];
        verbs: string[];
      }>;
    const can = (name: string, verb: string) =>
      role(name).some(
        (r) => r.apiGroups.includes('discovery.k8s.io') && (r.resources.includes('endpointslices') || r.resources.includes('*')) && r.verbs.includes(verb),
      );
    for (const r of ['view', 'edit', 'admin', 'system:node-proxier']) expect(can(r, 'list')).toBe(true);
    expect(can('view', 'create')).toBe(false);
    expect(can('system:controller:endpointslice-controller', 'create')).toBe(true);
    expect(can('system:controller:endpointslicemirroring-controller', 'delete')).toBe(true);
    expect(can('system:kube-controller-manager', 'delete')).toBe(true);
  });
});
