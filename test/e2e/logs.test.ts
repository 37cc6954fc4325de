// Logs of a whole workload in one stream, in Chromium against `kubelab serve` on the real Docker engine: every pod and
// container of a Deployment, each line tagged `[pod/NAME/CONTAINER]` in its source's colour, ANSI colours rendered,
// search highlighting, and the kubectl command that does the same.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const poll = { timeout: 90_000, interval: 250 };

// two containers per pod, each printing a red word (SGR 31) and its own name once a second
const talk = (name: string) => ({
  name,
  image: images.busybox,
  imagePullPolicy: 'IfNotPresent',
  command: ['sh', '-c', `i=0; while true; do i=$((i+1)); printf '\\033[31mred\\033[0m ${name} line %s\\n' $i; sleep 1; done`],
});
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'chatty', namespace: 'default', labels: { 'kubelab-test': 'logs' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'chatty' } },
    template: { metadata: { labels: { app: 'chatty' } }, spec: { terminationGracePeriodSeconds: 1, containers: [talk('left'), talk('right')] } },
  },
};

beforeAll(async () => {
  lab = await startServe();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'dark' });
  page = await context.newPage();
  ui = new LabPage(page);
  await ui.open(lab.ui);
  await page.locator('[data-testid=cluster-phase][data-status=Running]').waitFor({ timeout: poll.timeout });
  const r = await lab.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) });
  if (r.code !== 0) throw new Error(r.stderr);
  await lab.kubectl(['rollout', 'status', 'deployment/chatty', '--timeout=90s']);
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'deployment', 'chatty', '--wait=true', '--timeout=60s']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-logs-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('logs of a workload', () => {
  it('every pod and container of a Deployment in one stream, tagged and coloured, ANSI rendered, searchable', async () => {
    const pods = (await lab.kubectl(['get', 'pods', '-l', 'app=chatty', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(' ').filter(Boolean);
    expect(pods).toHaveLength(2);
    await ui.go('#/r/deployments/default/chatty');
    await page.locator('[data-testid=deploy-logs]').click();
    const pane = page.locator('[data-dock-pane][data-active=true]');
    await expect.poll(() => pane.locator('[data-testid=log-selector]').innerText(), poll).toContain('app=chatty');
    // every source shows up, each in its own colour
    const tags = async () => new Set((await pane.locator('[data-testid=log-source]').allInnerTexts()).map((x) => x.trim()));
    for (const p of pods) for (const c of ['left', 'right']) await expect.poll(async () => (await tags()).has(`[pod/${p}/${c}]`), poll).toBe(true);
    const colors = await pane.locator('[data-testid=log-source]').evaluateAll((els) => [...new Set(els.map((e) => (e as any).style.color as string))]);
    expect(colors.length).toBeGreaterThanOrEqual(4);
    // the escape sequences are colours, not text
    const red = pane.locator('.ansi-red-fg', { hasText: 'red' }).first();
    await red.waitFor();
    expect(await pane.locator('[data-testid=log-lines]').innerText()).not.toContain('[31m');
    await expect
      .poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll)
      .toContain('kubectl logs -l app=chatty --all-containers --prefix -f');
    await pane.locator('[data-testid=log-search]').fill('right line 2');
    await expect.poll(() => pane.locator('[data-testid=log-match-pos]').innerText(), poll).toMatch(/of [1-9]/);
    expect(await pane.locator('mark').first().innerText()).toBe('right line 2');
    await ui.shot('logs-workload');
    // one container of every pod
    await pane.locator('[data-testid=log-search]').fill('');
    await pane.locator('[data-testid=log-container]').selectOption('left');
    await expect.poll(async () => [...(await tags())].every((x) => x.endsWith('/left]')) && (await tags()).size === 2, poll).toBe(true);
  });

  it("a pod's containers together: All containers in the pod's logs", async () => {
    const pod = (await lab.kubectl(['get', 'pods', '-l', 'app=chatty', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    await ui.go(`#/r/pods/default/${pod}/logs`);
    const pane = page.locator('.page [data-testid=log-lines]').locator('..').locator('..');
    await page.locator('.page [data-testid=log-container]').selectOption('*');
    const tags = async () => new Set((await pane.locator('[data-testid=log-source]').allInnerTexts()).map((x) => x.trim()));
    await expect.poll(async () => (await tags()).size, poll).toBe(2);
    await expect.poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll).toContain(`kubectl logs ${pod} --all-containers --prefix -f`);
    await ui.shot('logs-pod-all-containers');
  });
});
