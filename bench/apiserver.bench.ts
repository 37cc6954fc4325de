// The API server's own costs, against the store alone in the same run: durable creates per second (acknowledged
// after fsync) with 16 and 64 clients through the full chain (authorize, admission, defaulting, validation, store),
// their CPU per create, and the profile of the API path (top functions by self time, printed before the table), listing 10k pods as
// a Table (what `kubectl get pods` asks for) against the plain list, and watch delivery latency to
// 100 watchers through the API. Run: npm run bench -- apiserver [--quick]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApiServer } from '../main/apiserver/index';
import { adminUser } from '../main/apiserver/authn';
import { toTable } from '../main/apiserver/tables';
import { strategies } from '../main/apiserver/registry/index';
import type { ApiRequest } from '../main/apiserver/types';
import { setLogSink } from '../main/log';
import { memoryStore, openStore } from '../main/store/index';
import type { KubeObject } from '../main/api/object';
import { atLeast, percentile, type BenchResult } from './report';
import { formatProfile, profiled, type ProfileEntry } from './profile';

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

const createReq = (name: string): ApiRequest => ({
  verb: 'create',
  group: '',
  version: 'v1',
  resource: 'pods',
  namespace: 'default',
  body: pod(name),
  query: {},
  user: adminUser,
  userAgent: 'bench',
});

async function parallel(n: number, workers: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return (n / (performance.now() - t0)) * 1000;
}

/**
 * Durable creates (acknowledged after fsync) through the API chain against the store alone, with `clients`
 * concurrent clients, in alternating rounds so the shared disk's and CPU's drift weighs on both alike. The
 * measured runs are not profiled (the sampler costs the API path more than the store); one more API run is, for
 * the profile printed beside the figures.
 */
async function durableCreates(
  n: number,
  clients: number,
  rounds: number,
): Promise<{ api: number; store: number; apiCpu: number; storeCpu: number; profile: ProfileEntry[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'kubelab-bench-api-'));
  let api = 0;
  let store = 0;
  let apiCpu = 0;
  let storeCpu = 0;
  const cpuUs = (u: NodeJS.CpuUsage) => u.user + u.system;
  const apiRun = async (round: string, profile: boolean) => {
    const apiStore = await openStore(join(dir, `api-${round}`));
    try {
      const server = createApiServer({ store: apiStore, dataDir: dir });
      await server.bootstrap();
      // warm the chain (first-use compilation of schemas and code) outside the measured stretch
      await parallel(200, clients, (i) => server.core.handle(createReq(`warm-${i}`)));
      const go = () => parallel(n, clients, (i) => server.core.handle(createReq(`p-${i}`)));
      if (profile) return await profiled(go);
      const cpu0 = process.cpuUsage();
      const result = await go();
      apiCpu += cpuUs(process.cpuUsage(cpu0));
      return { result, entries: [] };
    } finally {
      await apiStore.close();
    }
  };
  try {
    for (let round = 0; round < rounds; round++) {
      const rawStore = await openStore(join(dir, `raw-${round}`));
      const cpu0 = process.cpuUsage();
      store += await parallel(n, clients, (i) => rawStore.create(`/registry/core/pods/default/raw-${i}`, pod(`raw-${i}`)));
      storeCpu += cpuUs(process.cpuUsage(cpu0));
      await rawStore.close();
      api += (await apiRun(String(round), false)).result;
    }
    const { entries } = await apiRun('profiled', true);
    // CPU per create, in µs: steadier than the rates on a shared machine, and what bounds the API's rate
    return { api: api / rounds, store: store / rounds, apiCpu: apiCpu / (n * rounds), storeCpu: storeCpu / (n * rounds), profile: entries };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function listTable(n: number): Promise<{ table: number; list: number }> {
  const store = memoryStore();
  const api = createApiServer({ store, admission: [] });
  await api.bootstrap();
  await parallel(n, 32, (i) => api.core.handle(createReq(`p-${String(i).padStart(5, '0')}`)));
  const podStrategy = strategies.find((s) => s.resource === 'pods' && s.group === '')!;
  const listReq: ApiRequest = { verb: 'list', group: '', version: 'v1', resource: 'pods', namespace: 'default', query: {}, user: adminUser };
  const time = async (fn: () => Promise<string>) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const body = await fn();
      if (!body.length) throw new Error('empty');
      runs.push(performance.now() - t0);
    }
    return percentile(runs, 50);
  };
  const list = await time(async () => JSON.stringify(await api.core.handle(listReq)));
  const table = await time(async () => JSON.stringify(toTable(podStrategy, await api.core.handle(listReq), 'Metadata')));
  return { table, list };
}

async function watchLatency(events: number): Promise<{ p50: number; p99: number }> {
  const store = memoryStore();
  const api = createApiServer({ store, admission: [] });
  await api.bootstrap();
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const watches = await Promise.all(
    Array.from({ length: 100 }, () =>
      api.core.watch(
        {
          verb: 'watch',
          group: '',
          version: 'v1',
          resource: 'pods',
          namespace: 'default',
          query: { watch: 'true', resourceVersion: String(store.revision) },
          user: adminUser,
        },
        (ev) => {
          const t = sent.get((ev.object as KubeObject).metadata.name!);
          if (t !== undefined) latencies.push(performance.now() - t);
        },
      ),
    ),
  );
  for (let i = 0; i < events; i++) {
    sent.set(`w-${i}`, performance.now());
    await api.core.handle(createReq(`w-${i}`));
    await new Promise((r) => setTimeout(r, 2));
  }
  while (latencies.length < events * 100) await new Promise((r) => setTimeout(r, 10));
  for (const w of watches) w.stop();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function run(opts: { quick: boolean } = { quick: false }): Promise<BenchResult[]> {
  const creates: BenchResult[] = [];
  for (const clients of [16, 64]) {
    const c = await durableCreates(opts.quick ? 500 : 5000, clients, opts.quick ? 2 : 5);
    creates.push({
      name: `durable pod creates via API, ${clients} clients (baseline: the store alone)`,
      value: c.api,
      unit: 'creates/s',
      baseline: c.store,
      goal: atLeast(0.5),
    });
    creates.push({ name: `CPU per durable create via API, ${clients} clients (baseline: the store alone)`, value: c.apiCpu, unit: 'µs', baseline: c.storeCpu });
    for (const l of formatProfile(`durable creates via API, ${clients} clients`, c.profile)) console.log(l);
  }
  const lists = await listTable(opts.quick ? 2000 : 10_000);
  const n = opts.quick ? 2000 : 10_000;
  const lat = await watchLatency(opts.quick ? 50 : 200);
  return [
    ...creates,
    { name: `list ${n} pods as Table (JSON)`, value: lists.table, unit: 'ms', baseline: lists.list, ratio: lists.table / lists.list },
    { name: 'API watch delivery p50, 100 watchers', value: lat.p50, unit: 'ms' },
    { name: 'API watch delivery p99, 100 watchers', value: lat.p99, unit: 'ms' },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  setLogSink(() => {});
  const { printTable } = await import('./report');
  printTable(await run({ quick: process.argv.includes('--quick') }));
}
