// The renderer's object types: a field is read through the object's kind, so a misspelt one does not compile
// (typechecked by tsconfig.test-dom.json: each @ts-expect-error fails the typecheck if its line compiles).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import type { Pod } from 'kubernetes-types/core/v1';
import { asLive, type AnyObject, type Live } from '../../../renderer/lib/objects';

const wire: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { nodeName: 'n1', containers: [] } };

describe('Live<T>: a cache object read as its kind', () => {
  it("reads the kind's fields, metadata always present", () => {
    const p: Live<Pod> = asLive<Pod>(wire);
    expect([p.metadata.name, p.spec?.nodeName]).toEqual(['web', 'n1']);
  });

  it("refuses a misspelt field, where KubeObject's index signature would read it as unknown", () => {
    const p = asLive<Pod>(wire);
    // @ts-expect-error nodeNmae is not a PodSpec field
    expect(p.spec?.nodeNmae).toBeUndefined();
    // @ts-expect-error specs is not a Pod field
    expect(p.specs).toBeUndefined();
    const any: AnyObject = wire;
    // @ts-expect-error an object of no known kind has no spec to read
    expect(any.spec).toBeDefined();
  });
});
