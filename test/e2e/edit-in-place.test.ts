// Every kind from discovery and editing in place, in Chromium against `kubelab serve` (real Docker): the sidebar lists
// what the server serves, a kind without hand-made columns shows the server's Table, YAML is edited with completion
// from the OpenAPI schema, reviewed as a diff, applied as a PUT; a stale resourceVersion is the server's 409 and a
// bad field its 422 at the line.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const poll = { timeout: 60_000, interval: 200 };

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await lab.kubectl(args, input ? { input } : undefined);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  lab = await startServe({ virtualNodes: 1 });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'light' });
  page = await context.newPage();
  ui = new LabPage(page);
  await ui.open(lab.ui);
  await page.locator('[data-testid=cluster-phase][data-status=Running]').waitFor({ timeout: 90_000 });
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'configmap,cronjob,deployment', '-l', 'kubelab-test=edit', '--wait=false']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-edit-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  // an edit left open by a failed test must not answer for the next
  for (const b of await page.locator('[data-testid=yaml-cancel]').all()) await b.click({ timeout: 1000 }).catch(() => undefined);
});

const cm = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
  labels: { kubelab-test: edit }
data:
  mode: ${value}
`;

describe('every kind the server serves', () => {
  it("the sidebar lists discovery's kinds; a CronJob list shows the server's columns and its detail page", async () => {
    const nav = page.locator('nav[aria-label=Main]');
    for (const id of [
      'cronjobs',
      'roles',
      'clusterroles',
      'rolebindings',
      'clusterrolebindings',
      'resourcequotas',
      'limitranges',
      'leases',
      'endpointslices',
      'serviceaccounts',
      'controllerrevisions',
    ]) {
      await nav.locator(`[data-nav="${id}"]`).waitFor();
    }
    await kubectl(['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'true']);
    await kubectl(['label', 'cronjob', 'nightly', 'kubelab-test=edit']);
    await nav.locator('[data-nav=cronjobs]').click();
    await ui.row('nightly').waitFor();
    // kubectl get cronjobs: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE
    const headers = (await page.locator('[role=columnheader]').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim().toUpperCase());
    expect(headers).toEqual(expect.arrayContaining(['NAME', 'NAMESPACE', 'SCHEDULE', 'SUSPEND', 'ACTIVE', 'AGE']));
    await expect.poll(() => ui.row('nightly').innerText(), poll).toContain('0 3 * * *');
    await ui.shot('kinds-cronjobs');
    await ui.row('nightly').click();
    await page.locator('h1:text-is("nightly")').waitFor();
    await page.locator('[data-testid=object-yaml] .cm-content').filter({ hasText: 'schedule: 0 3 * * *' }).waitFor();
    // RBAC, cluster-scoped: the list shows the server's rows too
    await ui.go('#/r/clusterroles');
    await ui.row('cluster-admin').waitFor();
    await ui.shot('kinds-clusterroles');
  });
});

describe('edit in place', () => {
  it('completes field names from the schema, shows the diff, applies as an update', async () => {
    await kubectl(['apply', '-f', '-'], cm('slow'));
    await ui.go('#/r/configmaps/default/settings');
    await page.locator('[data-testid=yaml-edit]').click();
    const content = page.locator('[data-testid=object-yaml] .cm-content');
    await expect.poll(() => content.innerText(), poll).toContain('mode: slow');
    // at the end of metadata, type "ann": the schema offers annotations
    await content.locator('.cm-line', { hasText: /^\s*name: settings$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('anno');
    const option = page.locator('.cm-tooltip-autocomplete li', { hasText: 'annotations' });
    await option.waitFor();
    expect(await page.locator('.cm-tooltip-autocomplete').innerText()).toContain('map[string]string');
    await ui.shot('edit-completion');
    await page.keyboard.press('Control+z');
    await expect.poll(() => content.locator('.cm-line', { hasText: /^\s*anno$/ }).count(), poll).toBe(0);
    await content.locator('.cm-line', { hasText: 'mode: slow' }).click();
    await page.keyboard.press('End');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('fast');
    await page.locator('[data-testid=yaml-review]').click();
    const diff = page.locator('[data-testid=yaml-diff]');
    await diff.waitFor();
    expect(await diff.innerText()).toMatch(/slow[\s\S]*fast/);
    await ui.shot('edit-diff');
    await page.locator('[data-testid=yaml-apply]').click();
    await expect.poll(() => kubectl(['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}']), poll).toBe('fast');
    await page.locator('[data-testid=object-yaml][data-mode=view]').waitFor();
    // the kubectl equivalent says what was sent
    await expect.poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll).toContain('kubectl edit configmap/settings');
  });

  it("a stale resourceVersion is the server's 409 Conflict, shown as such, with reload and the changes", async () => {
    await ui.go('#/r/configmaps/default/settings');
    await page.locator('[data-testid=yaml-edit]').click();
    const content = page.locator('[data-testid=object-yaml] .cm-content');
    await content.locator('.cm-line', { hasText: 'mode: fast' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type('er');
    // meanwhile someone else changes it
    await kubectl(['apply', '-f', '-'], cm('other'));
    await page.locator('[data-testid=yaml-conflict][data-conflict=false]').waitFor();
    await page.locator('[data-testid=yaml-review]').click();
    await page.locator('[data-testid=yaml-apply]').click();
    const notice = page.locator('[data-testid=yaml-conflict][data-conflict=true]');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('the object changed since you opened it');
    await ui.shot('edit-conflict');
    expect(await kubectl(['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}'])).toBe('other');
    await page.locator('[data-testid=yaml-theirs]').click();
    await expect.poll(() => page.locator('[data-testid=yaml-diff]').innerText(), poll).toContain('other');
    await ui.shot('edit-conflict-changes');
    await page.locator('[data-testid=yaml-back]').click();
    await page.locator('[data-testid=yaml-reload]').click();
    await expect.poll(() => content.innerText(), poll).toContain('mode: other');
    await page.locator('[data-testid=yaml-cancel]').click();
  });

  it('a field the server refuses (422) is marked at its line', async () => {
    await kubectl(['create', 'deployment', 'edit-web', '--image=busybox', '--replicas=0']);
    await kubectl(['label', 'deployment', 'edit-web', 'kubelab-test=edit']);
    await ui.go('#/r/deployments/default/edit-web');
    await page.locator('[data-testid=yaml-edit]').click();
    const content = page.locator('[data-testid=object-yaml] .cm-content');
    // spec comes after status: the editor draws what is in view, so go to the end first
    await content.locator('.cm-line').first().click();
    await page.keyboard.press('Control+End');
    await content.locator('.cm-line', { hasText: /^\s*revisionHistoryLimit: 10$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('-3');
    await page.locator('[data-testid=yaml-review]').click();
    await page.locator('[data-testid=yaml-apply]').click();
    const err = page.locator('[data-testid=yaml-error]');
    await err.waitFor();
    expect(await err.innerText()).toMatch(/spec\.revisionHistoryLimit/);
    await expect.poll(() => page.locator('[data-testid=object-yaml] .cm-error-line').innerText(), poll).toContain('revisionHistoryLimit: -3');
    await ui.shot('edit-invalid');
  });
});
