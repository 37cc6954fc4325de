// Port-forward from the UI (issue 16), in Chromium against `kubelab serve` with the real engine: forward a
// Deployment's, a Service's and a Pod's port to 127.0.0.1, reach nginx through each, see them listed with their
// pod, connections and bytes, follow a new pod when the old one is deleted, stop one, and all end with the lab.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const steps = labSteps(() => lab);
const poll = { timeout: 90_000, interval: 250 };

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: 15_000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** A port that was free a moment ago, for the "type a local port" case. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const readyPods = async (app: string): Promise<string[]> => {
  const list = await steps.json('get', 'pods', '-l', `app=${app}`);
  return list.items
    .filter((p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((p: any) => p.metadata.name as string);
};

/** What the forwards page shows for a forward, by its local port. */
async function row(localPort: number) {
  const r = page.locator(`[data-testid=port-forward-row][data-local-port="${localPort}"]`);
  if (!(await r.count())) return undefined;
  const attr = async (n: string) => (await r.getAttribute(n)) ?? '';
  return {
    pod: await attr('data-pod'),
    state: await attr('data-state'),
    total: Number(await attr('data-total')),
    bytesIn: Number(await attr('data-bytes-in')),
    bytesOut: Number(await attr('data-bytes-out')),
    errors: Number(await attr('data-errors')),
  };
}

/** Opens the Port forward panel on the page in view, starts one, and returns its local port from the panel's list. */
async function startForward(opts: { port?: string; local?: number } = {}): Promise<number> {
  await page.locator('[data-testid=port-forward-toggle]').click();
  const panel = page.locator('[data-testid=port-forward-panel]');
  await panel.waitFor();
  const before = await panel.locator('[data-testid=port-forward-item]').count();
  if (opts.port) await panel.locator('[data-testid=port-forward-port]').selectOption(opts.port);
  if (opts.local) await panel.locator('[data-testid=port-forward-local]').fill(String(opts.local));
  await panel.locator('[data-testid=port-forward-start]').click();
  await expect.poll(() => panel.locator('[data-testid=port-forward-item]').count(), poll).toBe(before + 1);
  return Number(await panel.locator('[data-testid=port-forward-item]').last().getAttribute('data-local-port'));
}

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], timeoutMs: 90_000 });
  await steps.kubectl('create', 'deployment', 'web', `--image=${images.nginx}`, '--replicas=1', '--port=80');
  await steps.kubectl('expose', 'deployment', 'web', '--port=8080', '--target-port=80');
  await steps.eventually(async () => (await readyPods('web')).length === 1, 90_000, 'deployment web ready');
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-port-forward-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('port-forward from the UI', () => {
  let deployPort = 0;
  let firstPod = '';

  it('forwards a Deployment port to a free 127.0.0.1 port, shows the kubectl equivalent, and nginx answers through it', async () => {
    firstPod = (await readyPods('web'))[0];
    await ui.go('#/r/deployments/default/web');
    await page.locator('[data-testid=port-forward-toggle]').waitFor();
    deployPort = await startForward();
    expect(deployPort).toBeGreaterThan(1024);
    await expect
      .poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll)
      .toContain(`kubectl port-forward deployment/web ${deployPort}:80`);
    const r = await httpGet(deployPort);
    expect(r.status).toBe(200);
    expect(r.body).toContain('Welcome to nginx!');
    const item = page.locator(`[data-testid=port-forward-item][data-local-port="${deployPort}"]`);
    expect(await item.innerText()).toContain(firstPod);
    expect(await item.locator('[data-testid=port-forward-open]').getAttribute('href')).toBe(`http://127.0.0.1:${deployPort}`);
    await ui.shot('port-forward-panel');
  });

  it('lists the forward with its pod, connections and bytes', async () => {
    await ui.go('#/port-forwards');
    await expect.poll(async () => (await row(deployPort))?.pod, poll).toBe(firstPod);
    await expect.poll(async () => (await row(deployPort))?.bytesIn ?? 0, poll).toBeGreaterThan(500);
    const r = (await row(deployPort))!;
    expect(r).toMatchObject({ state: 'Active', total: 1, errors: 0 });
    expect(r.bytesOut).toBeGreaterThan(20); // the GET request
    expect(await page.locator('[data-testid=port-forwards]').innerText()).toContain(`kubectl port-forward deployment/web ${deployPort}:80`);
    await ui.shot('port-forwards-list');
  });

  it('follows the Deployment to its new pod when the pod it used is deleted', async () => {
    await steps.kubectl('delete', 'pod', firstPod, '--wait=false');
    const next = await steps.eventually(async () => (await readyPods('web')).find((p) => p !== firstPod), 90_000, 'a replacement pod ready');
    await expect.poll(async () => (await row(deployPort))?.pod, poll).toBe(next);
    expect((await row(deployPort))!).toMatchObject({ state: 'Active', errors: 0 });
    const r = await httpGet(deployPort);
    expect(r.body).toContain('Welcome to nginx!');
    await expect.poll(async () => (await row(deployPort))?.total, poll).toBe(2);
    await ui.shot('port-forwards-followed');
  });

  it('forwards a Service port to a local port the user typed, through to its targetPort', async () => {
    const wanted = await freePort();
    await ui.go('#/r/services/default/web');
    await page.locator('[data-testid=service-detail]').waitFor();
    const got = await startForward({ port: '8080', local: wanted });
    expect(got).toBe(wanted);
    await expect.poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll).toContain(`kubectl port-forward svc/web ${wanted}:8080`);
    expect((await httpGet(wanted)).body).toContain('Welcome to nginx!');
    // a port already taken is refused with the reason, not a crash
    await page.locator('[data-testid=port-forward-local]').fill(String(wanted));
    await page.locator('[data-testid=port-forward-start]').click();
    await expect.poll(() => page.locator('[data-testid=toast]').last().innerText(), poll).toContain(`unable to listen on port ${wanted}`);
  });

  it('forwards a Pod port from the pod page, and Stop ends it (the port refuses)', async () => {
    const pod = (await readyPods('web'))[0];
    await ui.go(`#/r/pods/default/${pod}`);
    await page.locator('[data-testid=port-forward-toggle]').waitFor();
    const port = await startForward();
    expect((await httpGet(port)).body).toContain('Welcome to nginx!');
    await expect.poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll).toContain(`kubectl port-forward pod/${pod} ${port}:80`);
    await ui.go('#/port-forwards');
    await expect.poll(() => page.locator('[data-testid=port-forward-row]').count(), poll).toBe(3);
    await page.locator(`[data-testid=port-forward-row][data-local-port="${port}"] [data-testid=port-forward-stop]`).click();
    await expect.poll(() => page.locator('[data-testid=port-forward-row]').count(), poll).toBe(2);
    await expect(httpGet(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('ends every forward with the lab', async () => {
    expect((await httpGet(deployPort)).status).toBe(200);
    await lab.stop();
    await expect(httpGet(deployPort)).rejects.toThrow(/ECONNREFUSED/);
  });
});
