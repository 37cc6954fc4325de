import { describe, expect, it } from 'vitest';
import { parseResourcePath } from '../../../main/apiserver/http';
import { groupVersionDocument, definitionName } from '../../../main/apiserver/openapi';
import { ResourceRegistry } from '../../../main/apiserver/resources';
import { humanDuration } from '../../../main/api/pod-status';
import { aggregatedDiscovery, apiResourceList } from '../../../main/apiserver/discovery';
import { unknownFields } from '../../../main/apiserver/field-validation';
import { resourcesOfDiscovery } from '../../../main/bridge/api-http';
import type { ResourceStrategy } from '../../../main/apiserver/registry/types';

const strategy = (group: string, resource: string, kind: string, namespaced: boolean, subresources: string[] = []): ResourceStrategy => ({
  group,
  version: 'v1',
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced,
  verbs: ['get', 'list', 'create', 'update', 'patch', 'delete', 'watch'],
  subresources,
  schema: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { name: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } },
      spec: { type: 'object', properties: { containers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } },
    },
  },
});
const reg = new ResourceRegistry();
reg.add(strategy('', 'pods', 'Pod', true, ['status', 'log']));
reg.add(strategy('', 'namespaces', 'Namespace', false, ['status', 'finalize']));
reg.add(strategy('apps', 'deployments', 'Deployment', true, ['scale']));

describe('resource paths', () => {
  it.each<[string, Record<string, unknown> | undefined]>([
    ['/api/v1/pods', { group: '', version: 'v1', resource: 'pods' }],
    ['/api/v1/namespaces/default/pods', { group: '', version: 'v1', namespace: 'default', resource: 'pods' }],
    ['/api/v1/namespaces/default/pods/web/log', { group: '', version: 'v1', namespace: 'default', resource: 'pods', name: 'web', subresource: 'log' }],
    ['/api/v1/namespaces/default', { group: '', version: 'v1', resource: 'namespaces', name: 'default' }],
    ['/api/v1/namespaces/default/status', { group: '', version: 'v1', resource: 'namespaces', name: 'default', subresource: 'status' }],
    ['/api/v1/namespaces/gone/finalize', { group: '', version: 'v1', resource: 'namespaces', name: 'gone', subresource: 'finalize' }],
    [
      '/apis/apps/v1/namespaces/shop/deployments/web/scale',
      { group: 'apps', version: 'v1', namespace: 'shop', resource: 'deployments', name: 'web', subresource: 'scale' },
    ],
    ['/apis/apps/v1/deployments', { group: 'apps', version: 'v1', resource: 'deployments' }],
    ['/version', undefined],
    ['/apis/apps', undefined],
  ])('%s', (path, want) => {
    const got = parseResourcePath(path, reg);
    expect(got ? Object.fromEntries(Object.entries(got).filter(([, v]) => v !== undefined)) : got).toEqual(want);
  });
});

describe('kubectl age format', () => {
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [119_000, '119s'],
    [125_000, '2m5s'],
    [600_000, '10m'],
    [3 * 3600_000 + 60_000, '3h1m'],
    [30 * 3600_000, '30h'],
    [50 * 3600_000, '2d2h'],
    [10 * 86400_000, '10d'],
    [800 * 86400_000, '2y70d'],
  ])('%i ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('OpenAPI and discovery', () => {
  it('declares fieldValidation on PATCH with the group-version-kind, as kubectl looks for it', () => {
    const doc = groupVersionDocument(reg, 'apps', 'v1') as {
      paths: Record<string, { patch?: { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': unknown } }>;
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch!;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query')).toBe(true);
    expect(doc.components.schemas[definitionName(reg.find('apps', 'v1', 'deployments')!.strategy)]['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', version: 'v1', kind: 'Deployment' },
    ]);
    expect(definitionName(reg.find('', 'v1', 'pods')!.strategy)).toBe('io.k8s.api.core.v1.Pod');
  });

  it('lists subresources in legacy and aggregated discovery', () => {
    expect(apiResourceList(reg, 'apps', 'v1').resources.map((r) => r.name)).toEqual(['deployments', 'deployments/scale']);
    const agg = aggregatedDiscovery(reg, false);
    expect(agg.items[0].versions[0].resources[0]).toMatchObject({
      resource: 'deployments',
      scope: 'Namespaced',
      subresources: [{ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } }],
    });
  });

  it('the UI reads aggregated discovery back into one entry per resource, scope and subresources kept', () => {
    const got = resourcesOfDiscovery(aggregatedDiscovery(reg, true), aggregatedDiscovery(reg, false));
    expect(got.map((r) => `${r.group}/${r.version}/${r.resource}:${r.kind}:${r.namespaced}`)).toEqual([
      '/v1/pods:Pod:true',
      '/v1/namespaces:Namespace:false',
      'apps/v1/deployments:Deployment:true',
    ]);
    expect(got[0]).toMatchObject({ verbs: expect.arrayContaining(['update', 'watch']), subresources: ['status', 'log'], singular: 'pod' });
  });

  it('finds unknown fields by schema, maps and lists included', () => {
    const schema = reg.find('', 'v1', 'pods')!.strategy.schema!;
    expect(
      unknownFields(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'x', labels: { any: 'thing' }, bogus: 1 },
          spec: { containers: [{ name: 'a', imagePolicy: 'x' }], $patch: 'replace' },
        },
        schema,
      ),
    ).toEqual(['metadata.bogus', 'spec.containers[0].imagePolicy']);
  });
});
