// Memory: resident set (VmRSS from /proc) of `kubelab serve` holding 1000 virtual pods, against the same process
// with its nodes Ready and no pods, measured just before the pods are created; then with WATCHERS watches of every
// pod open (HTTP watches from this process, as the UI's and kubectl's are: each has had the initial ADDED event of
// every pod), for the bytes each watcher costs. No Docker node: `--node` names a context that does not exist, so
// only the virtual nodes run (12 of them: 110 pods each at most, as upstream).
// --quick: 200 pods and 10 watchers; the goal (<= 200 MiB at 1000 pods with watches open) is then judged on the
// figure projected from the measured per-pod and per-watcher bytes, and the row says so.
// Run: npm run bench -- memory [--quick]
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { NodeList, PodList } from 'kubernetes-types/core/v1';
import { startServe, type Serve } from '../test/fixtures/serve';
import { labApi, median, until, type LabApi } from '../test/fixtures/lab-api';
import { atMost, type BenchOptions, type BenchResult } from './report';

const GOAL_PODS = 1000;
const VIRTUAL_NODES = 12;

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Median of samples a second apart, so one allocation burst or GC does not decide the figure. */
async function sampleRss(pid: number, samples: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i) await new Promise((r) => setTimeout(r, 1000));
    xs.push(rssMiB(pid));
  }
  return median(xs);
}

/** An HTTP watch of every pod; resolves once it has had `pods` ADDED events (the initial state), stays open until closed. */
function watchAllPods(serve: Serve, pods: number): Promise<{ close: () => void }> {
  return new Promise((resolve, reject) => {
    const url = new URL('/api/v1/pods?watch=1', serve.api);
    let added = 0;
    let buffered = '';
    const req = request(url, { rejectUnauthorized: false, headers: { authorization: `Bearer ${serve.adminToken()}`, accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`watch: ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.startsWith('{"type":"ADDED"') && ++added === pods) resolve({ close: () => req.destroy() });
        }
      });
    });
    req.on('error', (err) => (added < pods ? reject(err) : undefined));
    req.end();
  });
}

async function runningPods(api: LabApi): Promise<number> {
  const { body } = await api.call<PodList>('GET', '/api/v1/namespaces/default/pods');
  return (body.items ?? []).filter((p) => p.status?.phase === 'Running').length;
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const PODS = opts.quick ? 200 : GOAL_PODS;
  const WATCHERS = opts.quick ? 10 : 50;
  const serve = await startServe({ virtualNodes: VIRTUAL_NODES, nodes: ['kubelab-bench-no-such-context'] });
  try {
    const pid = serve.process.pid!;
    const api = labApi(serve);
    await until(
      `${VIRTUAL_NODES} nodes Ready`,
      120_000,
      async () => {
        const { body } = await api.call<NodeList>('GET', '/api/v1/nodes');
        const ready = (body.items ?? []).filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === VIRTUAL_NODES;
      },
      250,
    );
    const samples = opts.quick ? 2 : 10;
    const idle = await sampleRss(pid, samples);

    const labels = { app: 'memory-bench' };
    const created = await api.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'memory-bench' },
      spec: {
        replicas: PODS,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { nodeSelector: { 'kubelab.io/virtual': 'true' }, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
        },
      },
    });
    if (created.status !== 201) throw new Error(`create deployment: ${created.status} ${JSON.stringify(created.body)}`);
    const t0 = performance.now();
    let running = 0;
    await until(`${PODS} pods Running`, 600_000, async () => (running = await runningPods(api)) >= PODS, 1000).catch((err: Error) => {
      throw new Error(`${err.message} (${running} Running)`);
    });
    const toRunning = performance.now() - t0;
    const loaded = await sampleRss(pid, samples);
    const watches = [];
    for (let i = 0; i < WATCHERS; i++) watches.push(await watchAllPods(serve, PODS));
    const watched = await sampleRss(pid, samples);
    for (const w of watches) w.close();
    const perPod = ((loaded - idle) * 1024) / PODS; // KiB
    const perWatcher = ((watched - loaded) * 1024) / WATCHERS; // KiB
    const rows: BenchResult[] = [
      { name: `memory: serve RSS holding ${PODS} virtual pods (baseline: same serve, 0 pods)`, value: loaded, unit: 'MiB', baseline: idle },
      {
        name: `memory: serve RSS, ${PODS} virtual pods and ${WATCHERS} watches of every pod open (baseline: no watches)`,
        value: watched,
        unit: 'MiB',
        baseline: loaded,
        ...(PODS === GOAL_PODS ? { goal: atMost(200, 'value') } : {}),
      },
      { name: `memory: RSS per virtual pod`, value: perPod, unit: 'KiB' },
      { name: `memory: RSS per watcher of ${PODS} pods`, value: perWatcher, unit: 'KiB' },
      { name: `memory: deployment of ${PODS} virtual pods to all Running`, value: toRunning / 1000, unit: 's' },
    ];
    if (PODS !== GOAL_PODS) {
      // projected, not measured: idle + per-pod bytes x 1000 + the watchers' bytes scaled to 1000 pods
      const projected = idle + (perPod * GOAL_PODS) / 1024 + (perWatcher * WATCHERS * (GOAL_PODS / PODS)) / 1024;
      rows.splice(2, 0, {
        name: `memory: serve RSS projected to ${GOAL_PODS} pods and ${WATCHERS} watches (from the ${PODS}-pod figures; --quick)`,
        value: projected,
        unit: 'MiB',
        goal: atMost(200, 'value'),
      });
    }
    return rows;
  } finally {
    await serve.stop();
  }
}
