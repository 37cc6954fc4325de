// A Deployment's rollout driven from its detail view in Chromium, against `kubelab serve` with real Docker:
// create, scale, restart, a stuck rollout (an image that cannot be pulled), undo, delete, pause/resume (issue 6).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images, registry } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;

const template = readFileSync(new URL('../../resources/templates/deployment-k8s-nginx.yaml', import.meta.url), 'utf8')
  // no registry is reachable here: the seed's nginx:1.14.2 is swapped for the locally built nginx
  .replace(/nginx:1\.14\.2/g, images.nginx);
// a tag the local registry does not have: the pull fails as `kubectl set image` to a typo would
const badImage = registry.nginx.replace(':1.22', ':no-such-tag');
const poll = { timeout: 120_000, interval: 250 };
const detail = '#/r/deployments/default/k8s-nginx';

interface RsRow {
  revision: number;
  name: string;
  desired: number;
  current: number;
  ready: number;
  change: string;
}
/** The revision history table as the user sees it, newest first. */
async function rsRows(): Promise<RsRow[]> {
  return page.locator('[data-testid=rs-row]').evaluateAll((rows) =>
    rows.map((r: any) => ({
      revision: Number(r.getAttribute('data-revision')),
      name: r.getAttribute('data-name') as string,
      desired: Number(r.getAttribute('data-desired')),
      current: Number(r.getAttribute('data-current')),
      ready: Number(r.getAttribute('data-ready')),
      change: (r.querySelector('[data-testid=rs-change]')?.textContent ?? '') as string,
    })),
  );
}
/** The detail view's pods, as name → STATUS. */
async function detailPods(): Promise<Record<string, string>> {
  const pairs = await page
    .locator('[data-testid=deployment-pod]')
    .evaluateAll((rows) => rows.map((r: any) => [r.getAttribute('data-name'), r.getAttribute('data-status')]));
  return Object.fromEntries(pairs);
}
const running = async () => Object.values(await detailPods()).filter((s) => s === 'Running').length;
/** All pods Running and exactly n of them: the scaled or rolled-out steady state. */
const steady = async (n: number) => {
  const p = await detailPods();
  return Object.keys(p).length === n && Object.values(p).every((s) => s === 'Running');
};
const rolloutState = () => page.locator('[data-testid=rollout]').getAttribute('data-state');
/** `kubectl rollout history`'s revision numbers, ascending. */
async function kubectlRevisions(): Promise<number[]> {
  const r = await lab.kubectl(['rollout', 'history', 'deployment/k8s-nginx']);
  expect(r.code, r.stderr).toBe(0);
  return [...r.stdout.matchAll(/^(\d+)\s/gm)].map((m) => Number(m[1]));
}
const uiRevisions = async () => (await rsRows()).map((r) => r.revision).sort((a, b) => a - b);

