// Any cluster (issue 16), in Chromium: a second `kubelab serve` plays "a real cluster" reached only through its
// kubeconfig (a token context, and one whose token comes from an exec credential plugin, as cloud clusters do). The
// first lab's UI opens that context from the picker, lists its pods (not the lab's), creates one and deletes one
// there, shows its usage through its metrics.k8s.io, hides the lab-only views, rebuilds a pod's flow from events,
// and switches back to the lab.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

let other: Serve;
let lab: Serve;
let dir: string;
let browser: Browser;
let page: Page;
let ui: LabPage;
const remote = labSteps(() => other);
const local = labSteps(() => lab);
const poll = { timeout: 60_000, interval: 250 };

const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  containers:
  - { name: web, image: ${images.nginx}, ports: [{ containerPort: 80 }] }
`;

/** The names in the Pods list as the user sees it. */
const listed = () => page.locator('[data-testid=row]').evaluateAll((rows) => rows.map((r: any) => r.getAttribute('data-name') as string));

beforeAll(async () => {
  // the "other cluster": virtual nodes only, nothing of it in Docker
  other = await startServe({ nodes: ['kubelab-test-no-such-context'], virtualNodes: 1, args: ['--metric-resolution', '2'] });
  const kc = parse(await readFile(other.kubeconfig, 'utf8'));
  const token = kc.users[0].user.token as string;
  dir = await mkdtemp(join(tmpdir(), 'kubelab-any-cluster-'));
  const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } });
  await writeFile(
    join(dir, 'config'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'other-token',
      clusters: [{ name: 'other', cluster: kc.clusters[0].cluster }],
      users: [
        { name: 'other-token', user: { token } },
        // the token from a plugin, as `aws eks get-token` or `gke-gcloud-auth-plugin` give it
        {
          name: 'other-exec',
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', `echo '${credential}'`], interactiveMode: 'Never' } },
        },
      ],
      contexts: [
        { name: 'other-token', context: { cluster: 'other', user: 'other-token', namespace: 'default' } },
        { name: 'other-exec', context: { cluster: 'other', user: 'other-exec', namespace: 'default' } },
      ],
    }),
    { mode: 0o600 },
  );
  lab = await startServe({ nodes: ['kubelab-test-no-such-context'], virtualNodes: 1, env: { KUBECONFIG: join(dir, 'config') } });
  for (const [s, name] of [
    [other, 'remote-web'],
    [lab, 'local-only'],
  ] as const) {
    const r = await s.kubectl(['create', '-f', '-'], { input: pod(name) });
    expect(r.code, r.stderr).toBe(0);
  }
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
  await other?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-any-cluster-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('any cluster from the UI', () => {
  it('lists the lab and every kubeconfig context in the cluster picker', async () => {
    const picker = page.locator('[data-testid=context-picker]');
    await expect.poll(() => picker.locator('option').count(), poll).toBe(3);
    const options = await picker.locator('option').evaluateAll((os) => os.map((o: any) => [o.value, o.textContent]));
    expect(options.map(([v]) => v)).toEqual(['lab', 'kubeconfig:other-token', 'kubeconfig:other-exec']);
    expect(options[1][1]).toContain(other.api.replace('https://', ''));
    expect(await picker.inputValue()).toBe('lab');
  });

  it("opens the other cluster (exec credential): its pods, not the lab's; lab-only views hidden", async () => {
    await page.locator('[data-testid=context-picker]').selectOption('kubeconfig:other-exec');
    await page.locator('[data-testid=external-cluster]').waitFor({ timeout: 30_000 });
    // the window reloads into that cluster; the picker shows it once its context list is read again
    await expect.poll(() => page.locator('[data-testid=context-picker]').inputValue(), poll).toBe('kubeconfig:other-exec');
    await ui.go('#/');
    await page.locator('[data-testid=external-notice]').waitFor();
    expect(await page.locator('[data-testid=external-notice]').innerText()).toContain(other.api);
    expect(await page.locator('[data-testid=nodes-manager]').count()).toBe(0);
    expect(await page.locator('[data-testid=step-mode]').count()).toBe(0);
    await ui.shot('any-cluster-overview');
    await ui.go('#/r/pods');
    await expect.poll(listed, poll).toContain('remote-web');
    expect(await listed()).not.toContain('local-only');
    // the sidebar is that cluster's discovery: kinds with generated views are there, the lab-only PodTraces are not
    await page.locator('[data-nav=cronjobs]').waitFor();
    expect(await page.locator('[data-nav=podtraces]').count()).toBe(0);
    await page.locator('[data-nav=leases]').click();
    await expect.poll(() => page.locator('main').innerText(), poll).toContain('kube-node-lease');
  });

  it('creates a pod there from the editor, and it runs there', async () => {
    await ui.go('#/create');
    await ui.setEditor(pod('made-in-ui'));
    await ui.applyEditor();
    await remote.eventually(
      async () => (await remote.json('get', 'pod', 'made-in-ui')).status?.phase === 'Running',
      60_000,
      'made-in-ui Running in the other cluster',
    );
    expect((await lab.kubectl(['get', 'pod', 'made-in-ui'])).stderr).toContain('NotFound');
    await ui.go('#/r/pods');
    await expect.poll(async () => ui.rowStatus('made-in-ui'), poll).toBe('Running');
  });

  it('the pod page: no Docker reality, a flow rebuilt from events and conditions, usage from its metrics.k8s.io', async () => {
    await ui.go('#/r/pods/default/made-in-ui');
    await page.locator('[data-testid=pod-status]').waitFor();
    const tabs = await page.locator('[role=tablist] [data-tab]').evaluateAll((ts) => ts.map((t: any) => t.getAttribute('data-tab')));
    expect(tabs).not.toContain('docker');
    expect(tabs).toContain('flow');
    await expect
      .poll(async () => Number(await page.locator('[data-testid=usage]').getAttribute('data-points')), { timeout: 60_000, interval: 500 })
      .toBeGreaterThanOrEqual(1);
    await ui.shot('any-cluster-pod');
    await page.locator('[data-tab=flow]').click();
    await page.locator('[data-testid=flow-reconstructed]').waitFor();
    const flow = await page.locator('.page').innerText();
    expect(flow).toMatch(/Scheduled/);
    expect(flow).toMatch(/condition:Ready/);
    await ui.shot('any-cluster-flow');
  });

  it('deletes a pod there from its page', async () => {
    await ui.go('#/r/pods/default/remote-web');
    await page.locator('[data-testid=delete]').click();
    await ui.confirm();
    await remote.eventually(
      async () => (await other.kubectl(['get', 'pod', 'remote-web'])).stderr.includes('NotFound'),
      60_000,
      'remote-web gone from the other cluster',
    );
    expect((await local.json('get', 'pod', 'local-only')).metadata.name).toBe('local-only');
  });

  it('switches back to the lab', async () => {
    // the window reloads into the cluster it switches to
    const reloaded = page.waitForEvent('load');
    await page.locator('[data-testid=context-picker]').selectOption('lab');
    await reloaded;
    await page.locator('nav[aria-label=Main]').waitFor();
    await expect.poll(() => page.locator('[data-testid=context-picker]').inputValue(), poll).toBe('lab');
    expect(await page.locator('[data-testid=external-cluster]').count()).toBe(0);
    await ui.go('#/r/pods');
    await expect.poll(listed, poll).toContain('local-only');
    expect(await listed()).not.toContain('made-in-ui');
    await ui.go('#/');
    await page.locator('[data-testid=step-mode]').waitFor();
  });
});
