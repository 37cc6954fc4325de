// Resource usage charts (issue 16), in Chromium against `kubelab serve` with the real engine: a pod spinning on a
// 200m CPU limit draws a line near its limit on the pod page, memory beside it; the node page charts what the lab
// runs on the node against its allocatable; the same in Chinese.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const steps = labSteps(() => lab);
const poll = { timeout: 60_000, interval: 250 };

const busy = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'busy' },
  spec: {
    terminationGracePeriodSeconds: 1,
    nodeName: 'default',
    containers: [
      {
        name: 'spin',
        image: images.busybox,
        imagePullPolicy: 'IfNotPresent',
        command: ['sh', '-c', 'while :; do :; done'],
        resources: { limits: { cpu: '200m', memory: '64Mi' } },
      },
      {
        name: 'idle',
        image: images.busybox,
        imagePullPolicy: 'IfNotPresent',
        command: ['sleep', '3600'],
        resources: { limits: { cpu: '100m', memory: '32Mi' } },
      },
    ],
  },
});

/** The latest value a chart's legend shows for one line. */
const legend = async (chart: string, line: string) =>
  Number((await page.locator(`[data-testid=${chart}] [data-line="${line}"]`).getAttribute('data-value')) ?? NaN);
const points = async (chart: string) => Number((await page.locator(`[data-testid=${chart}]`).getAttribute('data-points')) ?? 0);

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], args: ['--metric-resolution', '1'], timeoutMs: 90_000 });
  const r = await lab.kubectl(['create', '-f', '-'], { input: busy });
  expect(r.code, r.stderr).toBe(0);
  await steps.kubectl('wait', '--for=condition=Ready', 'pod/busy', '--timeout=60s');
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-usage-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('usage charts', () => {
  it("the pod page charts CPU per container near the spinning one's 200m limit, and memory", async () => {
    await ui.go('#/r/pods/default/busy');
    await expect.poll(() => points('usage-cpu'), poll).toBeGreaterThanOrEqual(4);
    await expect.poll(() => legend('usage-cpu', 'spin'), poll).toBeGreaterThan(0.15);
    expect(await legend('usage-cpu', 'spin')).toBeLessThan(0.23);
    expect(await legend('usage-cpu', 'idle')).toBeLessThan(0.01);
    expect(await legend('usage-memory', 'spin')).toBeGreaterThan(0);
    const cpuCaption = await page.locator('[data-testid=usage-cpu] figcaption').innerText();
    expect(cpuCaption).toMatch(/spin\s+\d+m/);
    expect(cpuCaption).toContain('limit 300m');
    expect(await page.locator('[data-testid=usage-memory] figcaption').innerText()).toContain('limit 96Mi');
    // kubectl top says the same
    const top = await steps.kubectl('top', 'pod', 'busy', '--containers', '--no-headers');
    expect(Number(/spin\s+(\d+)m/.exec(top)?.[1])).toBeGreaterThan(150);
    // the chart keeps drawing: more points arrive while the page stays open
    const n = await points('usage-cpu');
    await expect.poll(() => points('usage-cpu'), poll).toBeGreaterThan(n);
    expect(await page.locator('[data-testid=usage-cpu] canvas').count()).toBe(1);
    await ui.shot('usage-pod');
  });

  it('the node page charts the node against its allocatable', async () => {
    await ui.openNode('default');
    await expect.poll(() => points('usage-cpu'), poll).toBeGreaterThanOrEqual(2);
    await expect.poll(() => legend('usage-cpu', 'total'), poll).toBeGreaterThan(0.15);
    expect(await page.locator('[data-testid=usage-cpu] figcaption').innerText()).toMatch(/allocatable \d/);
    await ui.shot('usage-node');
  });

  it('speaks Chinese', async () => {
    const zh = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    try {
      await zh.goto(lab.ui.replace('?', '?lang=zh-CN&') + '#/r/pods/default/busy');
      await zh.locator('[data-testid=usage-cpu]').waitFor();
      expect(await zh.locator('[data-testid=usage]').innerText()).toContain('资源用量');
      await new LabPage(zh).shot('usage-pod-zh');
    } finally {
      await zh.close();
    }
  });
});
