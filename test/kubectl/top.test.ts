// `kubectl top` against the lab (issue 16): metrics.k8s.io/v1beta1 served from the engines' stats, found by the real
// kubectl through discovery. A pod spinning on a CPU limit of 200m shows about 200m, an idle nginx a few Mi of working
// set (what the engine itself reports), a virtual pod its simulated use; nodes sum what the lab runs on them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { images, mainSocket } from '../fixtures/env';

let lab: Serve;
const { eventually, kubectl, json } = labSteps(() => lab);

const pod = (name: string, o: { image: string; command?: string[]; node?: string; cpuLimit?: string }) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name, tier: 'top' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      ...(o.node ? { nodeName: o.node } : {}),
      containers: [
        {
          name: 'main',
          image: o.image,
          imagePullPolicy: 'IfNotPresent',
          ...(o.command ? { command: o.command } : {}),
          ...(o.cpuLimit ? { resources: { limits: { cpu: o.cpuLimit } } } : {}),
        },
      ],
    },
  });

/** `kubectl top pod` rows: name -> [millicores, MiB]. */
async function topPods(...args: string[]): Promise<Record<string, [number, number]>> {
  const out = await kubectl('top', 'pod', '--no-headers', ...args);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, cpu, mem] = l.trim().split(/\s+/);
        return [name, [Number(cpu.replace(/m$/, '')), Number(mem.replace(/Mi$/, ''))]];
      }),
  );
}

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], virtualNodes: 1, args: ['--metric-resolution', '1'], timeoutMs: 90_000 });
  for (const p of [
    pod('busy', { image: images.busybox, command: ['sh', '-c', 'while :; do :; done'], node: 'default', cpuLimit: '200m' }),
    pod('idle', { image: images.nginx, node: 'default' }),
    pod('sim', { image: images.nginx, node: 'virtual-node-1' }),
  ]) {
    const r = await lab.kubectl(['create', '-f', '-'], { input: p });
    expect(r.code, r.stderr).toBe(0);
  }
  await kubectl('wait', '--for=condition=Ready', 'pod/busy', 'pod/idle', 'pod/sim', '--timeout=90s');
}, 180_000);

afterAll(async () => {
  await lab?.stop();
});

describe('kubectl top', () => {
  it('finds metrics.k8s.io in discovery', async () => {
    const out = await kubectl('api-resources', '--api-group=metrics.k8s.io', '--no-headers');
    expect(out).toMatch(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
    expect(out).toMatch(/^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
  });

  it('top pod: the busy pod near its 200m limit, nginx idle with a working set, the virtual pod simulated', async () => {
    // a CPU rate needs two readings, and the busy loop a moment to reach its quota
    const rows = await eventually(
      async () => {
        const r = await topPods();
        return r.busy && r.idle && r.sim && r.busy[0] >= 150 ? r : undefined;
      },
      60_000,
      'kubectl top pod to list all three',
    );
    expect(rows.busy[0]).toBeLessThanOrEqual(230);
    expect(rows.idle[0]).toBeLessThan(20);
    expect(rows.idle[1]).toBeGreaterThanOrEqual(1);
    expect(rows.sim[0]).toBeGreaterThanOrEqual(1);
    expect(rows.sim[0]).toBeLessThanOrEqual(10);
    expect(rows.sim[1]).toBeGreaterThanOrEqual(5);
    expect(rows.sim[1]).toBeLessThanOrEqual(34);
  });

  it('reports the working set the engine itself reports (usage less inactive file)', async () => {
    const id = (await json('get', 'pod', 'idle')).status.containerStatuses[0].containerID.replace('docker://', '');
    const raw = (await new Docker({ socketPath: mainSocket }).getContainer(id).stats({ stream: false })) as any;
    const engineMi = (raw.memory_stats.usage - (raw.memory_stats.stats.total_inactive_file ?? raw.memory_stats.stats.inactive_file ?? 0)) / 1024 / 1024;
    const m = JSON.parse(await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idle'));
    expect(m).toMatchObject({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'idle', namespace: 'default', labels: { app: 'idle' } },
    });
    expect(m.window).toMatch(/^\d+(\.\d+)?s$/);
    expect(m.containers).toEqual([{ name: 'main', usage: { cpu: expect.stringMatching(/^\d+n$/), memory: expect.stringMatching(/^\d+Ki$/) } }]);
    const ourMi = Number(m.containers[0].usage.memory.replace('Ki', '')) / 1024;
    expect(Math.abs(ourMi - engineMi)).toBeLessThan(Math.max(1, engineMi * 0.25));
  });

  it('top pod --containers, a label selector, and one pod by name; a missing one is NotFound', async () => {
    const out = await kubectl('top', 'pod', '--containers', '--no-headers');
    expect(out).toMatch(/^busy\s+main\s+\d+m\s+\d+Mi/m);
    expect(Object.keys(await topPods('-l', 'app=idle'))).toEqual(['idle']);
    expect(Object.keys(await topPods('busy'))).toEqual(['busy']);
    const r = await lab.kubectl(['top', 'pod', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (NotFound): podmetrics.metrics.k8s.io "default/nope" not found');
  });

  it('top node: each node with what the lab runs on it, as a share of its allocatable', async () => {
    const out = await kubectl('top', 'node', '--no-headers');
    const rows = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => {
          const [n, cpu, cpuPct, mem] = l.trim().split(/\s+/);
          return [n, { cpu, cpuPct, mem }];
        }),
    );
    expect(Object.keys(rows).sort()).toEqual(['default', 'virtual-node-1']);
    expect(Number(rows.default.cpu.replace('m', ''))).toBeGreaterThanOrEqual(150);
    expect(rows.default.cpuPct).toMatch(/^\d+%$/);
    expect(Number(rows['virtual-node-1'].cpu.replace('m', ''))).toBeLessThan(20);
    expect(rows['virtual-node-1'].mem).toMatch(/^\d+Mi$/);
  });

  it('kubectl get podmetrics prints CPU, memory and window as a table', async () => {
    const out = await kubectl('get', 'podmetrics', 'busy');
    expect(out).toMatch(/^NAME\s+CPU\s+MEMORY\s+WINDOW\nbusy\s+\d+m\s+\d+Mi\s+\d+(\.\d+)?s\n$/);
  });
});
