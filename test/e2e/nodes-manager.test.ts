// The Overview's nodes panel, in Chromium against `kubelab serve` started on `default` only: the second Docker engine
// is listed as reachable and unused, "Add as node" makes it a Ready node on the overview, "Remove node" (confirmed,
// saying what happens to its pods) takes it out again, with no restart.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images, missingEnvHint, node2, node2Available } from '../fixtures/env';
import { LabPage } from './lab-page';

const N2 = node2.context;
let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const steps = labSteps(() => lab);
const poll = { timeout: 90_000, interval: 250 };
/** A context whose engine is not there, to show an unreachable one with its reason. */
const OFFLINE = { name: 'offline-engine', socket: '/run/kubelab-no-such-engine.sock' };
let dockerConfig = '';
const nodeNames = async () => (await steps.kubectl('get', 'nodes', '-o', 'name')).trim().split('\n').sort();

beforeAll(async () => {
  if (!node2Available()) throw new Error(`the second Docker engine (${node2.socket}, context ${N2}) does not answer: ${missingEnvHint}`);
  // the user's contexts plus one whose engine is not running, in a Docker config dir of the test's own
  dockerConfig = await mkdtemp(join(tmpdir(), 'kubelab-docker-config-'));
  await cp(join(homedir(), '.docker', 'contexts'), join(dockerConfig, 'contexts'), { recursive: true });
  const meta = join(dockerConfig, 'contexts', 'meta', createHash('sha256').update(OFFLINE.name).digest('hex'));
  await mkdir(meta, { recursive: true });
  await writeFile(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: OFFLINE.name, Metadata: {}, Endpoints: { docker: { Host: `unix://${OFFLINE.socket}`, SkipTLSVerify: false } } }),
  );
  lab = await startServe({ env: { DOCKER_CONFIG: dockerConfig } });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
});
afterAll(async () => {
  await browser?.close();
  await lab?.stop();
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-nodes-manager-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('nodes panel', () => {
  it('lists the Docker contexts: default serves the node, kubelab-node2 is reachable and can be added', async () => {
    const panel = page.locator('[data-testid=nodes-manager]');
    await panel.scrollIntoViewIfNeeded();
    await expect.poll(() => ui.contextRow('default').locator('[data-testid=context-node]').innerText(), poll).toBe('default');
    await expect.poll(() => ui.contextRow(N2).locator('[data-status]').getAttribute('data-status'), poll).toBe('reachable');
    expect(await ui.contextRow(N2).innerText()).toContain(`unix://${node2.socket}`);
    expect(await ui.contextRow(N2).locator('[data-testid=node-add]').isEnabled()).toBe(true);
    // an engine that is not running says why, and cannot be added
    await expect.poll(() => ui.contextRow(OFFLINE.name).locator('[data-status]').getAttribute('data-status'), poll).toBe('unreachable');
    expect(await ui.contextRow(OFFLINE.name).locator('[data-testid=context-reason]').innerText()).toBe(
      `no Docker engine at ${OFFLINE.socket} (socket not found)`,
    );
    expect(await ui.contextRow(OFFLINE.name).locator('[data-testid=node-add]').count()).toBe(0);
    // the only node cannot be removed
    expect(await ui.contextRow('default').locator('[data-testid=node-remove]').isDisabled()).toBe(true);
    await ui.shot('nodes-manager-one-node');
  });

  it('"Add as node" makes kubelab-node2 a Ready node on the overview, and pods can run there', async () => {
    await ui.contextRow(N2).locator('[data-testid=node-add]').click();
    await expect
      .poll(() => page.locator('[data-testid=toast]').allInnerTexts(), poll)
      .toEqual(expect.arrayContaining([expect.stringContaining(`Node ${N2} added`)]));
    await expect.poll(() => ui.contextRow(N2).locator('[data-testid=context-node]').innerText(), poll).toBe(N2);
    const card = page.locator(`.node[data-node="${N2}"]`);
    await expect.poll(() => card.locator('[data-status]').first().getAttribute('data-status'), poll).toBe('Ready');
    expect(await nodeNames()).toEqual(['node/default', `node/${N2}`]);

    await steps.kubectl(
      'run',
      'on-n2',
      `--image=${images.busybox}`,
      '--image-pull-policy=IfNotPresent',
      `--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"${N2}"}}}`,
      '--',
      'sleep',
      '3600',
    );
    await expect.poll(() => card.locator('.podchip').allInnerTexts(), poll).toEqual(['on-n2']);
    await page.locator('[data-testid=nodes-manager]').scrollIntoViewIfNeeded();
    await ui.shot('nodes-manager-two-nodes');
  });

  it('"Remove node" asks first, saying its pods are deleted, then the node and its pod are gone', async () => {
    await ui.contextRow(N2).locator('[data-testid=node-remove]').click();
    const dialog = page.locator('[role=dialog]');
    await expect.poll(() => dialog.innerText(), poll).toContain(`Remove node ${N2}?`);
    expect(await dialog.innerText()).toContain('Its pods (1) are deleted; controllers recreate theirs on the other nodes.');
    await ui.shot('nodes-manager-remove-confirm');
    await page.locator('[data-testid=confirm]').click();
    await expect.poll(() => page.locator(`.node[data-node="${N2}"]`).count(), poll).toBe(0);
    await expect.poll(() => ui.contextRow(N2).locator('[data-testid=node-add]').count(), poll).toBe(1);
    expect(await nodeNames()).toEqual(['node/default']);
    expect((await lab.kubectl(['get', 'pod', 'on-n2'])).stderr).toContain('pods "on-n2" not found');
  });

  it('speaks zh-CN', async () => {
    await page.locator('[data-testid=locale-picker]').selectOption('zh-CN');
    try {
      await expect.poll(() => ui.contextRow(N2).locator('[data-testid=node-add]').innerText(), poll).toBe('添加为节点');
      expect(await ui.contextRow(OFFLINE.name).locator('[data-status]').getAttribute('data-status')).toBe('无法连接');
      // the earlier toasts would cover the panel's right side
      await page.locator('[data-testid=toast-dismiss]').evaluateAll((els) => els.forEach((e) => (e as { click(): void }).click()));
      await expect.poll(() => page.locator('[data-testid=toast]').count(), poll).toBe(0);
      await page.locator('[data-testid=nodes-manager]').scrollIntoViewIfNeeded();
      await ui.shot('nodes-manager-zh-CN');
    } finally {
      await page.locator('[data-testid=locale-picker]').selectOption('en');
    }
  });
});
