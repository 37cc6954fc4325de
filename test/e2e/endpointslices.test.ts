// Network > EndpointSlices in Chromium against `kubelab serve` with real Docker: the slice of a Service lists
// its pod's IP and port as `kubectl get endpointslices` does, and follows the pod going away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, images } from '../fixtures/env';
import { LabPage } from './lab-page';

let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const poll = { timeout: 90_000, interval: 200 };

const app = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: nginx, image: ${images.nginx}, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{port: 8080, targetPort: http}]
`;

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'] });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
}, 60_000);

const kubectlJson = async (...args: string[]) => JSON.parse((await lab.kubectl([...args, '-o', 'json'])).stdout);

describe('EndpointSlices view', () => {
  it('Network > EndpointSlices shows the Service slice with the pod IP and the resolved target port, then <unset> when scaled to 0', async () => {
    expect((await lab.kubectl(['apply', '-f', '-'], { input: app })).code).toBe(0);
    let ip = '';
    await expect
      .poll(async () => {
        const pods = (await kubectlJson('get', 'pods', '-l', 'app=shop')).items;
        ip = pods.find((p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))?.status.podIP ?? '';
        return ip;
      }, poll)
      .not.toBe('');
    const [slice] = (await kubectlJson('get', 'endpointslices', '-l', 'kubernetes.io/service-name=shop')).items;
    await page.locator('[data-nav=endpointslices]').click();
    await expect.poll(() => page.locator('h1').first().textContent(), poll).toBe('EndpointSlices');
    const row = ui.row(slice.metadata.name);
    await expect.poll(() => row.locator('[data-col=endpoints]').textContent(), poll).toBe(ip);
    expect(await row.locator('[data-col=addressType]').textContent()).toBe('IPv4');
    expect(await row.locator('[data-col=ports]').textContent()).toBe('80');
    await ui.shot('endpointslices-list');
    expect((await lab.kubectl(['scale', 'deployment', 'shop', '--replicas=0'])).code).toBe(0);
    await expect.poll(() => row.locator('[data-col=endpoints]').textContent(), poll).toBe('<unset>');
    await lab.kubectl(['delete', 'service,deployment', 'shop']);
  });
});
