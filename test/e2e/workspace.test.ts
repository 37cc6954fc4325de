// The workspace in Chromium against `kubelab serve` with real Docker: what issue 6 and 7 call done.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images, registry } from '../fixtures/env';
import { LabPage, SCREENSHOTS } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;

const template = (file: string) =>
  readFileSync(new URL(`../../resources/templates/${file}`, import.meta.url), 'utf8')
    // no registry is reachable here: the seed's nginx:1.14.2 is swapped for the locally built nginx
    .replace(/nginx:1\.14\.2/g, images.nginx);
const poll = { timeout: 90_000, interval: 200 };
// images only the registry holds: the lab pulls them for real; this file removes what it pulled, before and after
const pulledHere = [registry.nginxLayers, registry.layers];
const removePulled = () => Promise.all(pulledHere.map((i) => promisify(execFile)('docker', ['image', 'rm', i]).catch(() => undefined)));

beforeAll(async () => {
  await removePulled();
  lab = await startServe();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'deployments,pods', '--all', '--wait=true', '--timeout=60s']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
  await removePulled();
});

afterEach(async (ctx) => {
  // a failed step leaves a picture of what the user would have seen
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  // never leave the scheduler paused for the next test
  const resume = page.locator('[data-testid=header-resume-scheduler]');
  if (await resume.count()) await resume.click();
});

