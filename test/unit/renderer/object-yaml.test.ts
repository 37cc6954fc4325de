import { describe, expect, it } from 'vitest';
import { objectYaml, parseEdit } from '../../../renderer/lib/object-yaml';

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'default', resourceVersion: '42', managedFields: [{ manager: 'kubectl' }] },
  data: { a: '1' },
};

describe('editing an object as YAML', () => {
  it('shows it without managedFields, resourceVersion kept (the update carries it)', () => {
    const y = objectYaml(cm);
    expect(y).not.toContain('managedFields');
    expect(y).toContain('resourceVersion: "42"');
  });
  it('hides Secret values unless editing', () => {
    const s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { p: 'aHVudGVyMg==' } };
    expect(objectYaml(s, { hideSecretData: 'hidden' })).toContain('p: <hidden>');
    expect(objectYaml(s)).toContain('aHVudGVyMg==');
  });
  it.each<[string, string, RegExp | undefined]>([
    ['an edit of data', objectYaml(cm).replace('a: "1"', 'a: "2"'), undefined],
    ['YAML that does not parse', 'metadata: [', /error parsing YAML/],
    ['two documents', `${objectYaml(cm)}---\n${objectYaml(cm)}`, /exactly one object/],
    ['a rename', objectYaml(cm).replace('name: cfg', 'name: other'), /cannot change/],
    ['another kind', objectYaml(cm).replace('kind: ConfigMap', 'kind: Secret'), /kind must stay v1\/ConfigMap/],
  ])('%s', (_n, text, err) => {
    const r = parseEdit(text, cm);
    if (err) expect('error' in r && r.error).toMatch(err);
    else expect('object' in r && r.object.data).toEqual({ a: '2' });
  });
});
