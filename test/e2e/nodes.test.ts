// Steering the scheduler from the Node view, in Chromium against `kubelab serve` with two real Docker engines:
// what `kubectl describe node` shows, then label, taint, cordon and drain from the UI, and where new pods land.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { chromiumArgs, chromiumPath, contexts, images, missingEnvHint, node2, node2Available } from '../fixtures/env';
import { LabPage } from './lab-page';

const N1 = contexts.main;
const N2 = contexts.node2;
let lab: Serve;
let browser: Browser;
let page: Page;
let ui: LabPage;
const steps = labSteps(() => lab);

const template = (file: string) =>
  readFileSync(new URL(`../../resources/templates/${file}`, import.meta.url), 'utf8')
    // no registry is reachable here: the seed's nginx:1.14.2 is swapped for the locally built nginx
    .replace(/nginx:1\.14\.2/g, images.nginx);
const poll = { timeout: 90_000, interval: 250 };

// busybox:latest would be pulled (Always) and no registry is reachable: the offline copy is used as it is
/**
 * A Deployment of sleeping busybox pods with no toleration and no selector. They prefer to spread over the nodes
 * (ScheduleAnyway), so when they all land on one node it is the taint or cordon that kept them off the other.
 */
const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - { maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: { matchLabels: { app: ${name} } } }
      containers:
      - { name: box, image: ${images.busybox}, imagePullPolicy: IfNotPresent, command: [sleep, '3600'] }
`;
const daemonSet = (name: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name} }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - { name: box, image: ${images.busybox}, imagePullPolicy: IfNotPresent, command: [sleep, '3600'] }
`;
async function apply(yaml: string): Promise<void> {
  const r = await lab.kubectl(['apply', '-f', '-'], { input: yaml });
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
}

/** `kubectl get pods -l app=X`: name -> node, '' while unbound. */
async function placement(app: string): Promise<Record<string, string>> {
  const list = await steps.json<{ items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string } }[] }>(
    'get',
    'pods',
    '-l',
    `app=${app}`,
  );
  return Object.fromEntries(list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => [p.metadata.name, p.spec.nodeName ?? '']));
}

/** The NODE column of every pod row the Pods list shows for a label selector. */
async function nodeColumn(selector: string): Promise<string[]> {
  await ui.go('#/r/pods');
  await page.locator('[data-testid=label-filter]').fill(selector);
  return page.locator('[data-testid=row] [data-col=node]').evaluateAll((els) => els.map((e) => (e as { textContent: string }).textContent.trim()).sort());
}

/** One field of `kubectl describe node` ("Kernel Version:  6.1" -> "6.1"). */
const field = (describe: string, name: string) => describe.match(new RegExp(`^\\s*${name}:\\s+(.+)$`, 'm'))?.[1].trim();

