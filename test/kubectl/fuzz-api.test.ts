// A fast-check fuzzer throwing bad input at the real API server (HTTPS, the same handler kubectl talks to): bodies,
// names, label and field selectors, subPaths, JSON/merge/strategic patches. Every answer is a success or a
// Kubernetes Status with a 4xx code, never a 5xx; the server keeps answering; a refused write leaves nothing behind
// (no object of a refused create, a refused patch leaves the object byte for byte as it was). Seeded, so a failure
// names an input that can be tried again; the count goes to the log and test-results/reliability-fuzz.json.
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './harness';

const SEED = 1407;
const RUNS = 300;
const NS = '/api/v1/namespaces/default';

let t: TestApi;
const counts: Record<string, number> = {};
/** of those, the answers that refused the input (a 4xx Status): the bad inputs the server turned away */
const refused: Record<string, number> = {};
let serverErrors = 0;

interface Answer {
  status: number;
  body: string;
  category?: string;
}

/** one request of the fuzzer: counted, and any 5xx remembered (the property then fails on it) */
async function send(category: string, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  counts[category] = (counts[category] ?? 0) + 1;
  const a = await t.request(method, path, body, { 'content-type': contentType, accept: 'application/json' });
  if (a.status >= 500) serverErrors++;
  return { ...a, category };
}

