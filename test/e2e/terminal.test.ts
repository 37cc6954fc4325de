// The exec terminal in the bottom dock, in Chromium against `kubelab serve` with real Docker: two shells in two
// tabs (bash where the image has it, else sh), resizes reaching the container, copy/paste, the exit code.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const poll = { timeout: 60_000, interval: 200 };

const pods = `
apiVersion: v1
kind: Pod
metadata: { name: web }
spec:
  containers:
  - { name: nginx, image: ${images.nginx} }
---
apiVersion: v1
kind: Pod
metadata: { name: box }
spec:
  containers:
  - { name: box, image: ${images.busybox}, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"] }
`;

/** The last `size:ROWS COLS` line the shell printed in the tab in view. */
async function sttySize(marker: string): Promise<{ rows: number; cols: number }> {
  await ui.dockTerminal().click();
  await page.keyboard.type(`echo ${marker}:$(stty size)\n`);
  let m: RegExpMatchArray | null = null;
  await expect.poll(async () => (m = (await ui.dockTerminalText()).match(new RegExp(`^${marker}:(\\d+) (\\d+)`, 'm'))) !== null, poll).toBe(true);
  return { rows: Number(m![1]), cols: Number(m![2]) };
}

async function openShell(pod: string): Promise<void> {
  await ui.go(`#/r/pods/default/${pod}`);
  await page.locator('[data-testid=open-shell]').click();
  await expect.poll(() => ui.dockTab(pod).getAttribute('class'), poll).toContain('active');
  await expect.poll(() => page.locator('[data-dock-pane][data-active=true] [data-status]').getAttribute('data-status'), poll).toBe('open');
}

beforeAll(async () => {
  lab = await startServe();
  const applied = await lab.kubectl(['apply', '-f', '-'], { input: pods });
  expect(applied.code, applied.stderr).toBe(0);
  const ready = await lab.kubectl(['wait', '--for=condition=Ready', 'pod/web', 'pod/box', '--timeout=90s'], { timeoutMs: 100_000 });
  expect(ready.code, ready.stderr).toBe(0);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', permissions: ['clipboard-read', 'clipboard-write'] });
  page = await context.newPage();
  ui = new LabPage(page);
  await ui.open(lab.ui);
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'pods', 'web', 'box', '--wait=false']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-terminal-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('exec terminal in the dock', () => {
  it('opens two shells in two tabs, bash in nginx and sh in busybox, each keeping its output', async () => {
    await openShell('web');
    await expect.poll(() => ui.dockTab('web').getAttribute('data-shell'), poll).toBe('bash');
    await ui.dockTerminal().click();
    await page.keyboard.type('echo from-web-$((1+1))\n');
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('from-web-2');

    await openShell('box');
    await expect.poll(() => ui.dockTab('box').getAttribute('data-shell'), poll).toBe('sh');
    expect(await ui.dockTab('box').innerText()).toContain('sh');
    await expect.poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll).toContain('kubectl exec -it box -- sh');
    await ui.dockTerminal().click();
    await page.keyboard.type('echo from-box-$((2+2))\n');
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('from-box-4');
    expect(await ui.dockTerminalText()).not.toContain('from-web-2');
    expect(await page.locator('[data-testid=dock-tab]').count()).toBe(2);
    await ui.shot('dock-two-tabs');

    await ui.dockTab('web').click();
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('from-web-2');
    expect(await ui.dockTerminalText()).not.toContain('from-box-4');
    await ui.dockTab('box').click();
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('from-box-4');
  });

  it('sends resizes to the container: stty size follows the dock and the window', async () => {
    await ui.dockTab('web').click();
    const before = await sttySize('size1');
    // drag the dock's top edge up: more rows
    const grip = (await page.locator('[data-testid=dock-grip]').boundingBox())!;
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + grip.width / 2, grip.y - 200, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await sttySize(`size2x${Date.now() % 1000}`)).rows, poll).toBeGreaterThan(before.rows);
    // a narrower window: fewer columns
    await page.setViewportSize({ width: 1000, height: 900 });
    await expect.poll(async () => (await sttySize(`size3x${Date.now() % 1000}`)).cols, poll).toBeLessThan(before.cols);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('copies a selection (Ctrl+Shift+C or the context menu) and pastes into the shell', async () => {
    await ui.dockTab('box').click();
    await ui.dockTerminal().click();
    await page.keyboard.type('clear; echo copy-me-please\n');
    const line = ui.dockTerminal().locator('.xterm-rows > div', { hasText: /^copy-me-please\s*$/ });
    await line.waitFor();
    const box = (await line.boundingBox())!;
    // a double-click selects the word, as in any terminal
    await page.mouse.dblclick(box.x + 30, box.y + box.height / 2);
    await page.keyboard.press('Control+Shift+C');
    await expect.poll(() => page.evaluate(() => (globalThis as any).navigator.clipboard.readText()), poll).toBe('copy-me-please');

    await page.evaluate(() => (globalThis as any).navigator.clipboard.writeText('nothing'));
    await page.mouse.dblclick(box.x + 30, box.y + box.height / 2);
    await page.mouse.click(box.x + 30, box.y + box.height / 2, { button: 'right' });
    await page.locator('[data-testid=terminal-copy]').click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).navigator.clipboard.readText()), poll).toBe('copy-me-please');

    await page.evaluate(() => (globalThis as any).navigator.clipboard.writeText('echo pasted-$((3*3))'));
    await ui.dockTerminal().click();
    await page.keyboard.press('Control+Shift+V');
    // the clipboard is read asynchronously: press Enter once the text is on the command line, as a user would
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('echo pasted-$((3*3))');
    await page.keyboard.press('Enter');
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('pasted-9');

    await page.evaluate(() => (globalThis as any).navigator.clipboard.writeText('echo menu-$((4*4))'));
    await ui.dockTerminal().click({ button: 'right' });
    await ui.shot('terminal-menu');
    await page.locator('[data-testid=terminal-paste]').click();
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('echo menu-$((4*4))');
    await page.keyboard.press('Enter');
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('menu-16');
  });

  it('shows the exit code when the session ends', async () => {
    await ui.dockTab('box').click();
    await ui.dockTerminal().click();
    await page.keyboard.type('exit 3\n');
    await expect.poll(() => ui.dockTerminalText(), poll).toContain('exited with code 3');
    await expect.poll(() => ui.dockTab('box').getAttribute('data-exit-code'), poll).toBe('3');
    expect(await ui.dockTab('box').innerText()).toContain('exit 3');
    // the other session is still open
    await ui.dockTab('web').click();
    expect(await page.locator('[data-dock-pane][data-active=true] [data-status]').getAttribute('data-status')).toBe('open');
    await ui.shot('dock-exited');
  });
});