beforeAll(async () => {
  if (!node2Available()) throw new Error(`the second Docker engine (${node2.socket}, context ${N2}) does not answer: ${missingEnvHint}`);
  lab = await startServe({ nodes: [N1, N2] });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new LabPage(page);
  await ui.open(lab.ui);
});
afterAll(async () => {
  await lab?.kubectl(['delete', 'deployments,daemonsets,pods', '--all', '--wait=true', '--timeout=60s']).catch(() => undefined);
  await browser?.close();
  await lab?.stop();
});
afterEach(async (ctx) => {
  // a failed step leaves a picture of what the user would have seen
  if (ctx.task.result?.state === 'fail') await ui?.shot(`failed-nodes-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

describe('nodes', () => {
  it('shows on each node what `kubectl describe node` shows', async () => {
    await expect.poll(async () => (await steps.kubectl('get', 'nodes', '-o', 'name')).split('\n').filter(Boolean).length, poll).toBe(2);
    // a pod with requests and limits, so Non-terminated Pods and Allocated resources carry figures
    await apply(template('nginx-resources.yaml'));
    const pod = 'nginx-resources';
    const node = await steps.eventually(async () => (await steps.json('get', 'pod', pod)).spec.nodeName as string, 60_000, 'the resources pod bound');
    for (const name of [N1, N2]) {
      const d = await steps.kubectl('describe', 'node', name);
      await ui.openNode(name);
      const view = page.locator('[data-testid=node-detail]');
      expect(await page.locator('[data-testid=node-status]').getAttribute('data-status')).toBe('Ready');
      // labels and annotations, as chips
      await expect.poll(() => view.locator(`[data-testid=label][data-key="kubernetes.io/hostname"]`).innerText(), poll).toBe(`kubernetes.io/hostname=${name}`);
      expect(await view.locator('[data-testid=annotation][data-key="node.alpha.kubernetes.io/ttl"]').innerText()).toBe(
        `node.alpha.kubernetes.io/ttl: ${d.match(/node\.alpha\.kubernetes\.io\/ttl: (\S+)/)![1]}`,
      );
      expect(field(d, 'Taints')).toBe('<none>');
      expect(await view.locator('[data-testid=node-taints]').innerText()).toContain('<none>');
      expect(await view.locator('[data-testid=node-unschedulable]').innerText()).toBe(field(d, 'Unschedulable'));
      await expect
        .poll(() => view.locator('[data-testid=node-lease]').innerText(), poll)
        .toMatch(new RegExp(`^held by ${field(d, 'HolderIdentity')}, renewed \\d+s ago$`));
      // conditions
      expect(await view.locator('[data-condition=Ready] [data-status]').getAttribute('data-status')).toBe('True');
      for (const c of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) expect(await view.locator(`[data-condition=${c}]`).innerText()).toContain('False');
      // capacity / allocatable, exactly describe's quantities
      const capacity = d.slice(d.indexOf('Capacity:'), d.indexOf('Allocatable:'));
      const allocatable = d.slice(d.indexOf('Allocatable:'), d.indexOf('System Info:'));
      for (const r of ['cpu', 'memory', 'pods']) {
        expect(await view.locator(`[data-testid=node-capacity] [data-resource=${r}] [data-col=capacity]`).innerText()).toMatch(
          new RegExp(`^${field(capacity, r)}\\b`),
        );
        expect(await view.locator(`[data-testid=node-capacity] [data-resource=${r}] [data-col=allocatable]`).innerText()).toMatch(
          new RegExp(`^${field(allocatable, r)}\\b`),
        );
      }
      // system info, in describe's words
      for (const k of ['Kernel Version', 'OS Image', 'Container Runtime Version', 'Kubelet Version', 'Architecture', 'Machine ID']) {
        expect(await view.locator(`[data-testid=node-system-info] [data-info="${k}"]`).innerText()).toBe(field(d, k));
      }
      // non-terminated pods and allocated resources: the same counts and "250m (12%)" figures
      const inTotal = d.match(/Non-terminated Pods:\s+\((\d+) in total\)/)![1];
      await expect.poll(() => view.locator('[data-testid=node-pod-count]').innerText(), poll).toBe(`(${inTotal} in total)`);
      expect(await view.locator('[data-testid=node-pod]').count()).toBe(Number(inTotal));
      const allocated = d.slice(d.indexOf('Allocated resources:'));
      for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
        const m = allocated.match(new RegExp(`^\\s+${r}\\s+(\\S+ \\(\\d+%\\))\\s+(\\S+ \\(\\d+%\\))`, 'm'))!;
        expect(await view.locator(`[data-testid=node-allocated] [data-resource=${r}] [data-col=requests]`).innerText()).toBe(m[1]);
        expect(await view.locator(`[data-testid=node-allocated] [data-resource=${r}] [data-col=limits]`).innerText()).toBe(m[2]);
      }
      if (name === node) {
        const row = d.match(new RegExp(`^\\s+default\\s+${pod}\\s+(\\S+ \\(\\d+%\\))\\s+(\\S+ \\(\\d+%\\))\\s+(\\S+ \\(\\d+%\\))\\s+(\\S+ \\(\\d+%\\))`, 'm'))!;
        expect(
          (await view.locator(`[data-testid=node-pod][data-name=${pod}]`).innerText())
            .split('\t')
            .slice(2, 6)
            .map((s) => s.trim()),
        ).toEqual(row.slice(1, 5));
      }
      await ui.shot(`node-${name === N1 ? 'main' : 'node2'}`);
    }
    await steps.kubectl('delete', 'pod', pod, '--wait=true');
  });
  it('labels node2 disktype=ssd in the UI: the seed nodeSelector pod runs there, the other node filtered out by NodeAffinity', async () => {
    await ui.openNode(N2);
    await page.locator('[data-testid=label-node]').click();
    await ui.prompt('disktype=ssd');
    const chip = page.locator('[data-testid=label][data-key=disktype]');
    await expect.poll(() => chip.innerText(), poll).toBe('disktype=ssd');
    expect((await steps.json('get', 'node', N2)).metadata.labels.disktype).toBe('ssd');
    await ui.shot('node-labelled');
    // the seed's pod from its template, in the editor
    await ui.go('#/create');
    await page.locator('[data-template=nodeSelector]').click();
    expect(await ui.editorText()).toContain('disktype: ssd');
    await ui.setEditor(template('nginx-node-selector.yaml'));
    await ui.applyEditor();
    await ui.go('#/r/pods');
    await expect.poll(() => ui.podNode('nginx-ssd'), poll).toBe(N2);
    await expect.poll(() => ui.rowStatus('nginx-ssd'), poll).toBe('Running');
    // the Flow's filter step says why not the other node
    await ui.go('#/r/pods/default/nginx-ssd/flow');
    await page.locator('[data-step=filter]').first().click();
    const other = page.locator('[data-testid=flow-details] tr', { hasText: N1 });
    await expect.poll(() => other.innerText(), poll).toContain("didn't match Pod's node affinity/selector");
    expect(await page.locator('[data-testid=flow-details] tr', { hasText: N2 }).innerText()).toContain('✓');
    await ui.shot('flow-node-selector');
    // `kubectl label node kubelab-node2 disktype-`, typed in the UI
    await ui.openNode(N2);
    await page.locator('[data-testid=label-node]').click();
    await ui.prompt('disktype-');
    await expect.poll(() => chip.count(), poll).toBe(0);
    expect((await steps.json('get', 'node', N2)).metadata.labels.disktype).toBeUndefined();
    // and with one click on a label's x
    await page.locator('[data-testid=add-label]').click();
    await ui.prompt('tier=lab');
    const tier = page.locator('[data-testid=label][data-key=tier]');
    await expect.poll(() => tier.innerText(), poll).toBe('tier=lab');
    // clicking a label edits it: the prompt starts from key=value
    await tier.locator('[data-testid=edit]').click();
    expect(await page.locator('[data-testid=prompt-input]').inputValue()).toBe('tier=lab');
    await ui.prompt('tier=prod');
    await expect.poll(() => tier.innerText(), poll).toBe('tier=prod');
    expect((await steps.json('get', 'node', N2)).metadata.labels.tier).toBe('prod');
    await tier.locator('[data-testid=remove]').click();
    await expect.poll(() => tier.count(), poll).toBe(0);
    expect((await steps.json('get', 'node', N2)).metadata.labels.tier).toBeUndefined();
    await steps.kubectl('delete', 'pod', 'nginx-ssd', '--wait=false');
  });

  it("taints in the UI: new pods avoid a NoSchedule node; with both tainted a pod stays Pending with upstream's message; untainted it is scheduled", async () => {
    await ui.openNode(N1);
    await page.locator('[data-testid=taint-node]').click();
    await ui.prompt('dedicated=lab:NoSchedule');
    await expect.poll(() => page.locator('[data-testid=taint]').getAttribute('data-taint'), poll).toBe('dedicated=lab:NoSchedule');
    await apply(deployment('avoid', 3));
    await expect.poll(async () => Object.values(await placement('avoid')).sort(), poll).toEqual([N2, N2, N2]);
    await expect.poll(() => nodeColumn('app=avoid'), poll).toEqual([N2, N2, N2]);
    // node2 too, from the "+ taint" chip
    await ui.openNode(N2);
    await page.locator('[data-testid=add-taint]').click();
    await ui.prompt('dedicated=lab:NoSchedule');
    await expect.poll(() => page.locator('[data-testid=taint]').getAttribute('data-taint'), poll).toBe('dedicated=lab:NoSchedule');
    await ui.shot('node-tainted');
    const run = await lab.kubectl(['run', 'stuck', `--image=${images.busybox}`, '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600']);
    expect(run.code, run.stderr).toBe(0);
    await ui.go('#/r/pods/default/stuck');
    await expect
      .poll(() => page.locator('[data-testid=why-pending]').innerText(), poll)
      .toContain(
        '0/2 nodes are available: 2 node(s) had untolerated taint {dedicated: lab}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      );
    expect(await page.locator('[data-testid=pod-status]').getAttribute('data-status')).toBe('Pending');
    await ui.shot('why-pending-taints');
    // `kubectl taint node default dedicated:NoSchedule-` typed; node2's taint by its x
    await ui.openNode(N1);
    await page.locator('[data-testid=taint-node]').click();
    await ui.prompt('dedicated:NoSchedule-');
    await expect.poll(() => page.locator('[data-testid=taint]').count(), poll).toBe(0);
    await ui.openNode(N2);
    await page.locator('[data-testid=taint] [data-testid=remove]').click();
    await expect.poll(() => page.locator('[data-testid=taint]').count(), poll).toBe(0);
    expect((await steps.json('get', 'nodes')).items.map((n: { spec: { taints?: unknown[] } }) => n.spec.taints ?? [])).toEqual([[], []]);
    await ui.go('#/r/pods');
    await expect.poll(() => ui.rowStatus('stuck'), poll).toBe('Running');
    expect([N1, N2]).toContain(await ui.podNode('stuck'));
    await steps.kubectl('delete', 'deployment', 'avoid', '--wait=false');
    await steps.kubectl('delete', 'pod', 'stuck', '--wait=false');
  });

  it('cordons in the UI: the node shows SchedulingDisabled as `kubectl get nodes` does, new pods avoid it; uncordon', async () => {
    await ui.openNode(N2);
    await page.locator('[data-testid=cordon]').click();
    await expect.poll(() => page.locator('[data-testid=node-status]').getAttribute('data-status'), poll).toBe('Ready,SchedulingDisabled');
    expect(await page.locator('[data-testid=node-unschedulable]').innerText()).toBe('true');
    expect(await page.locator('[data-testid=cordon]').innerText()).toBe('Uncordon');
    // the node lifecycle controller adds the taint upstream's describe shows for a cordoned node
    const cordonTaint = page.locator('[data-testid=taint][data-taint="node.kubernetes.io/unschedulable:NoSchedule"]');
    await expect.poll(() => cordonTaint.count(), poll).toBe(1);
    expect(field(await steps.kubectl('describe', 'node', N2), 'Taints')).toBe('node.kubernetes.io/unschedulable:NoSchedule');
    await ui.go('#/r/nodes');
    await expect.poll(() => ui.rowStatus(N2), poll).toBe('Ready,SchedulingDisabled');
    expect(await ui.rowStatus(N1)).toBe('Ready');
    expect(await steps.kubectl('get', 'node', N2)).toMatch(/Ready,SchedulingDisabled/);
    await ui.shot('nodes-cordoned');
    await apply(deployment('cordoned', 3));
    await expect.poll(async () => Object.values(await placement('cordoned')).sort(), poll).toEqual([N1, N1, N1]);
    await expect.poll(() => nodeColumn('app=cordoned'), poll).toEqual([N1, N1, N1]);
    await ui.openNode(N2);
    await page.locator('[data-testid=cordon]').click();
    await expect.poll(() => page.locator('[data-testid=node-status]').getAttribute('data-status'), poll).toBe('Ready');
    expect((await steps.json('get', 'node', N2)).spec.unschedulable).toBeUndefined();
    await expect.poll(() => cordonTaint.count(), poll).toBe(0);
    await steps.kubectl('delete', 'deployment', 'cordoned', '--wait=false');
  });

  it("drains in the UI: the deployment's pods are evicted and recreated on the other node, the DaemonSet pod stays, the node is cordoned", async () => {
    await apply(daemonSet('agent'));
    await apply(deployment('web', 4));
    // a bare pod on the node: drain evicts it too (as --force), and nothing brings it back
    const loner = await lab.kubectl([
      'run',
      'loner',
      `--image=${images.busybox}`,
      '--image-pull-policy=IfNotPresent',
      `--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"${N2}"},"terminationGracePeriodSeconds":1}}`,
      '--',
      'sleep',
      '3600',
    ]);
    expect(loner.code, loner.stderr).toBe(0);
    await expect.poll(async () => Object.values(await placement('agent')).sort(), poll).toEqual([N1, N2]);
    await expect.poll(async () => Object.values(await placement('web')).sort(), poll).toEqual([N1, N1, N2, N2]);
    await expect
      .poll(
        async () =>
          (await steps.json('get', 'pods', '-l', 'app in (web,agent)')).items.every((p: { status: { phase: string } }) => p.status.phase === 'Running'),
        poll,
      )
      .toBe(true);
    const agentOnN2 = Object.entries(await placement('agent')).find(([, n]) => n === N2)![0];
    const webOnN2 = Object.entries(await placement('web'))
      .filter(([, n]) => n === N2)
      .map(([p]) => p);
    await ui.openNode(N2);
    await expect.poll(() => page.locator('[data-testid=node-pod]').count(), poll).toBe(4);
    expect(await page.locator('[data-testid=node-pod][data-name=loner]').innerText()).toContain('no controller');
    expect(await page.locator(`[data-testid=node-pod][data-name=${agentOnN2}]`).innerText()).toContain('DaemonSet');
    await page.locator('[data-testid=node-pods]').scrollIntoViewIfNeeded();
    await ui.shot('node-before-drain');
    await page.locator('[data-testid=drain]').click();
    // the confirmation says what will happen, pod by pod kind
    expect(await page.locator('[role=dialog] p').innerText()).toBe(
      `Drain ${N2}? It is cordoned and its pods (3) are evicted; their controllers recreate them on other nodes. ` +
        'DaemonSet pods (1) stay. Pods with no controller (1) will not come back: loner.',
    );
    await ui.shot('node-drain-confirm');
    await ui.confirm();
    await expect
      .poll(() => page.locator('[data-testid=toast-message]', { hasText: 'drained' }).first().innerText(), poll)
      .toBe(`${N2} drained: 3 pods evicted`);
    await expect.poll(() => page.locator('[data-testid=node-status]').getAttribute('data-status'), poll).toBe('Ready,SchedulingDisabled');
    // only the DaemonSet's pod is left on the node, the same pod as before
    await expect
      .poll(() => page.locator('[data-testid=node-pod]').evaluateAll((els) => els.map((e) => (e as { dataset: { name: string } }).dataset.name)), poll)
      .toEqual([agentOnN2]);
    await page.locator('[data-testid=node-pods]').scrollIntoViewIfNeeded();
    await ui.shot('node-drained');
    // the evicted pods are gone; the ReplicaSet made new ones, on the other node
    await expect
      .poll(async () => {
        const now = await placement('web');
        return { evictedLeft: webOnN2.filter((p) => p in now), nodes: Object.values(now).sort() };
      }, poll)
      .toEqual({ evictedLeft: [], nodes: [N1, N1, N1, N1] });
    await expect.poll(() => nodeColumn('app=web'), poll).toEqual([N1, N1, N1, N1]);
    expect(Object.entries(await placement('agent')).find(([, n]) => n === N2)?.[0]).toBe(agentOnN2);
    await expect.poll(async () => (await lab.kubectl(['get', 'pod', 'loner'])).stderr, poll).toMatch(/NotFound/);
    await ui.openNode(N2);
    await page.locator('[data-testid=cordon]').click();
    await expect.poll(() => page.locator('[data-testid=node-status]').getAttribute('data-status'), poll).toBe('Ready');
  });
  it('reads in zh-CN too', async () => {
    await page.locator('[data-testid=locale-picker]').selectOption('zh-CN');
    try {
      await ui.openNode(N1);
      await expect.poll(() => page.locator('[data-testid=node-detail]').innerText(), poll).toContain('系统信息');
      expect(await page.locator('[data-testid=add-taint]').innerText()).toBe('+ 污点');
      expect(await page.locator('[data-testid=node-pod-count]').innerText()).toMatch(/^（共 \d+ 个）$/);
      await ui.shot('node-zh');
    } finally {
      await page.locator('[data-testid=locale-picker]').selectOption('en');
    }
  });
});
