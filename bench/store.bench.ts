// Store benchmark: durable creates/s under group commit with 1, 16 and 64 concurrent writers,
// against the baseline of one raw write + fsync per record (the store itself uses fdatasync), measured in
// alternating 1 s slices (3 rounds, 1 with --quick), plus watch fan-out latency to 100 watchers.
// Run: node --import tsx bench/store.bench.ts [--quick]   (KUBELAB_BENCH_DIR picks the disk; default: the OS temp dir)
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeObject } from '../main/api/object';
import { setLogSink } from '../main/log';
import { memoryStore, openStore } from '../main/store';
import { frame } from '../main/store/wal';
import { printTable, type BenchOptions, type BenchResult } from './report';

/** length of one measured slice; cases alternate slice by slice so a shared disk's drift hits all alike */
const SLICE_SECONDS = 1;

interface Sample {
  count: number;
  seconds: number;
}

function podObject(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `bench-${i}`,
      namespace: 'default',
      labels: { app: 'bench', tier: 'web' },
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    },
    spec: {
      containers: [
        { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

function tempDir(base: string): string {
  return mkdtempSync(join(base, 'kubelab-store-bench-'));
}

/** One record per write, each followed by its own fsync: what a store without group commit pays. */
function rawFsyncPerRecord(base: string): Sample {
  const dir = tempDir(base);
  try {
    const fd = openSync(join(dir, 'raw.log'), 'a', 0o600);
    const t0 = performance.now();
    const end = t0 + SLICE_SECONDS * 1000;
    let n = 0;
    while (performance.now() < end) {
      writeSync(fd, frame(JSON.stringify({ r: n + 1, o: 'put', k: `/pods/default/bench-${n}`, v: podObject(n) })));
      fsyncSync(fd);
      n++;
    }
    closeSync(fd);
    return { count: n, seconds: (performance.now() - t0) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function durableCreates(base: string, writers: number): Promise<Sample> {
  const dir = tempDir(base);
  const store = await openStore(dir);
  try {
    const end = performance.now() + SLICE_SECONDS * 1000;
    let next = 0;
    const worker = async () => {
      while (performance.now() < end) {
        const i = next++;
        await store.create(`/pods/default/bench-${i}`, podObject(i));
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: writers }, worker));
    return { count: next, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Time from a write's call to its delivery at each of 100 watchers (memory store: fan-out only). */
async function watchLatency(): Promise<{ p50: number; p99: number }> {
  const store = memoryStore();
  const started = new Map<number, number>();
  const latencies: number[] = [];
  const handles = Array.from({ length: 100 }, () => store.watch('/pods/', 0, (ev) => latencies.push(performance.now() - started.get(ev.revision)!)));
  for (let i = 0; i < 1000; i++) {
    started.set(store.revision + 1, performance.now());
    await store.create(`/pods/default/bench-${i}`, podObject(i));
  }
  while (latencies.length < 100_000) await new Promise((r) => setImmediate(r));
  handles.forEach((h) => h.cancel());
  await store.close();
  latencies.sort((a, b) => a - b);
  return { p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] };
}

export async function run(opts: BenchOptions = { quick: false }): Promise<BenchResult[]> {
  setLogSink(() => {});
  const base = process.env.KUBELAB_BENCH_DIR ?? tmpdir();
  const cases: [string, () => Sample | Promise<Sample>][] = [
    ['raw write+fsync per record', () => rawFsyncPerRecord(base)],
    ...[1, 16, 64].map((w): [string, () => Promise<Sample>] => [`durable creates, ${w} writer${w > 1 ? 's' : ''}`, () => durableCreates(base, w)]),
  ];
  const totals = cases.map(() => ({ count: 0, seconds: 0 }));
  for (let round = 0; round < (opts.quick ? 1 : 3); round++) {
    for (const [i, [, measure]] of cases.entries()) {
      const { count, seconds } = await measure();
      totals[i].count += count;
      totals[i].seconds += seconds;
    }
  }
  const rates = totals.map((t) => t.count / t.seconds);
  const baseline = rates[0];
  const results: BenchResult[] = [{ name: cases[0][0], value: baseline, unit: 'records/s' }];
  for (let i = 1; i < cases.length; i++) results.push({ name: cases[i][0], value: rates[i], unit: 'creates/s', baseline, ratio: rates[i] / baseline });
  const lat = await watchLatency();
  results.push({ name: 'watch delivery p50, 100 watchers', value: lat.p50, unit: 'ms' });
  results.push({ name: 'watch delivery p99, 100 watchers', value: lat.p99, unit: 'ms' });
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await run({ quick: process.argv.includes('--quick') }));
}
