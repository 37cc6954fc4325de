// The UI at scale, measured in Chromium against `kubelab serve`: a 1000-pod Pods list (on 10 virtual nodes) and a
// logs pane loading 100k lines from a busybox container on the Docker node. Ratios where a raw counterpart exists:
// the logs pane against `docker logs` of the same container, the first row against `kubectl get pods -A`.
// Frame times are requestAnimationFrame deltas in the page (60 Hz = 16.7 ms). The list scrolls while its pods churn:
// a few clients patch pod after pod through the API, so watch events arrive during every frame (their rate is reported).
// Run: npm run bench -- ui [--quick]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:https';
import { chromium, type Page } from 'playwright-core';
import type { Pod } from 'kubernetes-types/core/v1';
import { startServe, type Serve } from '../test/fixtures/serve';
import { labApi, median, until, type LabApi } from '../test/fixtures/lab-api';
import { chromiumArgs, chromiumPath, contexts, images, kubectlPath } from '../test/fixtures/env';
import { atMost, percentile, type BenchOptions, type BenchResult } from './report';

// issue 17's sizes; --quick uses fewer (the rows name the sizes they ran with), to keep the quick run under 3 minutes
let PODS = 1000;
let LINES = 100_000;

async function createPods(api: LabApi): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      while (next < PODS) {
        const i = next++;
        const r = await api.call('POST', '/api/v1/namespaces/default/pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `bench-${String(i).padStart(4, '0')}`, labels: { app: 'ui-bench' } },
          spec: { nodeSelector: { 'kubelab.io/virtual': 'true' }, containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'] }] },
        });
        if (r.status !== 201) throw new Error(`create pod: ${r.status}`);
      }
    }),
  );
}

/** A merge patch through the lab's API (labApi sends JSON, which PATCH refuses with 415). */
function mergePatch(lab: Serve, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    // the bench talks only to its own lab on 127.0.0.1, whose CA is fresh per data dir
    const req = request(
      new URL(path, lab.api),
      { method: 'PATCH', rejectUnauthorized: false, headers: { authorization: `Bearer ${lab.adminToken()}`, 'content-type': 'application/merge-patch+json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Patches pod after pod (an annotation: a MODIFIED event each) from `clients` loops until the returned stop is called. */
function churn(lab: Serve, clients: number): () => Promise<{ patches: number; perSecond: number }> {
  let on = true;
  let patches = 0;
  const t0 = performance.now();
  const loops = Array.from({ length: clients }, async (_, w) => {
    for (let i = w; on; i += clients) {
      const code = await mergePatch(lab, `/api/v1/namespaces/default/pods/bench-${String(i % PODS).padStart(4, '0')}`, {
        metadata: { annotations: { 'bench.kubelab.io/churn': String(i) } },
      });
      if (code !== 200) throw new Error(`churn patch: ${code}`);
      patches++;
    }
  });
  return async () => {
    on = false;
    await Promise.all(loops);
    return { patches, perSecond: patches / ((performance.now() - t0) / 1000) };
  };
}

/** Runs a command and resolves with how long it took until it exited and its stdout. */
function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ ms: number; out: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } }, (err, out) =>
      err ? reject(err) : resolve({ ms: performance.now() - t0, out }),
    );
  });
}

