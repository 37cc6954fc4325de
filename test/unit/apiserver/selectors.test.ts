import { describe, expect, it } from 'vitest';
import type { NodeSelectorTerm } from 'kubernetes-types/core/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import {
  controllerSelectorMatches,
  labelSelectorMatches,
  labelSelectorString,
  matchesFields,
  matchesLabels,
  nodeSelectorTermMatches,
  nodeSelectorTermsMatch,
  parseFieldSelector,
  parseLabelSelector,
  serviceSelectorMatches,
  setSelectorMatches,
  specSelectorString,
} from '../../../main/api/selectors';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db, cache)', true],
    ['tier notin (front)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=front', true],
    ['app=web, tier=back', false],
    ['n>3', true],
    ['n<3', false],
    ['example.com/role in (a)', false],
  ])('%s -> %s', (sel, want) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
  });

  it.each(['app=', 'app in web', 'app in (web', '=web', 'a b'])('refuses %j with 400 except the empty value', (sel) => {
    if (sel === 'app=') {
      expect(matchesLabels(parseLabelSelector(sel), { app: '' })).toBe(true);
      return;
    }
    expect(() => parseLabelSelector(sel)).toThrowError(/unable to parse requirement|invalid/);
  });

  it('matches metav1.LabelSelector objects and prints them', () => {
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] };
    expect(labelSelectorMatches(sel, labels)).toBe(true);
    expect(labelSelectorMatches(sel, { app: 'web' })).toBe(false);
    expect(labelSelectorMatches(undefined, labels)).toBe(false);
    expect(labelSelectorMatches({}, labels)).toBe(true);
    expect(labelSelectorString(sel)).toBe('app=web,tier in (back,front)');
  });
});

// The one matcher serves every caller; what nil and empty mean differs by caller, as upstream. A row per caller's case.
describe('label selectors, by caller', () => {
  const web = { app: 'web', tier: 'front' };
  type Row = [caller: string, sel: LabelSelector | undefined, labels: Record<string, string> | undefined, want: boolean];

  // metav1.LabelSelectorAsSelector: the scheduler's affinity terms and spread constraints, template-vs-selector
  // validation, and (not served by the lab) a policy/v1 PodDisruptionBudget's selector and a NetworkPolicy's podSelector.
  it.each<Row>([
    ['affinity term: nil labelSelector selects no pods', undefined, web, false],
    ['affinity term: {} selects every pod', {}, web, true],
    ['affinity term: {} selects a pod without labels', {}, undefined, true],
    ['affinity namespaceSelector {}: every namespace', {}, { 'kubernetes.io/metadata.name': 'other' }, true],
    ['spread constraint: matchLabels', { matchLabels: { app: 'web' } }, web, true],
    ['spread constraint: matchLabels miss', { matchLabels: { app: 'db' } }, web, false],
    ['validation: In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, web, true],
    ['validation: NotIn on a missing key', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, web, true],
    [
      'validation: Exists and DoesNotExist',
      {
        matchExpressions: [
          { key: 'app', operator: 'Exists' },
          { key: 'env', operator: 'DoesNotExist' },
        ],
      },
      web,
      true,
    ],
    [
      'validation: labels and expressions are ANDed',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
      web,
      false,
    ],
    [
      'an unknown operator selects nothing (upstream: conversion error)',
      { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] },
      web,
      false,
    ],
    ['a LabelSelector knows no Gt', { matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] }, { n: '5' }, false],
    ['PodDisruptionBudget (policy/v1): {} selects every pod of its namespace', {}, web, true],
    ['PodDisruptionBudget (policy/v1): nil selects none', undefined, web, false],
    ['NetworkPolicy: podSelector {} selects every pod of its namespace', {}, web, true],
  ])('%s', (_c, sel, labels, want) => expect(labelSelectorMatches(sel, labels)).toBe(want));

  // the listers' GetPodReplicaSets / GetPodJobs / GetPodDaemonSets / GetDeploymentsForReplicaSet, and the ref manager
  it.each<Row>([
    ['ReplicaSet: nil selector owns nothing', undefined, web, false],
    ['ReplicaSet: {} owns nothing (not everything)', {}, web, false],
    ['Deployment: empty matchLabels owns nothing', { matchLabels: {} }, web, false],
    [
      'Job: generated controller-uid selector',
      { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
      { 'batch.kubernetes.io/controller-uid': 'u1' },
      true,
    ],
    ['DaemonSet: matchLabels', { matchLabels: { app: 'web' } }, web, true],
    ['DaemonSet: a pod without labels', { matchLabels: { app: 'web' } }, undefined, false],
  ])('%s', (_c, sel, labels, want) => expect(controllerSelectorMatches(sel, labels)).toBe(want));

  // Service spec.selector (endpoints, endpointslice controllers, the proxy's relays)
  it.each<[string, Record<string, string> | undefined, Record<string, string> | undefined, boolean]>([
    ['Service without selector selects no pods (Endpoints by hand)', undefined, web, false],
    ['Service selector {} is no selector', {}, web, false],
    ['Service selector matches', { app: 'web' }, web, true],
    ['Service selector: every pair must match', { app: 'web', tier: 'back' }, web, false],
  ])('%s', (_c, sel, labels, want) => expect(serviceSelectorMatches(sel, labels)).toBe(want));

  // a pod's spec.nodeSelector (scheduler NodeAffinity, DaemonSet placement)
  it.each<[string, Record<string, string> | undefined, Record<string, string> | undefined, boolean]>([
    ['pod nodeSelector missing: any node', undefined, { disktype: 'hdd' }, true],
    ['pod nodeSelector {}: any node', {}, { disktype: 'hdd' }, true],
    ['pod nodeSelector disktype=ssd on hdd', { disktype: 'ssd' }, { disktype: 'hdd' }, false],
    ['pod nodeSelector disktype=ssd on ssd', { disktype: 'ssd' }, { disktype: 'ssd', zone: 'a' }, true],
  ])('%s', (_c, sel, labels, want) => expect(setSelectorMatches(sel, labels)).toBe(want));
});

