import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { startUiServer, type UiServer } from '../../../main/cli/ui-server';
import { setLogSink } from '../../../main/log';

let root: string;
let ui: UiServer;
const token = 'ui-token-for-tests';

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ui.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  setLogSink(() => {});
  root = await mkdtemp(join(tmpdir(), 'kubelab-ui-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>kubelab</title><div id="app">kubelab</div>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  ui = await startUiServer({ token, root, port: 0 });
});
afterAll(async () => {
  await ui.close();
  await rm(root, { recursive: true, force: true });
});

describe('UI server', () => {
  it('refuses requests without the token', async () => {
    const r = await get('/');
    expect(r.status).toBe(401);
    expect(r.body).not.toContain('<div id="app">');
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
  });

  it('accepts ?token= once, sets an HttpOnly SameSite=Strict cookie, then serves by cookie', async () => {
    const first = await get(`/?token=${token}`);
    expect(first.status).toBe(200);
    expect(first.body).toContain('kubelab');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0];
    const asset = await get('/assets/app.js', { Cookie: cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    // client-side routes fall back to the page
    expect((await get('/workloads/pods', { Cookie: cookie })).body).toContain('id="app"');
    expect((await get('/assets/missing.js', { Cookie: cookie })).status).toBe(404);
  });

  it('gives the token for the bridge to its own pages only (GET /ui-token)', async () => {
    const cookie = String((await get(`/?token=${token}`)).headers['set-cookie']).split(';')[0];
    const own = `127.0.0.1:${ui.port}`;
    const mine = await get('/ui-token', { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin', Host: own });
    expect(mine.status).toBe(200);
    expect(JSON.parse(mine.body)).toEqual({ token });
    expect(mine.headers['cache-control']).toBe('no-store');
    expect(mine.headers['access-control-allow-origin']).toBeUndefined();
    // a pod's page on another 127.0.0.1 port is same-site: its requests carry the cookie, but it is refused
    expect((await get('/ui-token', { Cookie: cookie, 'Sec-Fetch-Site': 'same-site', Host: own })).status).toBe(403);
    expect((await get('/ui-token', { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site', Host: own })).status).toBe(403);
    expect((await get('/ui-token', { Cookie: cookie, Origin: 'http://127.0.0.1:30080', Host: own })).status).toBe(403);
    expect((await get('/ui-token')).status).toBe(401);
  });

  it('sends a strict CSP and no-referrer', async () => {
    const r = await get(`/?token=${token}`);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['referrer-policy']).toBe('no-referrer');
  });

  it('refuses path traversal and foreign Host headers', async () => {
    expect((await get(`/..%2fkubelab-ui-secret.txt?token=${token}`)).status).toBe(403);
    expect((await get(`/?token=${token}`, { Host: 'evil.example:80' })).status).toBe(403);
  });

  it('answers 404 on /bridge until a handler is set, then hands upgrades to it', async () => {
    const attempt = (url: string) =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('open', () => (ws.close(), resolve('open')));
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => {});
      });
    expect(await attempt(`ws://127.0.0.1:${ui.port}/bridge`)).toBe(404);
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ noServer: true });
    const seen: string[] = [];
    ui.setBridgeHandler((req, socket, head) => {
      seen.push(req.url ?? '');
      wss.handleUpgrade(req, socket, head, () => {});
      return true;
    });
    expect(await attempt(`ws://127.0.0.1:${ui.port}/bridge`)).toBe('open');
    expect(await attempt(`ws://127.0.0.1:${ui.port}/other`)).toBe(404);
    // the cookie is not turned into a credential for the bridge
    expect(seen).toEqual(['/bridge']);
    ui.setBridgeHandler(undefined);
    wss.close();
  });
});