// page scripts are strings: tsx names functions with a helper (__name) that does not exist in the page
const START_FRAMES = `(() => {
  const deltas = [];
  window.__frames = { deltas, on: true };
  let last = performance.now();
  const tick = (t) => { deltas.push(t - last); last = t; if (window.__frames.on) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const STOP_FRAMES = '(() => { window.__frames.on = false; return window.__frames.deltas; })()';
/** scrolls the list down and back, 120 px a frame */
const SCROLL_LIST = `(async () => {
  const el = document.querySelector('[data-testid=table-body]');
  for (const dir of [1, -1]) {
    for (let n = 0; n < 150; n++) {
      el.scrollTop += dir * 120;
      await new Promise((r) => requestAnimationFrame(r));
    }
  }
})()`;

/** Starts recording requestAnimationFrame deltas in the page; the returned function stops and returns them. */
async function recordFrames(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(START_FRAMES);
  return () => page.evaluate(STOP_FRAMES) as Promise<number[]>;
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  // serve shows a placeholder page without the built renderer: say so instead of timing out on it
  const index = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'renderer', 'index.html');
  if (!existsSync(index)) throw new Error(`no built UI at ${index}: run \`npm run build\` first`);
  const rounds = opts.quick ? 1 : 5;
  PODS = opts.quick ? 200 : 1000;
  LINES = opts.quick ? 10_000 : 100_000;
  let serve: Serve | undefined;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    serve = await startServe({ virtualNodes: 10 });
    const lab = serve;
    const api = labApi(lab);
    const logPod = await api.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'numbers' },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': contexts.main },
        containers: [
          { name: 'numbers', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', `seq 1 ${LINES} | sed 's/^/line /'; sleep 3600`] },
        ],
      },
    });
    if (logPod.status !== 201) throw new Error(`create numbers pod: ${logPod.status}`);
    await createPods(api);
    let containerId = '';
    await until(
      'the numbers container printed its last line',
      120_000,
      async () => {
        const p = (await api.call<Pod>('GET', '/api/v1/namespaces/default/pods/numbers')).body;
        containerId = p.status?.containerStatuses?.[0]?.containerID?.replace(/^docker:\/\//, '') ?? '';
        return !!containerId && (await timed('docker', ['logs', '--tail', '1', containerId])).out.trim() === `line ${LINES}`;
      },
      500,
    );

    // raw counterparts
    const dockerLogs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await timed('docker', ['logs', containerId]);
      if (r.out.split('\n').length !== LINES + 1) throw new Error('docker logs did not deliver every line');
      dockerLogs.push(r.ms);
    }
    const kubectlGet: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await timed(kubectlPath, ['get', 'pods', '-A', '--no-headers'], { KUBECONFIG: lab.kubeconfig });
      if (r.out.trim().split('\n').length < PODS) throw new Error('kubectl get pods listed fewer pods than created');
      kubectlGet.push(r.ms);
    }

    // the UI's CSP forbids eval, which waitForFunction with a string needs
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US', bypassCSP: true });
    await page.goto(lab.ui);
    await page.locator('nav[aria-label=Main]').waitFor();

    // time to first row: a fresh load of the Pods list until the count says every pod is there and rows show
    const firstRow: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await page.goto('about:blank');
      const t0 = performance.now();
      await page.goto(`${lab.uiBase}#/r/pods`);
      await page.waitForFunction(
        `Number(document.querySelector('[data-testid=list-count]')?.getAttribute('data-count')) >= ${PODS} && !!document.querySelector('[data-testid=row]')`,
        undefined,
        { polling: 'raf', timeout: 60_000 },
      );
      firstRow.push(performance.now() - t0);
    }

    // frames while scrolling the list down and back, 120 px a frame, as its pods churn
    const listFrames: number[] = [];
    const churnRates: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const stopChurn = churn(lab, 4);
      const stopList = await recordFrames(page);
      await page.evaluate(SCROLL_LIST);
      listFrames.push(...(await stopList()).slice(1));
      churnRates.push((await stopChurn()).perSecond);
    }

    // logs: open the pane with tail "all" until the 100k-th line shows, frames recorded meanwhile
    const logMs: number[] = [];
    let logFrames: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await page.goto('about:blank');
      await page.goto(`${lab.uiBase}#/r/pods/default/numbers/logs`);
      await page.locator('[data-testid=log-count]').waitFor();
      await page.waitForFunction(`!!document.querySelector('[data-testid=log-line]')`, undefined, { timeout: 60_000 });
      const stop = await recordFrames(page);
      const t0 = performance.now();
      await page.locator('[data-testid=log-tail]').selectOption('-1');
      // every line counted and the last one shown (tail 1000 showed it already, so the count decides)
      await page.waitForFunction(
        `document.querySelector('[data-testid=log-count]')?.textContent === '${LINES} lines'
        && [...document.querySelectorAll('[data-testid=log-line] .tx')].some((e) => e.textContent === 'line ${LINES}')`,
        undefined,
        { polling: 'raf', timeout: 120_000 },
      );
      logMs.push(performance.now() - t0);
      const f = (await stop()).slice(1);
      if (f.length > logFrames.length) logFrames = f;
    }
    await page.close();

    return [
      {
        name: `ui: logs pane shows line ${LINES / 1000}k of ${LINES / 1000}k, tail all (baseline: docker logs, all lines)`,
        value: median(logMs),
        unit: 'ms',
        baseline: median(dockerLogs),
        goal: atMost(1.2),
      },
      { name: `ui: frame time p50 while ${LINES / 1000}k log lines load`, value: percentile(logFrames, 50), unit: 'ms' },
      { name: `ui: frame time p95 while ${LINES / 1000}k log lines load`, value: percentile(logFrames, 95), unit: 'ms', goal: atMost(17, 'value') },
      {
        name: `ui: first row of ${PODS} pods, fresh load (baseline: kubectl get pods -A)`,
        value: median(firstRow),
        unit: 'ms',
        baseline: median(kubectlGet),
        goal: atMost(1.5),
      },
      { name: `ui: frame time p50 scrolling ${PODS} churning pods`, value: percentile(listFrames, 50), unit: 'ms' },
      { name: `ui: frame time p95 scrolling ${PODS} churning pods`, value: percentile(listFrames, 95), unit: 'ms', goal: atMost(17, 'value') },
      { name: `ui: pod patches a second during the scroll (the churn)`, value: median(churnRates), unit: '/s' },
    ];
  } finally {
    await browser.close();
    await serve?.stop();
  }
}
