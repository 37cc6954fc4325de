import { describe, expect, it } from 'vitest';
import { fieldsAt, kindSchema, schemaAt, typeName, yamlPathAt, type OpenApiDoc } from '../../../renderer/lib/schema';
import { groupVersionDocument } from '../../../main/apiserver/openapi';
import { ResourceRegistry } from '../../../main/apiserver/resources';
import { strategies } from '../../../main/apiserver/registry';

const reg = new ResourceRegistry();
for (const s of strategies) reg.add(s);
const core = groupVersionDocument(reg, '', 'v1') as OpenApiDoc;
const apps = groupVersionDocument(reg, 'apps', 'v1') as OpenApiDoc;

describe('the YAML path where a key is typed (| is the cursor)', () => {
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
        env:
        - name: A
          value: b
`;
  it.each<[string, string, string[]]>([
    ['at the root', '|', []],
    ['a root key being typed', 'meta|', []],
    ['under metadata', 'metadata:\n  |', ['metadata']],
    ['a label key', deployment.replace('    app: web\n', '    app: web\n    |'), ['metadata', 'labels']],
    ['back at spec after labels', deployment.replace('spec:\n  template', 'spec:\n  |\n  template'), ['spec']],
    [
      'a key of a container (indentless sequence)',
      deployment.replace('        image: nginx\n', '        image: nginx\n        |'),
      ['spec', 'template', 'spec', 'containers', '[]'],
    ],
    ['a new container after "- "', deployment.replace('        env:', '      - |\n        env:'), ['spec', 'template', 'spec', 'containers', '[]']],
    ['an env var of a container', `${deployment}          |`, ['spec', 'template', 'spec', 'containers', '[]', 'env', '[]']],
    ['an indented sequence', 'spec:\n  ports:\n    - port: 80\n      |', ['spec', 'ports', '[]']],
    ['a second document starts over', 'kind: A\nspec:\n  x: 1\n---\nmetadata:\n  |', ['metadata']],
    ['comments and blank lines are skipped', 'spec:\n  # a comment\n\n  |', ['spec']],
  ])('%s', (_n, text, want) => {
    const at = text.indexOf('|');
    expect(yamlPathAt(text.replace('|', ''), at)).toEqual(want);
  });
});

describe("fields from the lab's OpenAPI v3", () => {
  const pod = kindSchema(core, '', 'v1', 'Pod');
  const deploy = kindSchema(apps, 'apps', 'v1', 'Deployment');
  it('finds a kind by its group-version-kind', () => {
    expect(pod?.properties?.spec).toBeTruthy();
    expect(kindSchema(core, '', 'v1', 'Nope')).toBeUndefined();
  });
  it("lists a container's fields with kubectl explain's types", () => {
    const f = fieldsAt(core, pod, ['spec', 'containers', '[]']);
    const byName = Object.fromEntries(f.map((x) => [x.name, x]));
    expect(byName.image.type).toBe('string');
    expect(byName.ports.type).toMatch(/^\[\]/);
    expect(byName.name.required).toBe(true);
  });
  it('walks a Deployment to its pod template', () => {
    expect(fieldsAt(apps, deploy, ['spec', 'template', 'spec']).map((x) => x.name)).toEqual(
      expect.arrayContaining(['containers', 'nodeSelector', 'restartPolicy']),
    );
    expect(typeName(apps, schemaAt(apps, deploy, ['spec', 'replicas']))).toBe('integer');
  });
  it('offers nothing inside a free-form map or an unknown key', () => {
    expect(fieldsAt(core, pod, ['metadata', 'labels'])).toEqual([]);
    expect(fieldsAt(core, pod, ['nope'])).toEqual([]);
  });
});
