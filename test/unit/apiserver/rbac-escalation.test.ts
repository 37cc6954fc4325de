// upstream's Covers (component-helpers/auth/rbac/validation) as a table: which owner rules cover which servant rules.
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { describe, expect, it } from 'vitest';
import { compactRules, compactString, covers } from '../../../main/apiserver/registry/rbac-policy';

const r = (verbs: string[], resources: string[], apiGroups = [''], resourceNames?: string[]): PolicyRule => ({
  verbs,
  resources,
  apiGroups,
  ...(resourceNames ? { resourceNames } : {}),
});
const url = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

describe('covers', () => {
  it.each<[string, PolicyRule[], PolicyRule[], boolean]>([
    ['exact', [r(['get', 'list'], ['pods'])], [r(['get'], ['pods'])], true],
    ['a verb missing', [r(['get'], ['pods'])], [r(['get', 'delete'], ['pods'])], false],
    ['star verb and group', [r(['*'], ['pods'], ['*'])], [r(['delete'], ['pods'], ['apps'])], true],
    ['*/status covers pods/status', [r(['get'], ['*/status'])], [r(['get'], ['pods/status'])], true],
    ['pods does not cover pods/exec', [r(['create'], ['pods'])], [r(['create'], ['pods/exec'])], false],
    ['named owner covers the same name', [r(['get'], ['secrets'], [''], ['a', 'b'])], [r(['get'], ['secrets'], [''], ['a'])], true],
    ['named owner does not cover all names', [r(['get'], ['secrets'], [''], ['a'])], [r(['get'], ['secrets'])], false],
    ['split over two owner rules', [r(['get'], ['pods']), r(['list'], ['pods'])], [r(['get', 'list'], ['pods'])], true],
    ['non-resource wildcard', [url(['get'], ['/healthz/*'])], [url(['get'], ['/healthz/ready'])], true],
    ['non-resource other path', [url(['get'], ['/healthz/*'])], [url(['get'], ['/metrics'])], false],
    ['resource rule never covers a URL', [r(['*'], ['*'], ['*'])], [url(['get'], ['/metrics'])], false],
  ])('%s', (_name, owner, servant, want) => {
    expect(covers(owner, servant).covered).toBe(want);
  });

  it('lists what is missing, compacted per group and resource, as upstream prints it', () => {
    const { missing } = covers([r(['get'], ['pods'])], [r(['get', 'delete', 'patch'], ['pods', 'secrets'])]);
    expect(compactRules(missing).map(compactString).sort()).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "patch"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "patch"]}',
    ]);
    expect(compactString(url(['get'], ['/metrics']))).toBe('{NonResourceURLs:["/metrics"], Verbs:["get"]}');
    expect(compactString(r(['get'], ['secrets'], [''], ['a']))).toBe('{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}');
  });
});
