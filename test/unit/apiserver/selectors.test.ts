import { describe, expect, it } from 'vitest';
import { labelSelectorMatches, labelSelectorString, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../../main/api/selectors';

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
