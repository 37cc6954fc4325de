// Reset lab from the Overview, in Chromium against `kubelab serve` on the main engine: confirmed, the lab's pod,
// containers and network leave the engine, the page comes back on a new, empty lab that kubectl (same kubeconfig
// path) reaches too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import Docker from 'dockerode';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, contexts, images, mainSocket } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
const docker = new Docker({ socketPath: mainSocket });
const { eventually, kubectl, json } = labSteps(() => lab);

beforeAll(async () => {
  lab = await startServe({ nodes: [contexts.main] });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
});
afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe('Reset lab', () => {
  it("asks first, removes the lab's objects from the engine, and comes back on a new lab", async () => {
    const before = await lab.clusterId();
    await kubectl('run', 'doomed', `--image=${images.busybox}`, '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600');
    await eventually(async () => (await json('get', 'pod', 'doomed')).status?.phase === 'Running', 60_000, 'doomed Running');
    const ours = (id: string) => ({ filters: { label: [`kubelab.io/cluster=${id}`] } });
    expect((await docker.listNetworks(ours(before))).length).toBe(1);

    const page = await browser.newPage();
    const ui = new LabPage(page);
    await ui.open(lab.ui);
    await page.locator('[data-testid=reset-lab]').click();
    // the confirmation says what goes; cancelling keeps everything
    const dialog = page.getByRole('dialog');
    await expect.poll(async () => (await dialog.textContent()) ?? '').toContain('Reset the lab?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await json('get', 'pod', 'doomed')).metadata.name).toBe('doomed');

    await page.locator('[data-testid=reset-lab]').click();
    await ui.confirm();
    const toast = page.locator('[data-testid=toast][data-tone=ok]', { hasText: 'Lab reset' });
    await toast.waitFor({ timeout: 90_000 });
    expect(await toast.textContent()).toMatch(/Lab reset: [2-9]\d* containers, 1 networks and 0 volumes removed/);

    const after = await lab.clusterId();
    expect(after).not.toBe(before);
    expect(await docker.listContainers({ all: true, ...ours(before) })).toEqual([]);
    expect(await docker.listNetworks(ours(before))).toEqual([]);
    // the kubeconfig at the same path reaches the new lab: no pod of the old one, its node Ready again
    expect((await json<{ items: unknown[] }>('get', 'pods')).items).toEqual([]);
    await eventually(async () => (await kubectl('get', 'nodes', '--no-headers')).includes(' Ready '), 60_000, "the new lab's node Ready");
    await page.close();
  });
});