beforeAll(async () => {
  lab = await startServe();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'deployments,replicasets,pods', '--all', '--wait=true', '--timeout=60s']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
});
afterEach(async (ctx) => {
  // a failed step leaves a picture of what the user would have seen
  if (ctx.task.result?.state === 'fail') {
    await ui?.shot(`failed-deployment-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    // and what the lab logged until then, to tell a controller's story from the browser's
    await writeFile('test-results/deployment-serve.log', lab?.logs() ?? '');
  }
});

describe('deployment rollout from the detail view', () => {
  it('creates k8s-nginx x3 from its template: 3/3 ready, one ReplicaSet, revision 1', async () => {
    await ui.go('#/create');
    await page.locator('[data-template=deployment]').click();
    expect(await ui.editorText()).toContain('name: k8s-nginx');
    await ui.setEditor(template);
    await ui.applyEditor();
    await ui.go(detail);
    await expect.poll(() => steady(3), poll).toBe(true);
    await expect.poll(() => page.locator('[data-testid=replicas]').innerText(), poll).toBe('3/3');
    await expect.poll(rolloutState, poll).toBe('done');
    expect(await page.locator('[data-testid=rollout-status]').innerText()).toBe('deployment "k8s-nginx" successfully rolled out');
    const rows = await rsRows();
    expect(rows.map((r) => [r.revision, r.desired, r.ready])).toEqual([[1, 3, 3]]);
    expect(await page.locator('[data-testid=deploy-revision]').innerText()).toBe('1');
    await expect
      .poll(() => page.locator('[data-testid=deploy-condition][data-type=Available]').getAttribute('data-reason'), poll)
      .toBe('MinimumReplicasAvailable');
    await expect
      .poll(() => page.locator('[data-testid=deploy-condition][data-type=Progressing]').getAttribute('data-reason'), poll)
      .toBe('NewReplicaSetAvailable');
    expect(await page.locator('[data-testid=deploy-undo]').isDisabled()).toBe(true);
    await ui.shot('deployment-created');
  });

  it('scales to 5, then to 2, in the detail view', async () => {
    await page.locator('[data-testid=replicas]').click();
    await ui.prompt('5');
    await expect.poll(() => steady(5), poll).toBe(true);
    await expect.poll(() => page.locator('[data-testid=replicas]').innerText(), poll).toBe('5/5');
    await page.locator('[data-testid=replicas]').click();
    await ui.prompt('2');
    await expect.poll(() => steady(2), poll).toBe(true);
    // the pods list agrees once the scaled-down pods are gone
    await ui.go('#/r/pods');
    await page.locator('[data-testid=label-filter]').fill('app=k8s-nginx');
    await expect.poll(() => page.locator('[data-testid=row]').count(), poll).toBe(2);
    await ui.go(detail);
    await expect.poll(() => rsRows().then((r) => r.map((x) => [x.revision, x.desired])), poll).toEqual([[1, 2]]);
  });

  it('restarts: revision 2 replaces every pod, revision 1 scales to 0, and kubectl rollout history agrees', async () => {
    await expect.poll(() => steady(2), poll).toBe(true);
    const before = Object.keys(await detailPods());
    await page.locator('[data-testid=deploy-restart]').click();
    await expect.poll(() => rsRows().then((r) => r.length), poll).toBe(2);
    await ui.shot('deployment-restarting');
    await expect
      .poll(async () => (await rsRows()).map((r) => [r.revision, r.desired, r.current, r.ready]), poll)
      .toEqual([
        [2, 2, 2, 2],
        [1, 0, 0, 0],
      ]);
    await expect.poll(() => steady(2), poll).toBe(true);
    const after = Object.keys(await detailPods());
    expect(after.filter((n) => before.includes(n))).toEqual([]);
    await expect.poll(rolloutState, poll).toBe('done');
    // the history says what changed: revision 2 is a restart of the same template
    const rows = await rsRows();
    expect(rows[0].change).toMatch(/^restarted at \d{4}-/);
    expect(rows[1].change).toBe('first template');
    // the steps the controller took, as kubectl describe deployment lists them
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid=deployment-event]')
            .allInnerTexts()
            .then((t) => t.join('\n')),
        poll,
      )
      .toMatch(new RegExp(`Scaled up replica set ${rows[0].name} from 0 to 1[\\s\\S]*Scaled down replica set ${rows[1].name} from 1 to 0`));
    expect(await kubectlRevisions()).toEqual(await uiRevisions());
    const status = await lab.kubectl(['rollout', 'status', 'deployment/k8s-nginx', '--timeout=30s']);
    expect(status.stdout).toContain('deployment "k8s-nginx" successfully rolled out');
    const rev2 = await lab.kubectl(['rollout', 'history', 'deployment/k8s-nginx', '--revision=2']);
    expect(rev2.stdout).toContain('kubectl.kubernetes.io/restartedAt');
    expect(rev2.stdout).toContain(images.nginx);
  });

  it('shows a stuck rollout for an image that cannot be pulled, scales it in proportion, and rolls back from the UI', async () => {
    const rev2 = (await rsRows())[0];
    await ui.go('#/create');
    // the same manifest with a new image and the replicas the user scaled to, applied over the live object;
    // a short progress deadline so the lab also shows the rollout given up on, as kubectl rollout status would
    await ui.setEditor(template.replace('replicas: 3', 'replicas: 2\n  progressDeadlineSeconds: 30').replace(images.nginx, badImage));
    await ui.applyEditor();
    await ui.go(detail);
    await expect.poll(() => rsRows().then((r) => r[0]?.revision), poll).toBe(3);
    await page.locator('[data-testid=rollout-stuck]').waitFor({ timeout: poll.timeout });
    expect(await page.locator('[data-testid=rollout-stuck]').innerText()).toMatch(/revision 3 cannot start \((ErrImagePull|ImagePullBackOff)\)/);
    // maxUnavailable rounds down to 0 of 2: the old pods keep serving while the new one cannot start
    await expect
      .poll(() => page.locator('[data-testid=rollout-status]').innerText(), poll)
      .toBe('Waiting for deployment "k8s-nginx" rollout to finish: 1 out of 2 new replicas have been updated...');
    const rows = await rsRows();
    expect(rows[0].change).toBe(`nginx: ${images.nginx} → ${badImage}`);
    expect(rows.map((r) => [r.revision, r.desired])).toEqual([
      [3, 1],
      [2, 2],
      [1, 0],
    ]);
    expect(await running()).toBe(2);
    await ui.shot('deployment-stuck-rollout');
    await expect.poll(rolloutState, poll).toBe('deadline');
    expect(await page.locator('[data-testid=rollout-status]').innerText()).toBe('deployment "k8s-nginx" exceeded its progress deadline');
    expect(await page.locator('[data-testid=deploy-condition][data-type=Progressing]').getAttribute('data-reason')).toBe('ProgressDeadlineExceeded');
    const status = await lab.kubectl(['rollout', 'status', 'deployment/k8s-nginx', '--timeout=10s']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('exceeded its progress deadline');
    await ui.shot('deployment-deadline-exceeded');
    // a scale mid-rollout is shared in proportion, as upstream does: 4 + maxSurge 1 over 2 : 1, so the serving set grows too
    await page.locator('[data-testid=replicas]').click();
    await ui.prompt('4');
    await expect
      .poll(async () => (await rsRows()).map((r) => [r.revision, r.desired]), poll)
      .toEqual([
        [3, 2],
        [2, 3],
        [1, 0],
      ]);
    await expect.poll(running, poll).toBe(3);
    await ui.shot('deployment-scaled-mid-rollout');

    await page.locator('[data-testid=deploy-undo]').click();
    // as upstream: the undone-to ReplicaSet (revision 2) becomes the newest revision, 4; 2 is gone from the history
    await expect
      .poll(async () => (await rsRows()).map((r) => [r.revision, r.name, r.desired, r.ready]), poll)
      .toEqual([
        [4, rev2.name, 4, 4],
        [3, rows[0].name, 0, 0],
        [1, rows[2].name, 0, 0],
      ]);
    await expect.poll(() => steady(4), poll).toBe(true);
    await expect.poll(rolloutState, poll).toBe('done');
    const image = await lab.kubectl(['get', 'deployment/k8s-nginx', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    expect(image.stdout).toBe(images.nginx);
    expect(await page.locator('[data-testid=deploy-revision]').innerText()).toBe('4');
    expect(await kubectlRevisions()).toEqual([1, 3, 4]);
    expect(await uiRevisions()).toEqual([1, 3, 4]);
    expect(await page.locator('[data-testid=rollout-stuck]').count()).toBe(0);
    await ui.shot('deployment-rolled-back');
    await page.locator('[data-testid=deployment-events]').scrollIntoViewIfNeeded();
    await ui.shot('deployment-events');
  });

  it('rolls back to revision 1 from its row: the whole template comes back, restart annotation included', async () => {
    const rev1 = (await rsRows()).find((r) => r.revision === 1)!;
    await page.locator(`[data-testid=rs-row][data-revision="1"] [data-testid=rs-undo]`).click();
    await expect
      .poll(async () => (await rsRows()).map((r) => [r.revision, r.desired, r.ready]), poll)
      .toEqual([
        [5, 4, 4],
        [4, 0, 0],
        [3, 0, 0],
      ]);
    expect((await rsRows())[0].name).toBe(rev1.name);
    await expect.poll(() => steady(4), poll).toBe(true);
    const annotations = await lab.kubectl(['get', 'deployment/k8s-nginx', '-o', 'jsonpath={.spec.template.metadata.annotations}']);
    expect(annotations.stdout).not.toContain('restartedAt');
    expect(await kubectlRevisions()).toEqual([3, 4, 5]);
    await page.locator('[data-testid=locale-picker]').selectOption('zh-CN');
    await expect.poll(() => page.locator('[data-testid=rollout-status]').innerText(), poll).toBe('Deployment "k8s-nginx" 发布成功');
    await ui.shot('deployment-zh');
    await page.locator('[data-testid=locale-picker]').selectOption('en');
  });

  it('deletes it (confirmed): the Deployment, its ReplicaSets and pods leave the UI', async () => {
    await page.locator('[data-testid=deploy-delete]').click();
    await ui.confirm();
    await page.waitForFunction(() => (globalThis as any).location.hash === '#/r/deployments');
    await expect.poll(() => ui.row('k8s-nginx').count(), poll).toBe(0);
    await ui.go('#/r/replicasets');
    await page.locator('[data-testid=label-filter]').fill('app=k8s-nginx');
    await expect.poll(() => page.locator('[data-testid=row]').count(), poll).toBe(0);
    await ui.go('#/r/pods');
    await page.locator('[data-testid=label-filter]').fill('app=k8s-nginx');
    await expect.poll(() => page.locator('[data-testid=row]').count(), poll).toBe(0);
  });

  it('pauses: an image change waits (no new ReplicaSet), scaling still applies; resume rolls the new image out', async () => {
    const manifest = template.replace('replicas: 3', 'replicas: 2');
    await ui.go('#/create');
    await ui.setEditor(manifest);
    await ui.applyEditor();
    await ui.go(detail);
    await expect.poll(() => steady(2), poll).toBe(true);
    await expect.poll(rolloutState, poll).toBe('done');
    await page.locator('[data-testid=deploy-pause]').click();
    await page.locator('[data-testid=deploy-resume]').waitFor({ timeout: poll.timeout });
    await expect.poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll).toContain('kubectl rollout pause deployment/k8s-nginx');
    await expect.poll(() => page.locator('[data-testid=deploy-condition][data-type=Progressing]').getAttribute('data-reason'), poll).toBe('DeploymentPaused');
    expect(await page.locator('[data-testid=rollout-chip]').innerText()).toBe('Paused');
    expect(await page.locator('[data-testid=rollout-paused]').innerText()).toContain('Deployment is paused');
    // roll back is refused while paused: the button says why instead of failing on click
    expect(await page.locator('[data-testid=deploy-undo]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=deploy-undo]').getAttribute('title')).toBe('A paused Deployment cannot be rolled back: resume it first');

    await ui.go('#/create');
    await ui.setEditor(manifest.replace(images.nginx, registry.nginx));
    await ui.applyEditor();
    await ui.go(detail);
    // the controller has seen the new template (kubectl's line counts 0 updated) and made no ReplicaSet for it
    await expect
      .poll(() => page.locator('[data-testid=rollout-status]').innerText(), poll)
      .toBe('Waiting for deployment "k8s-nginx" rollout to finish: 0 out of 2 new replicas have been updated...');
    expect((await rsRows()).map((r) => [r.revision, r.desired])).toEqual([[1, 2]]);
    // scaling while paused resizes the serving ReplicaSet, still without a rollout
    await page.locator('[data-testid=scale-up]').click();
    await expect.poll(() => steady(3), poll).toBe(true);
    expect((await rsRows()).map((r) => [r.revision, r.desired])).toEqual([[1, 3]]);
    expect(await page.locator('[data-testid=rollout-paused]').isVisible()).toBe(true);
    await ui.shot('deployment-paused');

    await page.locator('[data-testid=deploy-resume]').click();
    await expect.poll(() => page.locator('[data-testid=kubectl-equivalent]').innerText(), poll).toContain('kubectl rollout resume deployment/k8s-nginx');
    await expect
      .poll(async () => (await rsRows()).map((r) => [r.revision, r.desired, r.ready]), poll)
      .toEqual([
        [2, 3, 3],
        [1, 0, 0],
      ]);
    expect((await rsRows())[0].change).toBe(`nginx: ${images.nginx} → ${registry.nginx}`);
    await expect.poll(() => steady(3), poll).toBe(true);
    await expect.poll(rolloutState, poll).toBe('done');
    expect(await page.locator('[data-testid=rollout-paused]').count()).toBe(0);
    expect(await page.locator('[data-testid=deploy-pause]').isVisible()).toBe(true);
    await expect
      .poll(async () => (await lab.kubectl(['get', 'pods', '-l', 'app=k8s-nginx', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).stdout, poll)
      .toBe([registry.nginx, registry.nginx, registry.nginx].join(' '));
    await ui.shot('deployment-resumed');
  });
});
