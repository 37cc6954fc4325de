// "Reset lab" through the bridge, on a real lab (virtual nodes, no Docker): the data dir goes, a new lab with a new
// cluster id starts in its place, and the UI's client follows the new API server.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../../main/cluster';
import { BridgeServer } from '../../../main/bridge/server';
import { clusterBackend } from '../../../main/bridge/cluster-backend';
import { setLogSink } from '../../../main/log';
import { connectApi } from './transports';

setLogSink(() => {});
const labs: Cluster[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const l of labs) await l.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.each(['direct', 'websocket'] as const)('cluster:reset over %s transport', (mode) => {
  it('stops the lab, deletes its data dir, and starts a new lab there that the UI talks to', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubelab-reset-'));
    dirs.push(dir);
    const dataDir = join(dir, 'lab');
    const lab = new Cluster({ dataDir, apiPort: 0, virtualNodes: 1, contextEnv: { env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` }, home: dir } });
    labs.push(lab);
    await lab.start();
    const c = await connectApi(new BridgeServer(clusterBackend(lab)), mode, 'tok');
    try {
      await c.api.api.create({
        ref: { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
        namespace: 'default',
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before-reset' } },
      });
      const before = (await readFile(join(dataDir, 'cluster-id'), 'utf8')).trim();
      const marker = join(dataDir, 'left-by-the-user');
      await writeFile(marker, 'x');

      const r = await c.api.cluster.reset();
      expect(r).toEqual({ removed: { containers: 0, networks: 0, volumes: 0 }, engines: [], unreachable: [] });
      expect((await c.api.cluster.status()).phase).toBe('STARTED');
      const after = (await readFile(join(dataDir, 'cluster-id'), 'utf8')).trim();
      expect(after).not.toBe(before);
      expect(existsSync(marker)).toBe(false);
      // the bridge's client is the new API server's: the old objects are gone, the new node is there with a /24
      const cms = await c.api.api.list({
        ref: { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
        namespace: 'default',
      });
      expect(cms.items.map((i) => i.metadata.name)).not.toContain('before-reset');
      const nodes = await c.api.api.list({ ref: { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false } });
      expect(nodes.items.map((n) => [n.metadata.name, (n.spec as { podCIDR?: string }).podCIDR])).toEqual([['virtual-node-1', '10.244.0.0/24']]);
    } finally {
      await c.close();
    }
  });
});

describe('Cluster.reset', () => {
  it('refuses while the lab starts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubelab-reset-'));
    dirs.push(dir);
    const lab = new Cluster({
      dataDir: join(dir, 'lab'),
      apiPort: 0,
      virtualNodes: 1,
      contextEnv: { env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` }, home: dir },
    });
    labs.push(lab);
    const starting = lab.start();
    await expect(lab.reset()).rejects.toMatchObject({ code: 409, reason: 'Conflict', message: 'cannot reset the lab while it is STARTING' });
    await starting;
  });
});
