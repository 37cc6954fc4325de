import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, nestedDeeperThan, textNestedDeeperThan, typeMismatch } from '../../../main/apiserver/typed-decoding';
import { intParam, parseResourceVersion, validateListOptions } from '../../../main/apiserver/core';
import { parseResourcePath, pathSegmentProblems, rawPath } from '../../../main/apiserver/http';
import { strategies, strategyFor } from '../../../main/apiserver/registry/index';
import { ResourceRegistry } from '../../../main/apiserver/resources';

const podSchema = strategyFor('', 'pods')!.schema;
const cmSchema = strategyFor('', 'configmaps')!.schema;
const deploySchema = strategyFor('apps', 'deployments')!.schema;
const pod = (spec: unknown, metadata: unknown = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });

describe('typeMismatch: what upstream refuses to decode into its typed structs', () => {
  const rows: [string, unknown, string | undefined][] = [
    ['a valid pod', pod({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] }), undefined],
    ['nulls decode as zero values', pod({ containers: null, nodeName: null }, { name: 'p', labels: null }), undefined],
    ['unknown fields are not its business', pod({ bogus: [1, 2], containers: [] }), undefined],
    ['a number name', pod({}, { name: 42 }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string'],
    ['an array name', pod({}, { name: ['a'] }), 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.name of type string'],
    ['metadata a string', pod({}, 'nope'), 'json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta'],
    ['spec a string', pod('nope'), 'json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec'],
    [
      'containers an object',
      pod({ containers: { name: 'c' } }),
      'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    ],
    [
      'a label value a number',
      pod({}, { name: 'p', labels: { a: 5 } }),
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    ],
    [
      'a port a string',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: 'eighty' }] }] }),
      'json: cannot unmarshal string into Go struct field Port.spec.containers.ports.containerPort of type int32',
    ],
    [
      'an int32 out of range',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: 2 ** 40 }] }] }),
      `json: cannot unmarshal number ${2 ** 40} into Go struct field Port.spec.containers.ports.containerPort of type int32`,
    ],
    [
      'a fraction for an integer',
      pod({ terminationGracePeriodSeconds: 1.5 }),
      'json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64',
    ],
    ['a bool as a string', pod({ hostNetwork: 'yes' }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool'],
    ['quantities take numbers and strings', pod({ containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' } } }] }), undefined],
    [
      'a quantity as a bool',
      pod({ containers: [{ name: 'c', resources: { limits: { cpu: true } } }] }),
      'json: cannot unmarshal bool into Go struct field Resource.spec.containers.resources.limits of type resource.Quantity',
    ],
  ];
  it.each(rows)('%s', (_name, value, want) => {
    expect(typeMismatch(value, podSchema, 'Pod')?.message).toBe(want);
  });

  it('names the field path with indices', () => {
    expect(typeMismatch(pod({ containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 'x' }] }] }), podSchema, 'Pod')?.field).toBe(
      'spec.containers[1].ports[0].containerPort',
    );
  });

  it('a pod template inside a deployment is a PodSpec', () => {
    const d = { metadata: { name: 'd' }, spec: { replicas: '3', template: { spec: { containers: [] } } } };
    expect(typeMismatch(d, deploySchema, 'Deployment')?.message).toBe(
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    const t = { metadata: { name: 'd' }, spec: { template: { spec: { nodeName: 7 } } } };
    expect(typeMismatch(t, deploySchema, 'Deployment')?.message).toBe(
      'json: cannot unmarshal number into Go struct field PodSpec.spec.template.spec.nodeName of type string',
    );
    const sel = { metadata: { name: 'd' }, spec: { replicas: 2, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } };
    expect(typeMismatch(sel, deploySchema, 'Deployment')).toBeUndefined();
  });

  it('a deeply nested value is refused at its first level, without recursion', () => {
    let v: unknown = [];
    for (let i = 0; i < 200_000; i++) v = [v];
    expect(typeMismatch({ metadata: { name: 'x' }, data: { k: v } }, cmSchema, 'ConfigMap')?.message).toBe(
      'json: cannot unmarshal array into Go struct field ConfigMap.data of type string',
    );
  });
});

describe('nestedDeeperThan', () => {
  const deep = (n: number) => {
    let v: unknown = {};
    for (let i = 1; i < n; i++) v = { a: v };
    return v;
  };
  it.each([
    [1, 1, false],
    [2, 1, true],
    [MAX_NESTING_DEPTH, MAX_NESTING_DEPTH, false],
    [MAX_NESTING_DEPTH + 1, MAX_NESTING_DEPTH, true],
    [300_000, MAX_NESTING_DEPTH, true],
  ])('depth %i against limit %i: %s', (depth, limit, want) => {
    expect(nestedDeeperThan(deep(depth), limit)).toBe(want);
  });
  it('scalars have no depth', () => {
    expect(nestedDeeperThan('x', 0)).toBe(false);
  });
});

