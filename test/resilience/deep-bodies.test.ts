// Deeply nested bodies through every write path (POST, PUT, all patch types, server-side apply as YAML)
// into a field that keeps arbitrary JSON: each answer is a Status, never a 500, and the server keeps serving.
// A 100k-deep flow sequence in YAML once took the whole process down (the parser ran out of memory).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type Serve } from '../fixtures/serve';

let serve: Serve;
let ca: string;

function call(method: string, path: string, body: string, contentType: string): Promise<{ status: number; body: string }> {
  const url = new URL(serve.api);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method,
        ca,
        headers: {
          authorization: `Bearer ${serve.adminToken()}`,
          accept: 'application/json',
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const base = '/apis/apps/v1/namespaces/default/controllerrevisions';
const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
const revision = (data: string) => `{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"deep"},"revision":1,"data":{"x":${data}}}`;

beforeAll(async () => {
  serve = await startServe({ virtualNodes: 1 });
  const kc = parse(readFileSync(serve.kubeconfig, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[] };
  ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');
  const created = await call('POST', base, revision('1'), 'application/json');
  expect(created.status, created.body).toBe(201);
});

afterAll(async () => {
  await serve?.stop();
});

describe('deeply nested bodies', () => {
  it.each([900, 2000, 5000, 100_000])('depth %i: every write path answers a Status below 500', async (depth) => {
    const writes: [string, string, string, string][] = [
      ['POST', base, revision(nest(depth)), 'application/json'],
      ['PUT', `${base}/deep`, revision(nest(depth)), 'application/json'],
      ['PATCH', `${base}/deep`, `{"data":{"x":${nest(depth)}}}`, 'application/merge-patch+json'],
      ['PATCH', `${base}/deep`, `{"data":{"x":${nest(depth)}}}`, 'application/strategic-merge-patch+json'],
      ['PATCH', `${base}/deep`, `[{"op":"add","path":"/data/y","value":${nest(depth)}}]`, 'application/json-patch+json'],
      ['PATCH', `${base}/deep?fieldManager=t&force=true`, revision(nest(depth)), 'application/apply-patch+yaml'],
    ];
    for (const [method, path, body, type] of writes) {
      const a = await call(method, path, body, type);
      const what = `${method} ${type} depth ${depth}: ${a.status} ${a.body.slice(0, 200)}`;
      // a shallow enough body may be taken as it is; anything else is refused with a Status
      if (a.status < 300) continue;
      expect(a.status, what).toBeGreaterThanOrEqual(400);
      expect(a.status, what).toBeLessThan(500);
      expect(JSON.parse(a.body).kind, what).toBe('Status');
    }
    const ready = await call('GET', '/readyz', '', 'text/plain');
    expect(ready.status).toBe(200);
  });

  it('a YAML mapping nested by indentation is refused or taken, never a crash', async () => {
    let yamlText = 'apiVersion: apps/v1\nkind: ControllerRevision\nmetadata:\n  name: deep\nrevision: 1\ndata:\n';
    for (let i = 1; i <= 1200; i++) yamlText += `${'  '.repeat(i)}a:\n`;
    yamlText += `${'  '.repeat(1201)}1\n`;
    const a = await call('PATCH', `${base}/deep?fieldManager=t&force=true`, yamlText, 'application/apply-patch+yaml');
    expect(a.status === 200 || (a.status >= 400 && a.status < 500), `${a.status} ${a.body.slice(0, 200)}`).toBe(true);
    expect((await call('GET', '/readyz', '', 'text/plain')).status).toBe(200);
  });
});
