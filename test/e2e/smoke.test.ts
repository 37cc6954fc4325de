import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath } from '../fixtures/env';

let lab: Serve;
let browser: Browser;

beforeAll(async () => {
  lab = await startServe();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
});
afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe('served UI in Chromium', () => {
  it('loads with the token and shows the app name', async () => {
    const page = await browser.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Refused to .*Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    // every request the page makes to its own server succeeds (a missing favicon was a 404 in the console)
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && r.url().startsWith(lab.uiBase)) failed.push(`${r.status()} ${r.url()}`);
    });
    const res = await page.goto(lab.ui);
    expect(res?.status()).toBe(200);
    await expect.poll(async () => (await page.textContent('body')) ?? '', { timeout: 30_000 }).toMatch(/kubelab/i);
    expect(await page.title()).toMatch(/kubelab/i);
    // the strict CSP must not break the app
    expect(cspViolations).toEqual([]);
    // the tab shows the lab's icon (inline, so the strict CSP needs nothing more)
    const icon = await page.getAttribute('link[rel="icon"]', 'href');
    expect(icon).toMatch(/^data:image\/svg\+xml,/);
    const iconWidth = await page.evaluate(async (href) => {
      const img = new (globalThis as any).Image();
      img.src = href;
      await img.decode();
      return img.naturalWidth;
    }, icon!);
    expect(iconWidth).toBe(32);
    expect(failed).toEqual([]);
    await page.close();
  });

  it('refuses the UI without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(lab.uiBase);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/Unauthorized/);
    await context.close();
  });
});
