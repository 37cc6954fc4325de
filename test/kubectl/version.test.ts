import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { request } from 'node:https';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startServe, type Serve } from '../fixtures/serve';

let lab: Serve;
beforeAll(async () => {
  lab = await startServe();
});
afterAll(async () => {
  const code = await lab?.stop();
  expect(code).toBe(0);
});

function get(url: string, headers: Record<string, string>, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, ca }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(2000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

describe('kubelab serve + kubectl version', () => {
  it('kubectl version shows the server version', async () => {
    const r = await lab.kubectl(['version']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Client Version: v1\.32\./m);
    expect(r.stdout).toMatch(/^Server Version: v1\.\d+\.\d+/m);
  });

  it('kubectl version -o json carries the server major/minor', async () => {
    const r = await lab.kubectl(['version', '-o', 'json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.serverVersion.major).toBe('1');
    expect(Number(v.serverVersion.minor)).toBeGreaterThanOrEqual(31);
  });

  it('refuses API requests without the token (401 Status) and with a wrong one', async () => {
    const ca = await readFile(join(lab.dataDir, 'pki', 'ca.crt'), 'utf8');
    const none = await get(`${lab.api}/api/v1/namespaces`, {}, ca);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const wrong = await get(`${lab.api}/api/v1/namespaces`, { Authorization: 'Bearer not-the-token' }, ca);
    expect(wrong.status).toBe(401);
    const ok = await get(`${lab.api}/api/v1/namespaces`, { Authorization: `Bearer ${lab.adminToken()}` }, ca);
    expect(ok.status).toBe(200);
    // public endpoints too: anonymous is fine, a token that does not authenticate is not
    expect((await get(`${lab.api}/version`, {}, ca)).status).toBe(200);
    expect((await get(`${lab.api}/version`, { Authorization: 'Bearer not-the-token' }, ca)).status).toBe(401);
    expect((await get(`${lab.api}/healthz`, { Authorization: 'Bearer not-the-token' }, ca)).status).toBe(401);
    const badKubectl = await lab.kubectl(['get', 'namespaces', '--token', 'not-the-token']);
    expect(badKubectl.code).not.toBe(0);
    expect(badKubectl.stderr).toMatch(/Unauthorized|must be logged in/);
  });

  it('serves HTTPS with a certificate kubectl verifies against the kubeconfig CA', async () => {
    const kc = await readFile(lab.kubeconfig, 'utf8');
    expect(kc).toContain('certificate-authority-data');
    expect(kc).not.toContain('insecure-skip-tls-verify');
    expect(lab.api).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('keeps the kubeconfig and keys private (0600)', async () => {
    expect((await stat(lab.kubeconfig)).mode & 0o777).toBe(0o600);
    expect((await stat(join(lab.dataDir, 'pki', 'apiserver.key'))).mode & 0o777).toBe(0o600);
  });

  it('registers the current Docker context as a Ready node before the ready line', async () => {
    const r = await lab.kubectl([
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toContain('default=True');
  });

  it('listens on 127.0.0.1 only', async () => {
    const port = Number(new URL(lab.api).port);
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const addr of others) expect(await canConnect(addr, port), addr).toBe(false);
  });
});

describe('kubelab serve without a reachable Docker engine', () => {
  // A second cold start in this file: under heavy parallel load one took over 50 s (module loading, new RSA keys),
  // so the test outlasts startServe's own 120 s ready limit and fails with its log rather than a bare timeout.
  it('still starts, on a virtual node, and says so in the log', { timeout: 240_000 }, async () => {
    // the first lab's PKI, so this one makes no new RSA keys (seconds each on a loaded machine)
    const dataDir = await mkdtemp(join(tmpdir(), 'kubelab-serve-'));
    await cp(join(lab.dataDir, 'pki'), join(dataDir, 'pki'), { recursive: true });
    const lab2 = await startServe({ dataDir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', DOCKER_CONTEXT: '' } });
    try {
      expect(lab2.logs()).toMatch(/no Docker engine at \/nonexistent\/docker\.sock/);
      expect(lab2.logs()).toMatch(/No reachable Docker engine .*: the lab runs on one virtual node/);
      const r = await lab2.kubectl(['version']);
      expect(r.stdout).toMatch(/^Server Version: /m);
      await expect
        .poll(async () => (await lab2.kubectl(['get', 'nodes', '--no-headers'])).stdout, { timeout: 60_000, interval: 500 })
        .toMatch(/^virtual-node-1\s+Ready\s/m);
    } finally {
      expect(await lab2.stop()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
