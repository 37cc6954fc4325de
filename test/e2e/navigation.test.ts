// The workspace-wide things a user touches, in Chromium against `kubelab serve`: the command palette, error toasts,
// a NodePort opened in the browser, Secrets and ConfigMaps, light and dark themes, empty states, and a lab without Docker.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ui: LabPage;

const template = (file: string) =>
  readFileSync(new URL(`../../resources/templates/${file}`, import.meta.url), 'utf8')
    // no registry is reachable here: the seed's nginx:1.14.2 is swapped for the locally built nginx
    .replace(/nginx:1\.14\.2/g, images.nginx);
const poll = { timeout: 90_000, interval: 200 };
const hash = () => page.evaluate(() => (globalThis as any).location.hash as string);
const palette = () => page.locator('[data-testid=palette]');
const items = () => page.locator('[data-testid=palette-item]');
const toasts = () => page.locator('[data-testid=toast]');
const bodyColors = (p: Page = page) =>
  p.evaluate(() => {
    const s = (globalThis as any).getComputedStyle((globalThis as any).document.body);
    return { bg: s.backgroundColor as string, fg: s.color as string };
  });

async function kubectl(...args: string[]): Promise<string>;
async function kubectl(opts: { input: string }, ...args: string[]): Promise<string>;
async function kubectl(...all: unknown[]): Promise<string> {
  const opts = typeof all[0] === 'object' ? (all.shift() as { input: string }) : undefined;
  const args = all as string[];
  const r = await lab.kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  lab = await startServe();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'light' });
  page = await context.newPage();
  ui = new LabPage(page);
  await ui.open(lab.ui);
  await page.locator('[data-testid=cluster-phase][data-status=Running]').waitFor({ timeout: poll.timeout });
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'namespace', 'shop', '--wait=false']).catch(() => undefined);
  await lab?.kubectl(['delete', 'namespace', 'psa-demo', '--wait=false']).catch(() => undefined);
  await lab
    ?.kubectl(['delete', 'deployments,pods,services,configmaps,secrets', '-l', 'kubelab-test=navigation', '--wait=true', '--timeout=60s'])
    .catch(() => undefined);
  await lab?.kubectl(['delete', 'pod', 'nginx-pod', '--wait=true', '--timeout=60s']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-nav-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  if (await palette().count()) await page.keyboard.press('Escape');
  // a toast left from one test must not answer for the next
  for (const b of await page.locator('[data-testid=toast-dismiss]').all()) await b.click({ timeout: 1000 }).catch(() => undefined);
});

