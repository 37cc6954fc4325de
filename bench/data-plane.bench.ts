// The data plane through the engine's Docker API (an exec of the sandbox's `/pause dial`) against dialing the pod
// IP directly, on the local engine, in the same run: connect latency, throughput of one long transfer, and what
// probing costs when every pod is probed through the API (100 pods probed every second; --quick fewer).
// Run: npm run bench -- data-plane [--quick]
import { pathToFileURL } from 'node:url';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../main/client/types';
import { setLogSink } from '../main/log';
import { directDial, probeNetwork } from '../main/runtime/docker/net-probes';
import { dialInContainer, SpareDialers } from '../main/runtime/docker/pod-dialer';
import { images } from '../test/fixtures/env';
import { getPod, podManifest, startHarness, waitFor, type Harness } from '../test/integration/kubelet-harness';
import { percentile, type BenchOptions, type BenchResult } from './report';

const busybox = { image: images.busybox, imagePullPolicy: 'Never' as const };

/** Reads a connection to its end; resolves with the bytes read. */
function drain(conn: Duplex): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    conn.on('data', (d: Buffer) => (n += d.length));
    conn.on('end', () => resolve(n));
    conn.on('error', reject);
  });
}

async function readyPod(h: Harness, name: string, spec: Partial<Pod['spec']>, timeoutMs = 120_000): Promise<Pod> {
  await h.client.create(R.pods, podManifest(name, h.nodeName, { terminationGracePeriodSeconds: 0, ...spec }), { namespace: 'default' });
  return waitFor(
    `${name} Ready`,
    async () => {
      const p = await getPod(h.client, name);
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && p;
    },
    timeoutMs,
  );
}

async function sandboxOf(h: Harness, pod: Pod): Promise<string> {
  const list = await h.docker.listContainers({ filters: { label: [`io.kubernetes.pod.uid=${pod.metadata!.uid}`, 'io.kubernetes.docker.type=podsandbox'] } });
  return list[0].Id;
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const bytes = opts.quick ? 128 * 2 ** 20 : 2 ** 30;
  const connects = opts.quick ? 20 : 100;
  const probed = opts.quick ? 10 : 100;
  const h = await startHarness({ dataPlane: 'api' });
  try {
    const pod = await readyPod(h, 'source', {
      containers: [
        {
          name: 'src',
          ...busybox,
          command: ['sh', '-c', `nc -ll -p 7002 -e head -c ${bytes} /dev/zero & exec httpd -f -p 8080 -h /www`],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        },
      ],
    });
    const ip = pod.status!.podIP!;
    const sandbox = await sandboxOf(h, pod);
    const tunnel = (port: number) => dialInContainer(h.docker, sandbox, ip, port, 5000);
    const spares = new SpareDialers(h.docker);
    const spared = (port: number) => dialInContainer(h.docker, sandbox, ip, port, 5000, spares);
    const direct = (port: number) => directDial(ip, port, 5000);

    const connectMs = async (dial: (port: number) => Promise<Duplex>, gapMs = 0) => {
      const xs: number[] = [];
      for (let i = 0; i < connects; i++) {
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        const t0 = performance.now();
        const c = await dial(8080);
        xs.push(performance.now() - t0);
        c.destroy();
      }
      return percentile(xs, 50);
    };
    const directConnect = await connectMs(direct);
    const tunnelConnect = await connectMs(tunnel);
    // as the lab dials: a dialer started ahead of need waits in the sandbox (connections 200 ms apart, as probes are)
    const directSpaced = await connectMs(direct, 200);
    const sparedConnect = await connectMs(spared, 200);
    spares.close();

    const throughput = async (dial: (port: number) => Promise<Duplex>) => {
      const t0 = performance.now();
      const n = await drain(await dial(7002));
      if (n !== bytes) throw new Error(`read ${n} of ${bytes} bytes`);
      return bytes / 2 ** 20 / ((performance.now() - t0) / 1000);
    };
    const directMiBs = await throughput(direct);
    const tunnelMiBs = await throughput(tunnel);

    // probes: one httpGet per pod through the API, and the same directly; then the lab's CPU while all are probed each second
    const names = Array.from({ length: probed }, (_, i) => `probed-${i}`);
    // 100 pods at once take minutes on a small machine
    const pods = await Promise.all(
      names.map((name) =>
        readyPod(
          h,
          name,
          {
            containers: [
              {
                name: 'web',
                ...busybox,
                command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
                readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
              },
            ],
          },
          600_000,
        ),
      ),
    );
    const action = { httpGet: { port: 8080, path: '/' } };
    const apiProbe: number[] = [];
    const directProbe: number[] = [];
    for (const p of pods) {
      const id = p.status!.containerStatuses![0].containerID!.replace(/^docker:\/\//, '');
      let t0 = performance.now();
      const r1 = await h.runtime.probe(id, p.status!.podIP, action, 5000);
      apiProbe.push(performance.now() - t0);
      t0 = performance.now();
      const r2 = await probeNetwork(p.status!.podIP, action, 5000);
      directProbe.push(performance.now() - t0);
      if (!r1.ok || !r2.ok) throw new Error(`probe failed: ${r1.message ?? r2.message}`);
    }
    const windowMs = 10_000;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const used = process.cpuUsage(cpu0);
    const cpuPerPod = (used.user + used.system) / 1000 / ((performance.now() - t0) / 1000) / probed;

    return [
      { name: 'data-plane: connect p50 back to back, API tunnel (an exec each) vs direct', value: tunnelConnect, unit: 'ms', baseline: directConnect },
      { name: 'data-plane: connect p50 200 ms apart, API tunnel (spare dialer) vs direct', value: sparedConnect, unit: 'ms', baseline: directSpaced },
      { name: `data-plane: throughput of one ${bytes / 2 ** 20} MiB transfer, API tunnel vs direct`, value: tunnelMiBs, unit: 'MiB/s', baseline: directMiBs },
      {
        name: `data-plane: httpGet probe p50 at ${probed} pods, API tunnel vs direct`,
        value: percentile(apiProbe, 50),
        unit: 'ms',
        baseline: percentile(directProbe, 50),
      },
      { name: `data-plane: lab CPU per probed pod (period 1 s, ${probed} pods, API tunnel)`, value: cpuPerPod, unit: 'ms cpu/s' },
    ];
  } finally {
    await h.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  setLogSink(() => {});
  console.log(await run({ quick: process.argv.includes('--quick') }));
}
