import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  fieldPaths,
  mergeKeyOf,
  recordUpdate,
  serverSideApply,
  toFieldsV1,
} from '../../../main/api/patch';
import type { KubeObject } from '../../../main/api/object';
// the served kinds' schemas declare which lists merge by which key
import '../../../main/apiserver/registry';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a'] },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
      { name: 'side', image: 'busybox' },
    ],
    tolerations: [{ key: 'x' }],
  },
});

describe('strategic merge patch', () => {
  it.each<[string, unknown, (r: ReturnType<typeof pod>) => unknown, unknown]>([
    [
      'merges containers by name',
      { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } },
      (r) => r.spec.containers.map((c) => c.image),
      ['nginx:2', 'busybox'],
    ],
    ['appends a new container', { spec: { containers: [{ name: 'new', image: 'x' }] } }, (r) => r.spec.containers.map((c) => c.name), ['app', 'side', 'new']],
    [
      'deletes a container with $patch: delete',
      { spec: { containers: [{ name: 'side', $patch: 'delete' }] } },
      (r) => r.spec.containers.map((c) => c.name),
      ['app'],
    ],
    ['null deletes a key', { metadata: { labels: { tier: null } } }, (r) => r.metadata.labels, { app: 'web' }],
    ['replaces lists without a merge key', { spec: { tolerations: [{ key: 'y' }] } }, (r) => r.spec.tolerations, [{ key: 'y' }]],
    [
      'merges env by name inside a container',
      { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '2' }] }] } },
      (r) => r.spec.containers[0].env,
      [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    ],
    ['merges finalizers as a set', { metadata: { finalizers: ['b', 'a'] } }, (r) => r.metadata.finalizers, ['a', 'b']],
    ['removes from a primitive list', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, (r) => r.metadata.finalizers, []],
    [
      'orders by $setElementOrder',
      { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }] } },
      (r) => r.spec.containers.map((c) => c.name),
      ['side', 'app'],
    ],
    ['replaces a map with $patch: replace', { metadata: { labels: { $patch: 'replace', only: 'me' } } }, (r) => r.metadata.labels, { only: 'me' }],
  ])('%s', (_name, patch, pick, want) => {
    const r = applyStrategicMergePatch(pod(), patch) as ReturnType<typeof pod>;
    expect(pick(r)).toEqual(want);
  });
});

describe('merge and json patch', () => {
  it('merge patch replaces lists and deletes with null', () => {
    const r = applyMergePatch(pod(), { spec: { containers: [{ name: 'only' }] }, metadata: { labels: { app: null } } }) as ReturnType<typeof pod>;
    expect(r.spec.containers).toEqual([{ name: 'only' }]);
    expect(r.metadata.labels).toEqual({ tier: 'front' });
  });
  it('json patch applies operations and refuses a failing test with 422', () => {
    const r = applyJsonPatch(pod(), [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:3' }]);
    expect(r.spec.containers[0].image).toBe('nginx:3');
    expect(() => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'other' }])).toThrowError(/rejected/);
  });
});

describe('server-side apply', () => {
  const deploy = (replicas: number, image = 'nginx:1'): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas, template: { spec: { containers: [{ name: 'app', image }] } } },
  });

  it('records the applied fields in FieldsV1 form', () => {
    const obj = serverSideApply(undefined, deploy(2), 'me', false, 'apps/v1', 'now');
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: 'me',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: 'now',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
        },
      },
    ]);
  });

  it('conflicts with another manager that set a different value, unless forced', () => {
    const created = serverSideApply(undefined, deploy(2), 'me', false, 'apps/v1', 't1');
    const scaled = structuredClone(created);
    (scaled.spec as { replicas: number }).replicas = 5;
    recordUpdate(created, scaled, 'kubectl-scale', 'apps/v1', 't2');
    expect(() => serverSideApply(scaled, deploy(3), 'me', false, 'apps/v1', 't3')).toThrowError(
      'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
    );
    const forced = serverSideApply(scaled, deploy(3), 'me', true, 'apps/v1', 't3');
    expect((forced.spec as { replicas: number }).replicas).toBe(3);
    expect(forced.metadata.managedFields?.map((m) => m.manager)).toEqual(['me']);
  });

  it('removes fields the manager no longer applies', () => {
    const withLabel = deploy(2);
    withLabel.metadata.labels = { a: '1' };
    const first = serverSideApply(undefined, withLabel, 'me', false, 'apps/v1', 't1');
    const second = serverSideApply(first, deploy(2), 'me', false, 'apps/v1', 't2');
    expect(second.metadata.labels ?? {}).toEqual({});
  });

  it('fieldPaths skips identity and status', () => {
    const paths = toFieldsV1(fieldPaths({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { a: 'b' } }, status: { phase: 'Running' } }));
    expect(paths).toEqual({ 'f:metadata': { 'f:labels': { 'f:a': {} } } });
  });
});

// the merge keys come from each kind's schema (x-kubernetes-patch-merge-key), not a hand table; a row per kind and list
describe('strategic merge patch keys, derived from the schemas', () => {
  it.each([
    ['Pod', ['spec', 'containers'], 'name'],
    ['Pod', ['spec', 'containers', 'resources', 'claims'], 'name'],
    ['Pod', ['spec', 'containers', 'ports'], 'containerPort'],
    ['Pod', ['spec', 'volumes'], 'name'],
    ['Pod', ['metadata', 'ownerReferences'], 'uid'],
    ['Pod', ['status', 'conditions'], 'type'],
    ['Pod', ['spec', 'tolerations'], undefined],
    ['Deployment', ['spec', 'template', 'spec', 'containers'], 'name'],
    ['Deployment', ['spec', 'template', 'spec', 'containers', 'resources', 'claims'], 'name'],
    ['CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers', 'env'], 'name'],
    ['Service', ['spec', 'ports'], 'port'],
    ['Node', ['status', 'addresses'], 'type'],
    ['ServiceAccount', ['secrets'], 'name'],
    ['ConfigMap', ['spec', 'containers'], undefined],
  ])('%s %j merges by %s', (kind, path, key) => {
    expect(mergeKeyOf(kind, path)).toBe(key);
  });

  it("merges a container's resources.claims by name (the hand table had drifted: it replaced them)", () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { template: { spec: { containers: [{ name: 'app', resources: { claims: [{ name: 'gpu' }, { name: 'fpga' }] } }] } } },
    };
    const r = applyStrategicMergePatch(d, {
      spec: { template: { spec: { containers: [{ name: 'app', resources: { claims: [{ name: 'gpu', request: 'big' }] } }] } } },
    }) as typeof d;
    expect(r.spec.template.spec.containers[0].resources.claims).toEqual([{ name: 'gpu', request: 'big' }, { name: 'fpga' }]);
  });
});
