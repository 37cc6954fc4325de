// Accessibility and the keyboard, in Chromium against `kubelab serve` (real Docker): axe-core finds no serious or
// critical violation on any main view in either theme, and every view is reached without a mouse.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let lab: Serve;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ui: LabPage;
const poll = { timeout: 90_000, interval: 250 };

interface AxeResult {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe's serious and critical violations on the page as it is now, one line each (rule, help, the first elements). */
async function violations(): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const r = await (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return r.violations as AxeResult[];
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} -> ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

beforeAll(async () => {
  lab = await startServe();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  // the UI's strict CSP refuses injected scripts: axe is a test tool, so only this context bypasses it
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', bypassCSP: true });
  page = await context.newPage();
  ui = new LabPage(page);
  await ui.open(lab.ui);
  await page.locator('[data-testid=cluster-phase][data-status=Running]').waitFor({ timeout: poll.timeout });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'a11y', namespace: 'default', labels: { 'kubelab-test': 'a11y' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'box', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo hello; sleep 3600'] }],
    },
  };
  const r = await lab.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  if (r.code !== 0) throw new Error(r.stderr);
  await lab.kubectl(['create', 'deployment', 'a11y-web', '--image=busybox', '--replicas=0']);
  await lab.kubectl(['create', 'configmap', 'a11y-cfg', '--from-literal=k=v']);
  await lab.kubectl(['wait', '--for=condition=Ready', 'pod/a11y', '--timeout=90s']);
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'pod/a11y', 'deployment/a11y-web', 'configmap/a11y-cfg', '--wait=false']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-a11y-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

const node = () => lab.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).then((r) => r.stdout);
const views: [string, () => Promise<string>, string][] = [
  ['overview', async () => '#/', '[data-testid=nodes-manager]'],
  ['pods', async () => '#/r/pods', '[data-testid=row][data-name=a11y]'],
  ['pod', async () => '#/r/pods/default/a11y', '.tabs'],
  ['pod logs', async () => '#/r/pods/default/a11y/logs', '[data-testid=log-line]'],
  ['pod yaml', async () => '#/r/pods/default/a11y/yaml', '[data-testid=object-yaml] .cm-content'],
  ['deployment', async () => '#/r/deployments/default/a11y-web', '[data-testid=deploy-restart]'],
  ['nodes', async () => '#/r/nodes', '[data-testid=row]'],
  ['node', async () => `#/r/nodes/${await node()}`, '[data-testid=node-status]'],
  ['create', async () => '#/create', '[data-testid=yaml-editor] .cm-content'],
  ['a kind from discovery', async () => '#/r/clusterroles', '[data-testid=row][data-name=cluster-admin]'],
  ['a ConfigMap', async () => '#/r/configmaps/default/a11y-cfg', '[data-testid=configmap-data]'],
];

describe.each(['light', 'dark'] as const)('axe in the %s theme', (theme) => {
  beforeAll(async () => {
    await page.emulateMedia({ colorScheme: theme });
    await page.evaluate((th) => (globalThis as any).localStorage.setItem('kubelab.theme', th), theme);
    await page.reload();
    await page.locator('nav[aria-label=Main]').waitFor();
    await page.waitForFunction((th) => (globalThis as any).document.documentElement.dataset.theme === th, theme);
  });
  it.each(views)('%s: no serious or critical violation', async (name, hash, ready) => {
    await ui.go(await hash());
    await page.locator(ready).first().waitFor({ timeout: poll.timeout });
    expect(await violations()).toEqual([]);
    if (name === 'pods' || name === 'pod yaml') await ui.shot(`a11y-${theme}-${name.replace(/\W+/g, '-')}`);
  });
  it('the command palette: no serious or critical violation', async () => {
    await page.keyboard.press('Control+k');
    await page.locator('[data-testid=palette]').waitFor();
    expect(await violations()).toEqual([]);
    await page.keyboard.press('Escape');
  });
});

describe('the keyboard alone', () => {
  const hash = () => page.evaluate(() => (globalThis as any).location.hash as string);
  it('reaches every view: skip link, g + letter, rows by arrows and Enter, the palette listing the shortcuts', async () => {
    await ui.go('#/');
    await page.reload();
    await page.locator('[data-testid=nodes-manager]').waitFor();
    // the first Tab of a fresh page: the skip link
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.testid)).toBe('skip-to-content');
    // g p: the Pods list; the rows: arrows move, Enter opens
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('MAIN');
    await page.keyboard.press('g');
    await page.keyboard.press('p');
    await expect.poll(hash, poll).toBe('#/r/pods');
    await ui.row('a11y').waitFor();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.testid)).toBe('list-search');
    await page.keyboard.type('a11y');
    // from the filter, Down goes to the first row
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.name)).toBe('a11y');
    await ui.shot('keyboard-row-focus');
    await page.keyboard.press('Enter');
    await expect.poll(hash, poll).toBe('#/r/pods/default/a11y');
    // the palette lists each view with its shortcut, and jumps to any kind from discovery
    await page.keyboard.press('Control+k');
    await page.locator('[data-testid=palette-input]').fill('pods');
    const podsView = page.locator('[data-testid=palette-item][data-section=view]', { hasText: 'Pods' }).first();
    expect(await podsView.locator('[data-testid=palette-shortcut]').innerText()).toBe('G P');
    await ui.shot('keyboard-palette');
    await page.locator('[data-testid=palette-input]').fill('leases');
    await page.keyboard.press('Enter');
    await expect.poll(hash, poll).toBe('#/r/leases');
  });
});