/** a success, or a Status with a 4xx code equal to the HTTP one: never a 5xx, never something else */
function judged(a: Answer, ok: number[], what: string): 'ok' | 'refused' {
  if (ok.includes(a.status)) return 'ok';
  expect(a.status, `${what}: ${a.status} ${a.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(a.status, `${what}: ${a.body.slice(0, 300)}`).toBeLessThan(500);
  const s = JSON.parse(a.body) as { kind?: string; status?: string; code?: number; message?: string };
  expect(s, what).toMatchObject({ kind: 'Status', status: 'Failure', code: a.status });
  expect(s.message?.length, what).toBeGreaterThan(0);
  if (a.category) refused[a.category] = (refused[a.category] ?? 0) + 1;
  return 'refused';
}

const alive = async () => expect((await t.request('GET', '/readyz')).status).toBe(200);
const OPTS = { seed: SEED, numRuns: RUNS };
const enc = encodeURIComponent;

/** strings as a fuzzer would try them: any unicode, raw bytes, and tokens of the grammar being attacked */
const nasty = (tokens: string[]) =>
  fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.array(fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 4 })), { maxLength: 12 }).map((xs) => xs.join('')),
  );

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const podWith = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox', ...extra }], volumes: [{ name: 'v', emptyDir: {} }] },
});

beforeAll(async () => {
  t = await startApi();
  const cm = await t.request(
    'POST',
    `${NS}/configmaps`,
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', labels: { app: 'x' } }, data: { a: '1' } }),
  );
  expect(cm.status, cm.body).toBe(201);
  const pod = await t.request('POST', `${NS}/pods`, JSON.stringify(podWith('target-pod')));
  expect(pod.status, pod.body).toBe(201);
});

afterAll(async () => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const refusedTotal = Object.values(refused).reduce((a, b) => a + b, 0);
  const figures = {
    seed: SEED,
    runsPerProperty: RUNS,
    inputs: total,
    refusedWith4xxStatus: refusedTotal,
    byCategory: counts,
    refusedByCategory: refused,
    serverErrors,
  };
  console.log(
    `reliability: fuzzed API inputs: ${total}, refused with a 4xx Status: ${refusedTotal} (${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}/${refused[k] ?? 0} refused`)
      .join(', ')}), answers 5xx: ${serverErrors}`,
  );
  const dir = join(import.meta.dirname, '..', '..', 'test-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'reliability-fuzz.json'), JSON.stringify(figures, null, 2) + '\n');
  await t?.stop();
});

describe('fuzzed input at the real API server', () => {
  it('bodies: any JSON or bytes as a create is a 201 or a 4xx Status, and a refused create stores nothing', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            apiVersion: fc.oneof(fc.constant('v1'), fc.string({ maxLength: 10 })),
            kind: fc.oneof(fc.constant('ConfigMap'), fc.string({ maxLength: 10 })),
            metadata: fc.oneof(fc.record({ name: fc.stringMatching(/^fz-[a-z0-9]{1,8}$/) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 })),
            data: fc.jsonValue({ maxDepth: 3 }),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const a = await send('bodies', 'POST', `${NS}/configmaps`, b);
        const name = (() => {
          try {
            return (JSON.parse(b) as { metadata?: { name?: unknown } })?.metadata?.name;
          } catch {
            return undefined;
          }
        })();
        if (judged(a, [201], `body ${b.slice(0, 120)}`) === 'ok') {
          const made = JSON.parse(a.body) as { kind: string; data?: Record<string, unknown> };
          expect(made.kind).toBe('ConfigMap');
          expect(Object.values(made.data ?? {}).every((v) => typeof v === 'string')).toBe(true);
          await t.request('DELETE', `${NS}/configmaps/${enc((JSON.parse(a.body) as { metadata: { name: string } }).metadata.name)}`);
        } else if (typeof name === 'string' && DNS1123.test(name) && a.status !== 409) {
          expect((await t.request('GET', `${NS}/configmaps/${name}`)).status, `refused ${b.slice(0, 120)} left an object`).toBe(404);
        }
      }),
      OPTS,
    );
    await alive();
  });

  it('names: only a DNS-1123 subdomain of at most 253 characters is created; any name in a path is a 4xx at worst', async () => {
    await fc.assert(
      fc.asyncProperty(nasty(['a', 'z', '0', '-', '.', '..', '/', '%2F', '%00', 'A', '_', ' ', '\u00e9', 'x'.repeat(60)]), async (name) => {
        const a = await send('names', 'POST', `${NS}/configmaps`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }));
        const valid = name.length <= 253 && DNS1123.test(name) && name !== 'target';
        if (valid) expect(a.status, `${JSON.stringify(name)}: ${a.body.slice(0, 200)}`).toBe(201);
        else judged(a, [], `name ${JSON.stringify(name)}`);
        const g = await send('names', 'GET', `${NS}/configmaps/${enc(name)}`);
        judged(g, [200, 404], `GET ${JSON.stringify(name)}`);
        if (valid) await t.request('DELETE', `${NS}/configmaps/${enc(name)}`);
      }),
      OPTS,
    );
    await alive();
  });

  it('label selectors: 200 or 400', async () => {
    await fc.assert(
      fc.asyncProperty(nasty(['app', '=', '==', '!=', '!', ' in ', ' notin ', '(', ')', ',', 'x', 'a/b', '-', '.', ' ', '>', '<', '1']), async (sel) => {
        judged(await send('labelSelectors', 'GET', `${NS}/configmaps?labelSelector=${enc(sel)}`), [200], `labelSelector ${JSON.stringify(sel)}`);
      }),
      OPTS,
    );
    await alive();
  });

  it('field selectors: 200 or 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        nasty(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'bogus', '=', '==', '!=', ',', 'target', '\\', ' ']),
        async (sel) => {
          judged(await send('fieldSelectors', 'GET', `${NS}/pods?fieldSelector=${enc(sel)}`), [200], `fieldSelector ${JSON.stringify(sel)}`);
        },
      ),
      OPTS,
    );
    await alive();
  });

  it("subPaths: an absolute one or one with a '..' segment is a 422 on its field, never stored", async () => {
    let i = 0;
    // paths made of segments ('..', '.', names, empty ones), with or without a leading '/', and anything else
    const segments = fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom('..', '.', 'a', 'b', '', '...', '..a'), { minLength: 1, maxLength: 5 }))
      .map(([abs, xs]) => `${abs ? '/' : ''}${xs.join('/')}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(segments, nasty(['..', '.', '/', 'a', 'b', '../', '/etc', '\\', '~', '%2e%2e', '\u0000'])), async (subPath) => {
        const name = `sp-${SEED}-${i++}`;
        const a = await send('subPaths', 'POST', `${NS}/pods`, JSON.stringify(podWith(name, { volumeMounts: [{ name: 'v', mountPath: '/m', subPath }] })));
        const escapes = subPath.startsWith('/') || subPath.split('/').includes('..');
        if (judged(a, [201], `subPath ${JSON.stringify(subPath)}`) === 'ok') {
          expect(escapes, `subPath ${JSON.stringify(subPath)} was accepted`).toBe(false);
          await t.request('DELETE', `${NS}/pods/${name}?gracePeriodSeconds=0`);
        } else {
          if (escapes) expect(a.body).toContain('spec.containers[0].volumeMounts[0].subPath');
          expect((await t.request('GET', `${NS}/pods/${name}`)).status).toBe(404);
        }
      }),
      OPTS,
    );
    await alive();
  });

  const patchTarget = async (category: string, type: string, path: string, patch: string, check: (obj: Record<string, unknown>) => void) => {
    const before = (await t.request('GET', path)).body;
    const a = await send(category, 'PATCH', path, patch, type);
    const after = await t.request('GET', path);
    expect(after.status).toBe(200);
    if (judged(a, [200], `${type} ${patch.slice(0, 160)}`) === 'refused') expect(after.body, `a refused ${type} changed the object`).toBe(before);
    check(JSON.parse(after.body) as Record<string, unknown>);
  };
  const configMapWhole = (o: Record<string, unknown>) => {
    expect(o).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'target', namespace: 'default' } });
    expect(Object.values((o.data as Record<string, unknown> | undefined) ?? {}).every((v) => typeof v === 'string')).toBe(true);
  };
  const podWhole = (o: Record<string, unknown>) => {
    expect(o).toMatchObject({ kind: 'Pod', metadata: { name: 'target-pod' } });
    const containers = (o.spec as { containers?: { name?: unknown; image?: unknown }[] }).containers ?? [];
    // the image may be changed by a patch (it is the one mutable field of a container), never emptied or retyped
    expect(containers.map((c) => [c.name, typeof c.image === 'string' && c.image.length > 0])).toEqual([['c', true]]);
  };
  const jsonPatchOp = fc.record(
    {
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
      path: fc.oneof(
        fc.constantFrom(
          '/data/a',
          '/data/b',
          '/data',
          '/metadata/name',
          '/metadata/labels/app',
          '/kind',
          '/',
          '',
          '/data/-',
          '/metadata/uid',
          '/spec/containers/0/image',
          '/spec/containers/-',
        ),
        fc.string({ maxLength: 12 }),
      ),
      from: fc.constantFrom('/data/a', '/metadata', '/nope'),
      value: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['op', 'path'] },
  );

  it('JSON patches: 200 or a 4xx Status; a refused one changes nothing, an accepted one leaves a whole object', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(jsonPatchOp, { maxLength: 4 }).map((ops) => JSON.stringify(ops)),
          fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        ),
        async (patch) => {
          await patchTarget('jsonPatches', 'application/json-patch+json', `${NS}/configmaps/target`, patch, configMapWhole);
          await patchTarget('jsonPatches', 'application/json-patch+json', `${NS}/pods/target-pod`, patch, podWhole);
        },
      ),
      OPTS,
    );
    await alive();
  });

  const mergeDoc = fc
    .oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record(
        {
          metadata: fc.oneof(
            fc.record({ labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer())) }),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          data: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })), fc.jsonValue({ maxDepth: 2 })),
          spec: fc.oneof(
            fc.record({
              containers: fc.array(
                fc.record(
                  { name: fc.constantFrom('c', 'd'), image: fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)) },
                  { requiredKeys: [] },
                ),
                { maxLength: 2 },
              ),
            }),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          $patch: fc.constantFrom('delete', 'replace', 'merge', 'bogus'),
        },
        { requiredKeys: [] },
      ),
    )
    .map((v) => JSON.stringify(v));

  for (const [category, type] of [
    ['mergePatches', 'application/merge-patch+json'],
    ['strategicPatches', 'application/strategic-merge-patch+json'],
  ] as const) {
    it(`${type}: 200 or a 4xx Status; a refused one changes nothing, an accepted one leaves a whole object`, async () => {
      await fc.assert(
        fc.asyncProperty(mergeDoc, async (patch) => {
          await patchTarget(category, type, `${NS}/configmaps/target`, patch, configMapWhole);
          await patchTarget(category, type, `${NS}/pods/target-pod`, patch, podWhole);
        }),
        OPTS,
      );
      await alive();
    });
  }

  it('answered every input without a 5xx', () => {
    expect(serverErrors).toBe(0);
  });
});