describe('node selector terms (scheduler NodeAffinity, DaemonSet placement)', () => {
  const labels = { zone: 'a', gen: '5', big: '9007199254740993' };
  it.each<[string, NodeSelectorTerm, boolean]>([
    ['an empty term matches nothing', {}, false],
    ['In', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, false],
    ['Gt', { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }, true],
    ['Lt', { matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }, false],
    ['Gt compares int64 exactly (beyond 2^53)', { matchExpressions: [{ key: 'big', operator: 'Gt', values: ['9007199254740992'] }] }, true],
    ['Gt on a label that is not an integer', { matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['1'] }] }, false],
    ['Gt takes exactly one value', { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['1', '2'] }] }, false],
    ['Gt with a signed value', { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['-1'] }] }, true],
    ['matchFields metadata.name', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, true],
    ['matchFields knows only metadata.name', { matchFields: [{ key: 'spec.unschedulable', operator: 'In', values: ['n1'] }] }, false],
    [
      'expressions and fields are ANDed',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
      false,
    ],
  ])('%s', (_c, term, want) => expect(nodeSelectorTermMatches(term, labels, 'n1')).toBe(want));

  it('terms are ORed; no terms match nothing', () => {
    expect(
      nodeSelectorTermsMatch(
        [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'gen', operator: 'Exists' }] }],
        labels,
        'n1',
      ),
    ).toBe(true);
    expect(nodeSelectorTermsMatch([], labels, 'n1')).toBe(false);
  });
});

describe('field selectors', () => {
  const fields = { 'metadata.name': 'web', 'spec.nodeName': '' };
  it.each([
    ['metadata.name=web', true],
    ['metadata.name==web', true],
    ['metadata.name!=web', false],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['metadata.name=web,spec.nodeName=n1', false],
  ])('%s -> %s', (sel, want) => {
    expect(matchesFields(parseFieldSelector(sel), fields)).toBe(want);
  });
  it('refuses a term without an operator', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrowError(/invalid selector/);
  });
});

describe('specSelectorString: the pods of a workload or a Service, as ?labelSelector=', () => {
  it.each([
    [
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'NotIn', values: ['b', 'a'] },
          { key: 'x', operator: 'DoesNotExist' },
        ],
      },
      'app=web,env notin (a,b),!x',
    ],
    [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, 'x'],
    [{ app: 'web', tier: 'front' }, 'app=web,tier=front'],
    [{}, ''],
    [null, ''],
  ])('%j -> %s', (sel, want) => expect(specSelectorString(sel as never)).toBe(want));
  it('refuses an operator a LabelSelector does not have, as the API does', () => {
    expect(() => specSelectorString({ matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] })).toThrow(
      '"Gt" is not a valid label selector operator',
    );
  });
});
