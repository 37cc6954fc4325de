// Generated bad input against the real API server (`kubelab serve`): every answer is a 4xx `Status`,
// the server keeps serving, nothing half-written lands in the store (checked again after a restart),
// and of concurrent updates carrying the same resourceVersion exactly one wins.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type Serve } from '../fixtures/serve';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

let serve: Serve;
let ca: string;
let token: string;

function call(method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<Answer> {
  const url = new URL(serve.api);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        // sent as written: no client-side normalization of `..` or `%2F`
        path,
        method,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A refusal as upstream gives it: a 4xx carrying a `kind: Status` with a reason and the same code. */
function expectStatus(a: Answer, codes: number[]): void {
  expect(codes, `${a.status} ${a.body.slice(0, 300)}`).toContain(a.status);
  const status = JSON.parse(a.body) as { kind: string; status: string; code: number; message: string; reason?: string };
  expect(status.kind).toBe('Status');
  expect(status.status).toBe('Failure');
  expect(status.code).toBe(a.status);
  expect(status.message.length).toBeGreaterThan(0);
}

async function podNames(): Promise<string[]> {
  const a = await call('GET', '/api/v1/namespaces/default/pods');
  expect(a.status).toBe(200);
  return (JSON.parse(a.body) as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name).sort();
}

const pod = (name: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'kubelab-test/busybox:latest' }] }, ...extra });

function nested(depth: number): string {
  return '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"k":' + '['.repeat(depth) + ']'.repeat(depth) + '}}';
}

// A small deterministic generator, so a failure names an input that can be tried again.
function* mutations(seed: number): Generator<{ name: string; body: string }> {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const valid = pod('fuzz-ok');
  for (let i = 0; i < 40; i++) {
    const cut = Math.floor(rand() * valid.length);
    yield { name: `truncated at ${cut}`, body: valid.slice(0, cut) };
  }
  for (let i = 0; i < 20; i++) {
    const at = Math.floor(rand() * valid.length);
    const ch = String.fromCharCode(32 + Math.floor(rand() * 95));
    const body = valid.slice(0, at) + ch + valid.slice(at + 1);
    if (body !== valid) yield { name: `byte ${at} -> ${JSON.stringify(ch)}`, body };
  }
}