describe('workspace', () => {
  it('opens on the overview with the cluster running and its nodes', async () => {
    await expect.poll(() => page.locator('[data-testid=cluster-phase]').getAttribute('data-status'), poll).toBe('Running');
    await expect.poll(() => page.locator('[data-node]').count(), poll).toBeGreaterThan(0);
    await ui.shot('overview');
  });

  it('creates the seed nginx pod from its template and its row goes Pending, ContainerCreating, Running', async () => {
    // pause the scheduler (step mode) so Pending is there to see, as the seed describes the wait
    await ui.go('#/');
    await page.locator('[data-testid=step-scheduler]').click();
    await ui.go('#/r/pods');
    await page.locator('[data-testid=empty-state], [data-testid=row]').first().waitFor();
    await ui.shot('pods-empty');
    const seen = await ui.recordStatuses('nginx-pod');
    await ui.go('#/create');
    await page.locator('[data-template=nginx]').click();
    expect(await ui.editorText()).toContain('name: nginx-pod');
    // an nginx only the registry holds, so the kubelet really pulls it and ContainerCreating lasts as in a real cluster
    await ui.setEditor(template('nginx-pod.yaml').replace(images.nginx, registry.nginxLayers));
    await ui.shot('create');
    await ui.applyEditor();
    // applying a single pod opens its Flow tab: the API side of the flow is there; the pod is queued, not bound
    await expect.poll(() => page.locator('[data-lane=apiserver]').getAttribute('data-count').then(Number), poll).toBeGreaterThan(0);
    expect(await page.locator('[data-step=bind]').count()).toBe(0);
    await ui.shot('flow-waiting');
    await ui.go('#/r/pods');
    await expect.poll(() => ui.rowStatus('nginx-pod'), poll).toBe('Pending');
    // the header offers the resume while the scheduler is paused, so the list stays in view
    await page.locator('[data-testid=header-resume-scheduler]').click();
    await expect.poll(() => ui.rowStatus('nginx-pod'), poll).toBe('Running');
    expect(await seen()).toEqual(['Pending', 'ContainerCreating', 'Running']);
    await ui.shot('pods');
  });

  it("shows a pod's image pull per layer while it runs, then Pulled", async () => {
    // the scheduler waits (step mode) until the pod page is open, so the whole pull is in view
    await ui.go('#/');
    await page.locator('[data-testid=step-scheduler]').click();
    await ui.go('#/create');
    await ui.setEditor(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: pull-demo',
        'spec:',
        '  containers:',
        '  - name: box',
        `    image: ${registry.layers}`,
        '    command: ["sleep", "3600"]',
        '',
      ].join('\n'),
    );
    await ui.applyEditor();
    await ui.go('#/r/pods/default/pull-demo/overview');
    await expect.poll(() => page.locator('[data-testid=pod-status]').getAttribute('data-status'), poll).toBe('Pending');
    const seen = await ui.recordPull();
    await page.locator('[data-testid=header-resume-scheduler]').click();
    // the recorder sees a layer line however briefly it shows; the picture is taken at once, while the pull lasts
    await expect.poll(async () => (await seen()).some((l) => /^Pulling \w+: /.test(l)), poll).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/pull-progress.png` });
    await expect.poll(() => page.locator('[data-testid=pull-image]').getAttribute('data-state'), poll).toBe('Pulled');
    // layer lines were there while it pulled, in docker pull's words, and every layer ends Pull complete
    expect(
      (await seen()).filter((l) => /^Pulling \w+: (Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting)$/.test(l)),
    ).not.toEqual([]);
    await expect
      .poll(() => page.locator('[data-testid=pull-image][data-state=Pulled] [data-testid=pull-layer][data-layer-status="Pull complete"]').count(), poll)
      .toBe(6);
    expect(await page.locator('[data-testid=pull-progress]').innerText()).toContain('Pulled');
    await expect.poll(() => page.locator('[data-testid=pod-status]').getAttribute('data-status'), poll).toBe('Running');
    await ui.shot('pulled');
    await lab.kubectl(['delete', 'pod', 'pull-demo', '--wait=false']);
  });

  it("fills the Flow tab's lanes live, through the scheduler, kubelet and runtime", async () => {
    await ui.go('#/r/pods/default/nginx-pod/flow');
    for (const lane of ['apiserver', 'scheduler', 'kubelet', 'runtime']) {
      await expect.poll(() => page.locator(`[data-lane=${lane}]`).getAttribute('data-count').then(Number), poll).toBeGreaterThan(0);
    }
    await page.locator('[data-step=bind], [data-step=filter]').first().click();
    await page.locator('[data-testid=flow-details]').waitFor();
    await ui.shot('flow');
    await ui.go('#/r/pods/default/nginx-pod/docker');
    await expect.poll(() => page.locator('[data-testid=docker-containers] tbody tr').count(), poll).toBeGreaterThanOrEqual(2);
    await ui.shot('docker-reality');
  });

  it("shows a pod's logs and runs hostname and echo in its terminal", async () => {
    await ui.go('#/create');
    await ui.setEditor(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: shell-demo',
        'spec:',
        '  containers:', // a :latest image is always pulled: from the local registry, a real pull
        '  - name: box',
        `    image: ${registry.busybox}`,
        '    command: ["sh", "-c", "echo hello-from-kubelab; echo second-line; sleep 3600"]',
        '',
      ].join('\n'),
    );
    await ui.applyEditor();
    await ui.go('#/r/pods');
    await expect.poll(() => ui.rowStatus('shell-demo'), poll).toBe('Running');
    await ui.go('#/r/pods/default/shell-demo/logs');
    await expect.poll(() => page.locator('[data-testid=log-lines]').innerText(), poll).toContain('hello-from-kubelab');
    await page.locator('[data-testid=log-search]').fill('second');
    await expect.poll(() => page.locator('[data-testid=log-lines] mark').first().innerText(), poll).toBe('second');
    await ui.shot('logs');
    await ui.go('#/r/pods/default/shell-demo/terminal');
    await page.locator('[data-testid=terminal] .xterm-rows').waitFor();
    await expect.poll(() => page.locator('[data-status=open]').count(), poll).toBe(1);
    await page.locator('[data-testid=terminal]').click();
    await page.keyboard.type('hostname\n');
    await page.keyboard.type('echo kubelab-$((6*7))\n');
    await expect.poll(() => ui.terminalText(), poll).toContain('kubelab-42');
    expect(await ui.terminalText()).toContain('shell-demo');
    await ui.shot('terminal');
    await page.keyboard.type('exit 3\n');
    await expect.poll(() => ui.terminalText(), poll).toContain('exited with code 3');
  });

  it('scales a deployment to 3 in the UI, sees 3 rows, and deletes it', async () => {
    await ui.go('#/create');
    await ui.setEditor(template('deployment-k8s-nginx.yaml').replace('replicas: 3', 'replicas: 1'));
    await ui.applyEditor();
    await ui.go('#/r/deployments');
    await ui.row('k8s-nginx').waitFor();
    await ui.row('k8s-nginx').hover();
    await ui.row('k8s-nginx').locator('[data-testid=row-scale]').click();
    await ui.prompt('3');
    await ui.go('#/r/pods');
    await page.locator('[data-testid=label-filter]').fill('app=k8s-nginx');
    await expect.poll(() => page.locator('[data-testid=row]').count(), poll).toBe(3);
    await expect
      .poll(async () => {
        const rows = page.locator('[data-testid=row] [data-col=status] [data-status]');
        return (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).filter((s) => s === 'Running').length;
      }, poll)
      .toBe(3);
    await ui.shot('pods-deployment');
    await ui.go('#/r/deployments/default/k8s-nginx');
    await expect.poll(() => page.locator('[data-testid=deployment-pod]').count(), poll).toBe(3);
    await ui.shot('deployment');
    await ui.go('#/r/deployments');
    await ui.row('k8s-nginx').hover();
    await ui.row('k8s-nginx').locator('[data-testid=row-delete]').click();
    await ui.confirm();
    await expect.poll(() => ui.row('k8s-nginx').count(), poll).toBe(0);
    await ui.go('#/r/pods');
    await page.locator('[data-testid=label-filter]').fill('app=k8s-nginx');
    await expect.poll(() => page.locator('[data-testid=row]').count(), poll).toBe(0);
  });

  it('shows a validation error from the server at its line', async () => {
    await ui.go('#/create');
    await ui.setEditor('apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n  - name: c\n    image: ""\n');
    await ui.applyEditorExpectingError();
    await expect.poll(() => page.locator('[data-testid=apply-error]').innerText(), poll).toMatch(/is invalid/);
    await expect.poll(() => page.locator('.cm-error-line').count(), poll).toBeGreaterThan(0);
    await ui.shot('create-error');
  });

  it('runs in zh-CN, switched at run time', async () => {
    await page.locator('[data-testid=locale-picker]').selectOption('zh-CN');
    await ui.go('#/');
    await expect.poll(() => page.locator('nav[aria-label=Main]').innerText(), poll).toContain('节点');
    await ui.shot('overview-zh');
    await ui.go('#/r/pods/default/nginx-pod/flow');
    await expect.poll(() => page.locator('[data-lane=scheduler]').innerText(), poll).toContain('调度器');
    await ui.shot('flow-zh');
    await ui.go('#/r/pods');
    await ui.shot('pods-zh');
    await page.locator('[data-testid=locale-picker]').selectOption('en');
  });
});