describe('textNestedDeeperThan (checked before YAML parsing)', () => {
  it.each([
    ['a: [[1]]', 2, false],
    ['a: [[[1]]]', 2, true],
    ['{a: {b: [1, {c: 2}]}}', 4, false],
    ['{a: {b: [1, {c: 2}]}}', 3, true],
    ['a: "[[[[[["', 2, false],
    ["a: '{{{{{{'", 2, false],
    ['a: "\\"[[[["', 2, false],
    ['a: 1 # [[[[[[', 2, false],
    ['[1]]]]] [[', 2, false],
    ['['.repeat(200_000), MAX_NESTING_DEPTH, true],
  ])('%s (limit %i): %s', (text, limit, want) => {
    expect(textNestedDeeperThan(text, limit)).toBe(want);
  });
});

describe('URL names and namespaces (upstream IsValidPathSegmentName)', () => {
  it.each([
    ['web', []],
    ['.', ["may not be '.'"]],
    ['..', ["may not be '..'"]],
    ['a..b', []],
    ['x/y', ["may not contain '/'"]],
    ['5%', ["may not contain '%'"]],
    ['a/%', ["may not contain '/'", "may not contain '%'"]],
  ])('%s', (seg, want) => {
    expect(pathSegmentProblems(seg)).toEqual(want);
  });

  const reg = new ResourceRegistry();
  for (const st of strategies) reg.add(st);
  it.each([
    ['/api/v1/namespaces/default/pods/..', 400, 'Name parameter invalid: "..": may not be \'..\''],
    ['/api/v1/namespaces/default/pods/%2e%2e', 400, 'Name parameter invalid: "..": may not be \'..\''],
    ['/api/v1/namespaces/default/pods/.', 400, 'Name parameter invalid: ".": may not be \'.\''],
    ['/api/v1/namespaces/default/pods/x%2Fy', 400, 'Name parameter invalid: "x/y": may not contain \'/\''],
    ['/api/v1/namespaces/default/pods/%', 400, 'invalid URL escape in path segment "%"'],
    ['/api/v1/namespaces/default/pods/a%25b', 400, 'Name parameter invalid: "a%b": may not contain \'%\''],
    ['/api/v1/namespaces/../pods/x', 400, 'Namespace parameter invalid: "..": may not be \'..\''],
    ['/api/v1/namespaces/default/pods/web/status/extra', 404, 'the server could not find the requested resource'],
  ])('%s: %i', (path, code, message) => {
    let err: { code?: number; message?: string } | undefined;
    try {
      parseResourcePath(path, reg);
    } catch (e) {
      err = e as { code: number; message: string };
    }
    expect(err?.code).toBe(code);
    expect(err?.message).toBe(message);
  });

  it.each([
    ['/api/v1/namespaces/default/pods/..', '/api/v1/namespaces/default/pods/..'],
    ['/api/v1/namespaces/default/pods/%2e%2e?x=1', '/api/v1/namespaces/default/pods/%2e%2e'],
    ['/api/v1/pods', '/api/v1/pods'],
  ])('rawPath keeps %s as sent', (url, want) => {
    expect(rawPath(url)).toBe(want);
  });
});

describe('query parameters as upstream parses them', () => {
  it.each([
    ['5', 5],
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['', undefined],
    ['-3', -3],
  ])('intParam(%s)', (value, want) => {
    if (typeof want === 'string') expect(() => intParam(value)).toThrow(want);
    else expect(intParam(value)).toBe(want);
  });

  it.each([
    ['42', 42],
    ['0', 0],
    ['-5', 'invalid resource version'],
    ['abc', 'invalid resource version'],
    ['1.5', 'invalid resource version'],
    ['99999999999999999999', 'invalid resource version'],
  ])('parseResourceVersion(%s)', (rv, want) => {
    if (typeof want === 'string') expect(() => parseResourceVersion(rv)).toThrow(want);
    else expect(parseResourceVersion(rv)).toBe(want);
  });

  it.each([
    [{}, undefined],
    [{ resourceVersion: '5', resourceVersionMatch: 'Exact' }, undefined],
    [{ resourceVersion: '5', resourceVersionMatch: 'NotOlderThan' }, undefined],
    [{ resourceVersionMatch: 'Exact' }, 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
    [
      { resourceVersion: '0', resourceVersionMatch: 'Exact' },
      'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    ],
    [{ resourceVersion: '5', resourceVersionMatch: 'Newest' }, 'resourceVersionMatch: Unsupported value: "Newest"'],
    [{ resourceVersion: '-5', resourceVersionMatch: 'Exact' }, 'invalid resource version'],
  ])('list options %j', (query, want) => {
    if (want) expect(() => validateListOptions(query as Record<string, string>, false)).toThrow(want);
    else expect(() => validateListOptions(query as Record<string, string>, false)).not.toThrow();
  });
});
