import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../../main/cluster';
import type { ClusterStatus } from '../../../main/bridge/contract';
import { setLogSink } from '../../../main/log';

// No Docker here: contexts come from a temp HOME whose only engine does not exist, so the lab runs virtual.
let dir: string;
const noDocker = () => ({ env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` }, home: dir });

beforeAll(async () => {
  setLogSink(() => {});
  dir = await mkdtemp(join(tmpdir(), 'kubelab-cluster-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('Cluster lifecycle', { timeout: 60_000 }, () => {
  it('goes STOPPED -> STARTING (with progress) -> STARTED -> STOPPING -> STOPPED', async () => {
    const cluster = new Cluster({ dataDir: join(dir, 'a'), apiPort: 0, contextEnv: noDocker() });
    const seen: ClusterStatus[] = [];
    cluster.on('status', (s) => seen.push(s));
    expect(cluster.status().phase).toBe('STOPPED');
    await cluster.start();
    expect(cluster.status()).toMatchObject({ phase: 'STARTED', virtual: true, dataDir: join(dir, 'a') });
    expect(cluster.status().message).toMatch(
      /^No reachable Docker engine \(default: no Docker engine at .*none\.sock \(socket not found\)\): the lab runs on one virtual node/,
    );
    expect(cluster.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.nodes.map((n) => [n.name, n.kind])).toEqual([['virtual-node-1', 'virtual']]);
    expect(cluster.contextReport[0]).toMatchObject({ name: 'default', reachable: false });

    const progress = seen.filter((s) => s.phase === 'STARTING' && s.progress).map((s) => s.progress!);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.map((p) => p.current)).toEqual([...progress.map((p) => p.current)].sort((a, b) => a - b));
    expect(new Set(progress.map((p) => p.max)).size).toBe(1);
    expect(progress[0].description).toMatch(/certificates/);

    await cluster.stop();
    expect(seen.slice(-2).map((s) => s.phase)).toEqual(['STOPPING', 'STOPPED']);
  });

  it('a failed start ends in ERROR with the reason, having stopped what it started, and can be retried', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const cluster = new Cluster({ dataDir: join(dir, 'b'), apiPort: port, contextEnv: noDocker() });
    await expect(cluster.start()).rejects.toThrow(/EADDRINUSE/);
    expect(cluster.status().phase).toBe('ERROR');
    expect(cluster.status().message).toMatch(/^Serving the API on HTTPS failed: .*EADDRINUSE/);
    await new Promise<void>((r) => blocker.close(() => r()));
    // the store was closed on the way out, so the same data dir opens again
    await cluster.start();
    expect(cluster.status().phase).toBe('STARTED');
    await cluster.stop();
  });

  it('keeps its PKI and cluster id across restarts of one data dir', async () => {
    const a = new Cluster({ dataDir: join(dir, 'c'), apiPort: 0, contextEnv: noDocker() });
    await a.start();
    const first = { ca: a.pki!.caCert, id: a.clusterId };
    await a.stop();
    const b = new Cluster({ dataDir: join(dir, 'c'), apiPort: 0, contextEnv: noDocker() });
    await b.start();
    expect({ ca: b.pki!.caCert, id: b.clusterId }).toEqual(first);
    await b.stop();
  });
});
