// Memory: resident set (VmRSS from /proc) of `kubelab serve` holding 1000 virtual pods, against the same process
// with its nodes Ready and no pods, measured just before the pods are created. No Docker node: `--node` names a
// context that does not exist, so only the virtual nodes run (12 of them: 110 pods each at most, as upstream).
// Run: npm run bench -- memory [--quick]
import { readFileSync } from 'node:fs';
import type { NodeList, PodList } from 'kubernetes-types/core/v1';
import { startServe } from '../test/fixtures/serve';
import { labApi, median, until, type LabApi } from '../test/fixtures/lab-api';
import { atMost, type BenchOptions, type BenchResult } from './report';

const PODS = 1000;
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

async function runningPods(api: LabApi): Promise<number> {
  const { body } = await api.call<PodList>('GET', '/api/v1/namespaces/default/pods');
  return (body.items ?? []).filter((p) => p.status?.phase === 'Running').length;
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const serve = await startServe({ virtualNodes: VIRTUAL_NODES, nodes: ['kubelab-bench-no-such-context'] });
  try {
    const pid = serve.process.pid!;
    const api = labApi(serve);
    await until(`${VIRTUAL_NODES} nodes Ready`, 120_000, async () => {
      const { body } = await api.call<NodeList>('GET', '/api/v1/nodes');
      const ready = (body.items ?? []).filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === VIRTUAL_NODES;
    }, 250);
    const samples = opts.quick ? 3 : 10;
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
    return [
      { name: `memory: serve RSS holding ${PODS} virtual pods (baseline: same serve, 0 pods)`, value: loaded, unit: 'MiB', baseline: idle, goal: atMost(200, 'value') },
      { name: `memory: RSS per virtual pod`, value: ((loaded - idle) * 1024) / PODS, unit: 'KiB' },
      { name: `memory: deployment of ${PODS} virtual pods to all Running`, value: toRunning / 1000, unit: 's' },
    ];
  } finally {
    await serve.stop();
  }
}
