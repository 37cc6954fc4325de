// Cold start: `kubelab serve` (as a user starts it) to its ready line, and to every Node Ready as the API reports it.
// Baseline, in the same run: raw dockerode creating, starting, inspecting and removing one pause container on the
// same engine — the least container work a lab node does before its first pod can run.
// Run: npm run bench -- cold-start [--quick]
import Docker from 'dockerode';
import type { NodeList } from 'kubernetes-types/core/v1';
import { ensureSandboxImage } from '../main/runtime/docker/sandbox-image';
import { mainSocket } from '../test/fixtures/env';
import { startServe } from '../test/fixtures/serve';
import { labApi, median, until } from '../test/fixtures/lab-api';
import { atMost, type BenchOptions, type BenchResult } from './report';

const BENCH_LABEL = 'kubelab.io/bench';

async function serveOnce(): Promise<{ ready: number; nodesReady: number }> {
  const t0 = performance.now();
  const serve = await startServe();
  const ready = performance.now() - t0;
  try {
    const api = labApi(serve);
    await until(
      'all nodes Ready',
      120_000,
      async () => {
        const { body } = await api.call<NodeList>('GET', '/api/v1/nodes');
        const items = body.items ?? [];
        return items.length > 0 && items.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      },
      50,
    );
    return { ready, nodesReady: performance.now() - t0 };
  } finally {
    await serve.stop();
  }
}

async function rawPauseOnce(docker: Docker, image: string, i: number): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer({ name: `kubelab-bench-cold-${process.pid}-${i}`, Image: image, Labels: { [BENCH_LABEL]: 'cold-start' } });
  await c.start();
  await c.inspect();
  await c.remove({ force: true });
  return performance.now() - t0;
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const runs = opts.quick ? 2 : 7;
  const docker = new Docker({ socketPath: mainSocket });
  const image = await ensureSandboxImage(docker);
  const ready: number[] = [];
  const nodesReady: number[] = [];
  const raw: number[] = [];
  // interleaved, so load on the shared machine weighs on the lab and the baseline alike
  for (let i = 0; i < runs; i++) {
    raw.push(await rawPauseOnce(docker, image, i));
    const r = await serveOnce();
    ready.push(r.ready);
    nodesReady.push(r.nodesReady);
  }
  const baseline = median(raw);
  return [
    { name: 'cold start: serve to ready line (baseline: raw pause create+start+rm)', value: median(ready), unit: 'ms', baseline },
    { name: 'cold start: serve to all nodes Ready (baseline: raw pause create+start+rm)', value: median(nodesReady), unit: 'ms', baseline, goal: atMost(1.5) },
  ];
}
