// Pod startup latency: create a pod until Ready is seen by a watch, through the real API server and the
// kubelet on the real Docker engine, against raw dockerode doing the same container work in the same run
// (pause create/start/inspect, app create/start/inspect on its network namespace). Sequential, then all at once.
// Run: npm run bench -- pod-startup [--quick]
import { pathToFileURL } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../main/client/types';
import { setLogSink } from '../main/log';
import { ensureSandboxImage } from '../main/runtime/docker/sandbox-image';
import { LABEL } from '../main/runtime/types';
import { images } from '../test/fixtures/env';
import { podManifest, startHarness, type Harness } from '../test/integration/kubelet-harness';
import { atMost, percentile, type BenchResult } from './report';

/** Resolves each pod's Ready through one watch. */
function readyWatcher(h: Harness) {
  const waiters = new Map<string, () => void>();
  const ready = new Set<string>();
  const watch = h.client.watch(R.pods, { namespace: 'default' }, (ev) => {
    const p = ev.object as unknown as Pod;
    const name = p.metadata?.name ?? '';
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !ready.has(name)) {
      ready.add(name);
      waiters.get(name)?.();
    }
  });
  return {
    wait: (name: string) => (ready.has(name) ? Promise.resolve() : new Promise<void>((r) => waiters.set(name, r))),
    stop: async () => (await watch).stop(),
  };
}

async function kubeletRun(h: Harness, prefix: string, n: number, parallel: boolean): Promise<number[]> {
  const w = readyWatcher(h);
  const one = async (i: number) => {
    const name = `${prefix}-${i}`;
    const t0 = performance.now();
    await h.client.create(
      R.pods,
      podManifest(name, h.nodeName, {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'app', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
      }),
      { namespace: 'default' },
    );
    await w.wait(name);
    return performance.now() - t0;
  };
  const out: number[] = [];
  if (parallel) out.push(...(await Promise.all(Array.from({ length: n }, (_, i) => one(i)))));
  else for (let i = 0; i < n; i++) out.push(await one(i));
  await w.stop();
  return out;
}

async function rawRun(h: Harness, prefix: string, n: number, parallel: boolean): Promise<number[]> {
  const docker = h.docker;
  const pause = await ensureSandboxImage(docker);
  const network = h.runtime.networkName;
  const labels = { [LABEL.cluster]: h.clusterId, 'kubelab.io/bench': 'raw' };
  const one = async (i: number) => {
    const t0 = performance.now();
    const sb = await docker.createContainer({
      name: `${h.clusterId}-${prefix}-pause-${i}`,
      Image: pause,
      Hostname: `${prefix}-${i}`,
      Labels: labels,
      HostConfig: { NetworkMode: network, IpcMode: 'shareable' },
    });
    await sb.start();
    await sb.inspect();
    const app = await docker.createContainer({
      name: `${h.clusterId}-${prefix}-app-${i}`,
      Image: images.busybox,
      Cmd: ['sleep', '3600'],
      Labels: labels,
      HostConfig: { NetworkMode: `container:${sb.id}`, IpcMode: `container:${sb.id}` },
    });
    await app.start();
    await app.inspect();
    return performance.now() - t0;
  };
  const out: number[] = [];
  if (parallel) out.push(...(await Promise.all(Array.from({ length: n }, (_, i) => one(i)))));
  else for (let i = 0; i < n; i++) out.push(await one(i));
  return out;
}

async function removeRaw(h: Harness): Promise<void> {
  const list = await h.docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${h.clusterId}`, 'kubelab.io/bench=raw'] } });
  await Promise.all(
    list.map((c) =>
      h.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

async function deleteAll(h: Harness, prefix: string, n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) => h.client.delete(R.pods, `${prefix}-${i}`, { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined)),
  );
  // the kubelet removes the containers of pods that no longer exist
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const left = await h.docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${h.clusterId}`, `${LABEL.type}=container`] } });
    if (left.every((c) => !c.Labels[LABEL.podName]?.startsWith(prefix))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function run(opts: { quick: boolean }): Promise<BenchResult[]> {
  const seq = opts.quick ? 3 : 30;
  const burst = opts.quick ? 5 : 50;
  const h = await startHarness({ relistMs: 1000 });
  try {
    // warm up both paths once (image cache, network, code paths)
    await kubeletRun(h, 'warm', 1, false);
    await rawRun(h, 'warm', 1, false);
    const k = await kubeletRun(h, 'seq', seq, false);
    const r = await rawRun(h, 'seq', seq, false);
    await deleteAll(h, 'seq', seq);
    await removeRaw(h);
    const kb = await kubeletRun(h, 'burst', burst, true);
    const rb = await rawRun(h, 'burst', burst, true);
    // no waiting for the kubelet to remove the burst: close() removes every container of this harness's cluster
    return [
      { name: `pod startup p50 (${seq} sequential, create -> Ready by watch)`, value: percentile(k, 50), unit: 'ms', baseline: percentile(r, 50) },
      { name: `pod startup p99 (${seq} sequential)`, value: percentile(k, 99), unit: 'ms', baseline: percentile(r, 99), goal: atMost(1.05) },
      { name: `pod startup p50 (${burst} at once)`, value: percentile(kb, 50), unit: 'ms', baseline: percentile(rb, 50) },
      { name: `pod startup all ready (${burst} at once)`, value: Math.max(...kb), unit: 'ms', baseline: Math.max(...rb), goal: atMost(1.1) },
    ];
  } finally {
    await removeRaw(h).catch(() => undefined);
    await h.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  setLogSink(() => {});
  const results = await run({ quick: process.argv.includes('--quick') });
  for (const r of results)
    console.log(
      `${r.name}: ${r.value.toFixed(0)} ${r.unit} (raw dockerode ${r.baseline?.toFixed(0)} ${r.unit}, ratio ${(r.value / (r.baseline ?? 1)).toFixed(2)}x)`,
    );
}