describe('navigation', () => {
  it('an empty Pods list teaches: "Create your first pod" with the seed manifest, and its button creates it', async () => {
    await ui.go('#/r/pods');
    const empty = page.locator('[data-testid=empty-state]');
    await empty.waitFor();
    expect(await empty.innerText()).toContain('Create your first pod');
    expect(await empty.locator('pre').innerText()).toContain('name: nginx-pod');
    await ui.shot('nav-pods-empty');
    // its Create leads to the editor with the seed pod's template chosen
    await page.locator('.page-head a[href="#/create"]').click();
    await expect.poll(hash, poll).toBe('#/create');
    await expect.poll(() => page.locator('[data-template=nginx]').getAttribute('class'), poll).toContain('active');
    expect(await ui.editorText()).toContain('name: nginx-pod');
    await ui.go('#/r/pods');
    await empty.waitFor();
    await page.locator('[data-testid=create-first-pod]').click();
    await ui.row('nginx-pod').waitFor({ timeout: poll.timeout });
    await expect.poll(() => toasts().filter({ hasText: 'nginx-pod' }).count(), poll).toBe(1);
    await kubectl('delete', 'pod', 'nginx-pod', '--wait=false');
    await expect.poll(() => ui.row('nginx-pod').count(), poll).toBe(0);
  });

  it('the command palette (Ctrl+K, Meta+K) finds objects of every kind with their kind and namespace, and jumps with the keyboard', async () => {
    await kubectl('create', 'namespace', 'shop');
    await kubectl({ input: template('deployment-k8s-nginx.yaml').replace('replicas: 3', 'replicas: 1') }, 'apply', '-f', '-');
    await kubectl({ input: template('service-k8s-nginx.yaml') }, 'apply', '-f', '-');
    await kubectl('label', 'deployment/k8s-nginx', 'service/k8s-nginx', 'kubelab-test=navigation');
    await kubectl('create', 'configmap', 'k8s-nginx-conf', '-n', 'shop', '--from-literal=greeting=hello from the lab');
    await ui.go('#/');

    await page.keyboard.press('Control+K');
    await palette().waitFor();
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.testid)).toBe('palette-input');
    await page.keyboard.type('k8s-nginx');
    // the Deployment, the Service and the ConfigMap (another namespace) are there, each with its kind and namespace
    const found = async () =>
      await items().evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')}/${e.getAttribute('data-namespace')}/${e.getAttribute('data-name')}`));
    await expect
      .poll(found, poll)
      .toEqual(expect.arrayContaining(['Deployment/default/k8s-nginx', 'Service/default/k8s-nginx', 'ConfigMap/shop/k8s-nginx-conf']));
    const svcItem = items().and(page.locator('[data-kind=Service][data-name=k8s-nginx]'));
    expect(await svcItem.innerText()).toMatch(/k8s-nginx\s+default\s+Service/);
    await ui.shot('nav-palette');
    await page.keyboard.press('Escape');
    await expect.poll(() => palette().count()).toBe(0);

    // Meta+K as on a Mac; a kubectl short name narrows to one kind; arrows and Enter open the detail view
    await page.keyboard.press('Meta+K');
    await palette().waitFor();
    await page.keyboard.type('svc k8s');
    await expect.poll(() => items().count(), poll).toBe(1);
    await page.keyboard.press('ArrowDown'); // wraps around to the same single entry
    await page.keyboard.press('Enter');
    await expect.poll(hash, poll).toBe('#/r/services/default/k8s-nginx');
    await page.locator('[data-testid=service-detail]').waitFor();

    await page.keyboard.press('Control+K');
    await page.keyboard.type('shop/k8s');
    await expect.poll(() => items().first().getAttribute('data-name'), poll).toBe('k8s-nginx-conf');
    await page.keyboard.press('Enter');
    await expect.poll(hash, poll).toBe('#/r/configmaps/shop/k8s-nginx-conf');
    await expect.poll(() => page.locator('[data-testid=configmap-value][data-key=greeting]').innerText(), poll).toBe('hello from the lab');
    await ui.shot('nav-configmap');

    // with nothing typed, what was last opened comes first, then actions and views
    await page.keyboard.press('Control+K');
    await palette().waitFor();
    await expect
      .poll(() => items().evaluateAll((els) => els.slice(0, 3).map((e) => `${e.getAttribute('data-section')}:${e.getAttribute('data-name')}`)), poll)
      .toEqual(['resource:k8s-nginx-conf', 'resource:k8s-nginx', 'action:Create Pod']);
    expect(await page.locator('[data-testid=palette-recent]').count()).toBe(2);
    await ui.shot('nav-palette-open');
    await page.keyboard.press('Escape');

    // actions: "Create Deployment" opens the Create view with that seed template chosen
    await page.keyboard.press('Control+K');
    await page.keyboard.type('create deploy');
    await expect.poll(() => items().first().getAttribute('data-section'), poll).toBe('action');
    await page.keyboard.press('Enter');
    await expect.poll(hash, poll).toBe('#/create?template=deployment');
    await expect.poll(() => page.locator('[data-template=deployment]').getAttribute('class'), poll).toContain('active');
    expect(await ui.editorText()).toContain('name: k8s-nginx');

    // switch the namespace from the keyboard, and back to all
    await page.keyboard.press('Control+K');
    await page.keyboard.type('switch namespace shop');
    await expect.poll(() => items().first().innerText(), poll).toContain('Switch to namespace shop');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid=namespace-picker]').inputValue(), poll).toBe('shop');
    await page.keyboard.press('Control+K');
    await page.keyboard.type('all namespaces');
    await expect.poll(() => items().first().innerText(), poll).toContain('Show all namespaces');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid=namespace-picker]').inputValue(), poll).toBe('');

    // the header's search box opens it too; Escape gives focus back to where the user was typing
    await ui.go('#/r/pods');
    await page.locator('[data-testid=header-search]').click();
    await palette().waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=list-search]').click();
    await page.keyboard.press('Control+K');
    await palette().waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.testid), poll).toBe('list-search');

    // nothing matches: the palette says so
    await page.keyboard.press('Control+K');
    await page.keyboard.type('zzzz-nothing');
    await page.locator('[data-testid=palette-empty]').waitFor();
    await page.keyboard.press('Escape');
  });

  it("errors are toasts carrying the server's Status message, dismissable and folded instead of stacking", async () => {
    const createNamespace = async (name: string) => {
      await page.keyboard.press('Control+K');
      await page.keyboard.type('create namespace');
      await expect.poll(() => items().first().getAttribute('data-section'), poll).toBe('action');
      await page.keyboard.press('Enter');
      await ui.prompt(name);
    };
    await ui.go('#/r/namespaces');
    await createNamespace('default');
    const exists = toasts().filter({ hasText: 'namespaces "default" already exists' });
    await exists.waitFor();
    expect(await exists.locator('[data-testid=toast-title]').innerText()).toBe('AlreadyExists (409)');
    await ui.shot('nav-toast');
    // the same error again folds into the same toast with a count
    await createNamespace('default');
    await expect.poll(() => exists.locator('[data-testid=toast-count]').innerText(), poll).toBe('×2');
    expect(await exists.count()).toBe(1);
    await exists.locator('[data-testid=toast-dismiss]').click();
    await expect.poll(() => exists.count(), poll).toBe(0);

    // invalid: the Status message names the field
    await createNamespace('Bad_Name');
    await expect.poll(() => toasts().filter({ hasText: 'Namespace "Bad_Name" is invalid' }).count(), poll).toBe(1);

    // forbidden: the default namespace may not be deleted
    await ui.row('default').hover();
    await ui.row('default').locator('[data-testid=row-delete]').click();
    await ui.confirm();
    const forbidden = toasts().filter({ hasText: 'namespaces "default" is forbidden: this namespace may not be deleted' });
    await forbidden.waitFor();
    expect(await forbidden.locator('[data-testid=toast-title]').innerText()).toBe('Forbidden (403)');

    // many different errors: the stack stays short
    for (const n of ['A_1', 'A_2', 'A_3', 'A_4', 'A_5']) await createNamespace(n);
    await expect.poll(() => toasts().filter({ hasText: 'Namespace "A_5" is invalid' }).count(), poll).toBe(1);
    await expect.poll(() => toasts().count(), poll).toBeLessThanOrEqual(4);

    // and a namespace that does not exist yet is created, with its kubectl equivalent
    await createNamespace('nav-created');
    await expect.poll(() => toasts().filter({ hasText: 'Namespace "nav-created" created' }).count(), poll).toBe(1);
    await ui.row('nav-created').waitFor();
    await kubectl('delete', 'namespace', 'nav-created', '--wait=false');
  });

  it("a NodePort Service shows its ports as kubectl does and opens in the browser on nginx's welcome page", async () => {
    await ui.go('#/r/services/default/k8s-nginx');
    const detail = page.locator('[data-testid=service-detail]');
    await detail.waitFor();
    expect(await page.locator('[data-testid=service-type]').innerText()).toBe('NodePort');
    await expect.poll(() => page.locator('[data-testid=service-ports-text]').innerText(), poll).toMatch(/^80:\d{5}\/TCP$/);
    const nodePort = (await page.locator('[data-testid=service-ports-text]').innerText()).match(/^80:(\d+)/)![1];
    // the kubectl table says the same
    expect(await kubectl('get', 'svc', 'k8s-nginx')).toContain(`80:${nodePort}/TCP`);
    // the endpoint is the deployment's pod, ready
    await expect.poll(() => page.locator('[data-testid=service-endpoints] [data-status=Ready]').count(), poll).toBe(1);
    await ui.shot('nav-service');
    const open = page.locator('[data-testid=open-nodeport]');
    expect(await open.getAttribute('href')).toBe(`http://127.0.0.1:${nodePort}/`);
    const [tab] = await Promise.all([context.waitForEvent('page'), open.click()]);
    await tab.waitForLoadState();
    await expect
      .poll(async () => {
        const text = await tab
          .locator('body')
          .innerText()
          .catch(() => '');
        if (!text.includes('Welcome to nginx!')) await tab.reload().catch(() => undefined);
        return text;
      }, poll)
      .toContain('Welcome to nginx!');
    expect(tab.url()).toBe(`http://127.0.0.1:${nodePort}/`);
    await tab.close();
    // the Services list shows the same PORT(S)
    await ui.go('#/r/services');
    expect(await ui.row('k8s-nginx').locator('[data-col=ports]').innerText()).toBe(`80:${nodePort}/TCP`);
  });

  it("a Secret's values stay hidden until revealed, and hide again", async () => {
    await kubectl('create', 'secret', 'generic', 'db-creds', '--from-literal=password=s3cr3t-value', '--from-literal=user=admin');
    await kubectl('label', 'secret', 'db-creds', 'kubelab-test=navigation');
    await ui.go('#/r/secrets/default/db-creds');
    const value = page.locator('[data-testid=secret-value][data-key=password]');
    await value.waitFor({ timeout: poll.timeout });
    expect(await value.innerText()).toBe('••••••••');
    // the label came after the create: the page shows it once its watch delivers the change
    await expect.poll(() => page.locator('[data-testid=object-meta]').innerText(), poll).toContain('kubelab-test=navigation');
    // nor does the YAML below give it away (neither plain nor base64)
    await expect.poll(() => ui.editorText(), poll).toContain('password: <hidden>');
    expect(await page.locator('body').innerText()).not.toMatch(/s3cr3t-value|czNjcjN0LXZhbHVl/);
    await page.locator('[data-testid=secret-reveal][data-key=password]').click();
    await expect.poll(() => value.innerText(), poll).toBe('s3cr3t-value');
    expect(await page.locator('[data-testid=secret-value][data-key=user]').innerText()).toBe('••••••••');
    await ui.shot('nav-secret-revealed');
    await page.locator('[data-testid=secret-reveal][data-key=password]').click();
    await expect.poll(() => value.innerText(), poll).toBe('••••••••');
  });

  it('a namespace shows the Pod Security levels its pods are checked against, and follows a new label', async () => {
    await kubectl('create', 'namespace', 'psa-demo');
    await ui.go('#/r/namespaces/-/psa-demo');
    const mode = (m: string) => page.locator(`[data-testid=pod-security-mode][data-mode=${m}]`);
    await mode('enforce').waitFor({ timeout: poll.timeout });
    // a namespace a user creates is enforced at baseline (written as its label); audit and warn have no label
    expect(await mode('enforce').getAttribute('data-level')).toBe('baseline');
    expect(await mode('enforce').innerText()).toMatch(/baseline:latest[\s\S]*refused[\s\S]*No privileged containers/);
    expect(await mode('warn').innerText()).toContain('no label: the lab default');
    await kubectl('label', '--overwrite', 'namespace', 'psa-demo', 'pod-security.kubernetes.io/enforce=restricted');
    await expect.poll(() => mode('enforce').getAttribute('data-level'), poll).toBe('restricted');
    expect(await mode('enforce').innerText()).toContain('run as non-root');
    await ui.shot('nav-namespace-pod-security');
  });

  it("follows the OS theme: light and dark change the app's colors", async () => {
    await ui.go('#/');
    await page.locator('[data-node]').first().waitFor();
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.documentElement.dataset.theme), poll).toBe('light');
    const light = await bodyColors();
    await ui.shot('nav-overview-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.documentElement.dataset.theme), poll).toBe('dark');
    const dark = await bodyColors();
    await ui.shot('nav-overview-dark');
    expect(light).toEqual({ bg: 'rgb(246, 247, 249)', fg: 'rgb(29, 35, 48)' });
    expect(dark).toEqual({ bg: 'rgb(18, 22, 30)', fg: 'rgb(227, 232, 240)' });
    // the palette follows as well
    await page.keyboard.press('Control+K');
    await page.keyboard.type('k8s');
    await expect.poll(() => items().count(), poll).toBeGreaterThan(0);
    await ui.shot('nav-palette-dark');
    await page.keyboard.press('Escape');
    await ui.go('#/r/services/default/k8s-nginx');
    await page.locator('[data-testid=service-detail]').waitFor();
    await ui.shot('nav-service-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // in zh-CN too
    await page.locator('[data-testid=locale-picker]').selectOption('zh-CN');
    await expect.poll(() => page.locator('[data-testid=service-detail]').innerText(), poll).toContain('节点端口');
    await ui.shot('nav-service-zh');
    await page.keyboard.press('Control+K');
    await expect.poll(() => items().first().innerText(), poll).toContain('最近打开');
    await ui.shot('nav-palette-zh');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=locale-picker]').selectOption('en');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('a lab without a Docker engine', () => {
  let bare: Serve;
  let p: Page;
  afterAll(async () => {
    await p?.close();
    await bare?.stop();
  });

  it('says so on the overview: "No Docker engine: virtual node"', async () => {
    // no reachable engine: the lab runs on one virtual node (the socket does not exist)
    bare = await startServe({ env: { DOCKER_HOST: 'unix:///nonexistent/kubelab-no-docker.sock' } });
    p = await context.newPage();
    const bareUi = new LabPage(p);
    await bareUi.open(bare.ui);
    const card = p.locator('[data-testid=virtual-node]');
    await card.waitFor({ timeout: poll.timeout });
    expect(await card.innerText()).toContain('No Docker engine: virtual node');
    // what the lab tried and why it failed, and what to do about it
    await expect.poll(() => p.locator('[data-testid=virtual-reason]').innerText(), poll).toContain('No reachable Docker engine');
    await expect.poll(() => p.locator('[data-testid=virtual-context]').first().innerText(), poll).toContain('unreachable');
    await expect.poll(() => p.locator('[data-node=virtual-node-1] [data-testid=node-virtual]').count(), poll).toBe(1);
    expect(await p.locator('[data-node]').count()).toBe(1);
    await bareUi.shot('nav-overview-virtual');
  });
});
