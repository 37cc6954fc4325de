// The cost of metrics: CPU of `kubelab serve` (and of the Docker engine answering the stats requests) while 50 pods
// run on the Docker node, with the metrics server reading every container each 5 s, against the same lab with
// metrics off (--metric-resolution 0), measured first. One data dir: the second serve adopts the first one's pods.
// Run: npm run bench -- metrics [--quick]   (--quick: 5 pods, a 5 s window)
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { PodList } from 'kubernetes-types/core/v1';
import { removeLabObjects, startServe, type Serve } from '../test/fixtures/serve';
import { labApi, until } from '../test/fixtures/lab-api';
import { images } from '../test/fixtures/env';
import type { BenchOptions, BenchResult } from './report';

const FULL_PODS = 50;
/** --quick: fewer pods and a shorter window (one 5 s scrape or two), to keep the quick run under 3 minutes */
const QUICK_PODS = 5;
const TICK = 100; // clock ticks per second on Linux

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

const dockerdPid = (): number | undefined => (existsSync('/var/run/docker.pid') ? Number(readFileSync('/var/run/docker.pid', 'utf8').trim()) : undefined);

/** Share of one core used by serve and by dockerd over `seconds`. */
async function measure(serve: Serve, seconds: number): Promise<{ serve: number; dockerd?: number }> {
  const pid = serve.process.pid!;
  const dpid = dockerdPid();
  const s0 = cpuSeconds(pid);
  const d0 = dpid ? cpuSeconds(dpid) : 0;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (performance.now() - t0) / 1000;
  return { serve: ((cpuSeconds(pid) - s0) / wall) * 100, ...(dpid ? { dockerd: ((cpuSeconds(dpid) - d0) / wall) * 100 } : {}) };
}

async function allRunning(serve: Serve, pods: number): Promise<void> {
  const api = labApi(serve);
  await until(
    `${pods} pods Running`,
    300_000,
    async () => {
      const { body } = await api.call<PodList>('GET', '/api/v1/namespaces/default/pods');
      return (body.items ?? []).filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready)).length === pods;
    },
    1000,
  );
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const window = opts.quick ? 5 : 60;
  const pods = opts.quick ? QUICK_PODS : FULL_PODS;
  const settle = opts.quick ? 1000 : 5000;
  const off = await startServe({ nodes: ['default'], args: ['--metric-resolution', '0'] });
  const dataDir = off.dataDir;
  const clusterId = await off.clusterId();
  let on: Serve | undefined;
  try {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'metrics-bench' },
      spec: {
        replicas: pods,
        selector: { matchLabels: { app: 'metrics-bench' } },
        template: {
          metadata: { labels: { app: 'metrics-bench' } },
          // busybox:latest would be pulled (Always), and no registry is reachable: the offline copy as it is
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'sleep', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '36000'] }],
          },
        },
      },
    };
    const r = await off.kubectl(['create', '-f', '-'], { input: JSON.stringify(deployment) });
    if (r.code !== 0) throw new Error(r.stderr);
    await allRunning(off, pods);
    await new Promise((res) => setTimeout(res, settle)); // let the start-up work settle
    const base = await measure(off, window);
    await off.stop({ keepDataDir: true });
    on = await startServe({ dataDir, nodes: ['default'], args: ['--metric-resolution', '5'] });
    await allRunning(on, pods);
    await until(
      'kubectl top to list every pod',
      60_000,
      async () => (await on!.kubectl(['top', 'pod', '--no-headers'])).stdout.trim().split('\n').length >= pods,
      1000,
    );
    await new Promise((res) => setTimeout(res, settle));
    const withMetrics = await measure(on, window);
    return [
      {
        name: `metrics: serve CPU, ${pods} Docker pods, metrics every 5 s (baseline: metrics off)`,
        value: withMetrics.serve,
        unit: '% core',
        baseline: base.serve,
      },
      ...(withMetrics.dockerd !== undefined && base.dockerd !== undefined
        ? [
            {
              name: `metrics: dockerd CPU, same (shared engine: other work shows here too)`,
              value: withMetrics.dockerd,
              unit: '% core',
              baseline: base.dockerd,
            },
          ]
        : []),
    ];
  } finally {
    await (on ?? off).stop({ keepDataDir: true }).catch(() => undefined);
    await removeLabObjects(clusterId);
    await rm(dataDir, { recursive: true, force: true });
  }
}