beforeAll(async () => {
  serve = await startServe({ virtualNodes: 1 });
  ca = (parse(readFileSync(serve.kubeconfig, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[] }).clusters[0].cluster[
    'certificate-authority-data'
  ];
  ca = Buffer.from(ca, 'base64').toString('utf8');
  token = serve.adminToken();
});

afterAll(async () => {
  await serve?.stop();
});

describe('bad input gets a Status, never a crash', () => {
  it('malformed JSON bodies: 400', async () => {
    for (const body of ['{', '[', 'null', '"a string"', '{"apiVersion":', '\u0000\u0001', '{"metadata":{"name":"x"}} trailing']) {
      expectStatus(await call('POST', '/api/v1/namespaces/default/pods', body), [400, 422]);
    }
  });

  it('malformed YAML in a server-side apply: 400', async () => {
    for (const body of ['a: [', 'metadata: {name: x', '\t- bad indent', ': :']) {
      expectStatus(await call('PATCH', '/api/v1/namespaces/default/pods/yaml-bad?fieldManager=t', body, 'application/apply-patch+yaml'), [400, 422]);
    }
  });

  it('wrong types in fields: 400 or 422 with the field path', async () => {
    const cases = [
      pod(42),
      pod(['a']),
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'types-1' }, spec: { containers: { name: 'c' } } }),
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'types-2', labels: { a: 5 } }, spec: { containers: [{ name: 'c', image: 'i' }] } }),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'types-3' },
        spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 'eighty' }] }] },
      }),
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'types-4' }, spec: 'nope' }),
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: 'nope', spec: {} }),
    ];
    for (const body of cases) expectStatus(await call('POST', '/api/v1/namespaces/default/pods', body), [400, 422]);
  });

  it('a body over the limit: 413', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'x'.repeat(4 * 1024 * 1024) } });
    expectStatus(await call('POST', '/api/v1/namespaces/default/configmaps', big), [413]);
  });

  it('deeply nested bodies: refused, server alive', async () => {
    for (const depth of [1000, 100_000]) {
      const a = await call('POST', '/api/v1/namespaces/default/configmaps', nested(depth));
      expectStatus(a, [400, 413, 422]);
    }
    expect((await call('GET', '/readyz')).status).toBe(200);
  });

  it('invalid names and path tricks: 4xx, never another object', async () => {
    const names = ['UPPER', 'a_b', '-lead', 'trail-', 'a'.repeat(254), '..', '.', 'a..b/../c', '%2e%2e', 'x%2Fy', 'x%00y', '%'];
    for (const n of names) {
      const a = await call('POST', '/api/v1/namespaces/default/pods', pod(decodeURIComponentSafe(n)));
      expectStatus(a, [400, 422]);
      const g = await call('GET', `/api/v1/namespaces/default/pods/${n}`);
      expect(g.status, `GET ${n}`).toBeGreaterThanOrEqual(400);
      expect(g.status).toBeLessThan(500);
      const d = await call('DELETE', `/api/v1/namespaces/${n}/pods/x`);
      expect(d.status, `DELETE ns ${n}`).toBeGreaterThanOrEqual(400);
      expect(d.status).toBeLessThan(500);
    }
  });

  it('invalid selectors: 400', async () => {
    for (const q of ['labelSelector=a%20in%20(', 'labelSelector=%3D%3D%3D', 'fieldSelector=spec.bogus%3Dx', 'fieldSelector=%3D', 'limit=abc']) {
      const a = await call('GET', `/api/v1/namespaces/default/pods?${q}`);
      try {
        expectStatus(a, [400, 422]);
      } catch (err) {
        throw new Error(`${q}: ${(err as Error).message}`);
      }
    }
  });

  it('bogus resourceVersions: 4xx', async () => {
    expectStatus(await call('GET', '/api/v1/namespaces/default/pods?watch=true&resourceVersion=abc'), [400, 410]);
    expectStatus(await call('GET', '/api/v1/namespaces/default/pods?resourceVersion=-5&resourceVersionMatch=Exact'), [400, 410, 422]);
    const created = await call(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv' }, data: { a: '1' } }),
    );
    expect(created.status).toBe(201);
    for (const rv of ['abc', '-1', '99999999999999999999', '1.5']) {
      const a = await call(
        'PUT',
        '/api/v1/namespaces/default/configmaps/rv',
        JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv', resourceVersion: rv }, data: { a: '2' } }),
      );
      expectStatus(a, [400]);
    }
  });

  it('generated mutations of a valid pod: each a 201 or a 4xx Status', async () => {
    const accepted: string[] = [];
    for (const m of mutations(7)) {
      const a = await call('POST', '/api/v1/namespaces/default/pods', m.body);
      if (a.status === 201) {
        accepted.push((JSON.parse(a.body) as { metadata: { name: string } }).metadata.name);
        await call('DELETE', `/api/v1/namespaces/default/pods/${(JSON.parse(a.body) as { metadata: { name: string } }).metadata.name}?gracePeriodSeconds=0`);
        continue;
      }
      try {
        expectStatus(a, [400, 404, 409, 413, 415, 422]);
      } catch (err) {
        throw new Error(`mutation "${m.name}": ${(err as Error).message}`);
      }
    }
    expect((await call('GET', '/readyz')).status).toBe(200);
  });
});

describe('concurrency and consistency', () => {
  it('concurrent updates with the same resourceVersion: exactly one wins', async () => {
    const created = await call(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'race' }, data: { v: '0' } }),
    );
    expect(created.status).toBe(201);
    const rv = (JSON.parse(created.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(
          'PUT',
          '/api/v1/namespaces/default/configmaps/race',
          JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'race', resourceVersion: rv }, data: { v: String(i + 1) } }),
        ),
      ),
    );
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expectStatus(a, [409]);
      expect(JSON.parse(a.body).reason).toBe('Conflict');
    }
    const now = JSON.parse((await call('GET', '/api/v1/namespaces/default/configmaps/race')).body) as { data: { v: string } };
    expect(now.data.v).toBe((JSON.parse(won[0].body) as { data: { v: string } }).data.v);
  });

  it('the store holds only what was acknowledged, also after a restart', async () => {
    const before = await podNames();
    // a refused create among accepted ones leaves nothing behind
    expectStatus(await call('POST', '/api/v1/namespaces/default/pods', pod('half', { spec: { containers: [{ name: 'c' }] } })), [422]);
    const ok = await call('POST', '/api/v1/namespaces/default/pods', pod('whole'));
    expect(ok.status).toBe(201);
    const after = await podNames();
    expect(after).toEqual([...before, 'whole'].sort());
    expect(after).not.toContain('half');

    const dataDir = serve.dataDir;
    await serve.stop({ keepDataDir: true });
    serve = await startServe({ dataDir, virtualNodes: 1 });
    token = serve.adminToken();
    expect(await podNames()).toEqual(after);
    const race = JSON.parse((await call('GET', '/api/v1/namespaces/default/configmaps/race')).body) as { data: { v: string } };
    expect(Number(race.data.v)).toBeGreaterThan(0);
  });
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
