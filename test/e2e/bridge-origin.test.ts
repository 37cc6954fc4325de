// A pod's page is on 127.0.0.1 too (NodePort, hostPort), on another port: same site as the UI, so the browser
// sends the UI's SameSite cookie with its requests. It must still not reach the bridge (window.kubelab over
// /bridge): Origin is checked strictly and the token has to come in the first frame, from a page the UI
// server served. The real UI keeps working, and its token leaves the address bar after the first load.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../fixtures/env';
import { startServe, type Serve } from '../fixtures/serve';

let lab: Serve;
let browser: Browser;
let evil: Server;
let evilPort = 0;

// What a hostile page does: open the bridge (the cookie goes along), try a guessed token and a bare invoke,
// and try to read the token endpoint. It reports what came back.
const evilPage = (uiPort: number) => `<!doctype html><meta charset="utf-8"><title>pod page</title><script>
const out = { frames: [], closes: [], token: 'not read' };
function tryBridge(first) {
  return new Promise((done) => {
    const ws = new WebSocket('ws://127.0.0.1:${uiPort}/bridge');
    ws.onopen = () => { if (first) ws.send(JSON.stringify(first)); ws.send(JSON.stringify({ t: 'invoke', n: 1, c: 'cluster:status', a: [] })); };
    ws.onmessage = (e) => out.frames.push(String(e.data).slice(0, 80));
    ws.onclose = (e) => { out.closes.push(e.code); done(); };
  });
}
(async () => {
  await tryBridge(undefined);
  await tryBridge({ t: 'auth', token: 'guess' });
  try { const r = await fetch('http://127.0.0.1:${uiPort}/ui-token', { credentials: 'include' }); out.token = 'read: ' + (await r.text()); }
  catch (e) { out.token = 'refused: ' + e.name; }
  try { const r = await fetch('http://127.0.0.1:${uiPort}/ui-token', { credentials: 'include', mode: 'no-cors' }); out.token += ' / opaque ' + r.type; }
  catch (e) { out.token += ' / refused: ' + e.name; }
  window.result = out;
})();
</script>`;

beforeAll(async () => {
  lab = await startServe({ env: { DOCKER_HOST: 'unix:///nonexistent/kubelab-no-docker.sock', DOCKER_CONTEXT: '' } });
  const uiPort = Number(new URL(lab.ui).port);
  evil = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(evilPage(uiPort));
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  evilPort = (evil.address() as AddressInfo).port;
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (evil ? evil.close(() => r()) : r()));
  await lab?.stop();
});

describe('the bridge from a page on another 127.0.0.1 port', () => {
  it('is refused even with the UI cookie set, while the UI in the same browser works and drops its token from the URL', async () => {
    const context = await browser.newContext();
    const ui = await context.newPage();
    await ui.goto(lab.ui);
    // the bridge answered the UI: the node list comes from the lab through window.kubelab
    await ui.getByText('virtual-node-1').first().waitFor({ timeout: 60_000 });
    expect(new URL(ui.url()).searchParams.has('token'), 'the token left the address bar').toBe(false);
    expect((await context.cookies()).map((c) => c.name)).toContain('kubelab_ui');

    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${evilPort}/`);
    const result = (await (await page.waitForFunction('window.result', undefined, { timeout: 30_000 })).jsonValue()) as {
      frames: string[];
      closes: number[];
      token: string;
    };
    expect(result.frames, 'no frame of the lab reached the page').toEqual([]);
    expect(result.closes).toHaveLength(2); // both handshakes refused (1006: no WebSocket was opened)
    // CORS keeps the response from the page (and Cross-Origin-Resource-Policy even an opaque one)
    expect(result.token).not.toContain('read:');
    expect(result.token).toMatch(/^refused: TypeError/);
    expect(lab.logs()).toMatch(/refused a bridge connection reason="?foreign origin/);

    // a new tab of the UI without the token in its URL gets it from the UI server (same origin) and works
    const again = await context.newPage();
    await again.goto(lab.uiBase);
    await again.getByText('virtual-node-1').first().waitFor({ timeout: 60_000 });
    await context.close();
  });
});
