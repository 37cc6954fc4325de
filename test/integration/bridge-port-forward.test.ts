// portforward:start|list|stop through the one bridge contract, over both transports (Electron's IPC shape and the
// WebSocket of `kubelab serve`), against an in-process lab on the real engine: nginx answers, the change events
// carry the counts, errors come back as Kubernetes Status, and stopping the lab ends every forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../main/cluster';
import { R } from '../../main/client/types';
import { BridgeError, type PortForwardInfo } from '../../main/bridge/contract';
import { BridgeServer } from '../../main/bridge/server';
import { clusterBackend } from '../../main/bridge/cluster-backend';
import { UI_USER } from '../../main/bridge/cluster-backend';
import { removeLabObjects } from '../fixtures/serve';
import { images } from '../fixtures/env';
import { connectApi, type TransportMode } from '../unit/bridge/transports';

let dir: string;
let cluster: Cluster;
let server: BridgeServer;

/** One HTTP/1.0 GET over a raw socket: the whole answer. */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const c = connect(port, '127.0.0.1', () => c.write('GET / HTTP/1.0\r\n\r\n'));
    c.on('data', (d) => (out += d))
      .on('end', () => resolve(out))
      .on('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelab-pf-bridge-'));
  cluster = new Cluster({ dataDir: dir, apiPort: 0, nodes: ['default'] });
  await cluster.start();
  const client = cluster.api!.client(UI_USER);
  await client.create(R.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'nginx', image: images.nginx, imagePullPolicy: 'IfNotPresent', ports: [{ name: 'http', containerPort: 80 }] }] },
  });
  await new Promise<void>((resolve, reject) => {
    void client.watch(R.pods, { namespace: 'default', fieldSelector: 'metadata.name=web' }, (ev) => {
      const p = ev.object as { status?: { phase?: string; conditions?: { type: string; status: string }[] } };
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) resolve();
      if (p.status?.phase === 'Failed') reject(new Error('pod web failed'));
    });
  });
  server = new BridgeServer(clusterBackend(cluster));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await removeLabObjects(cluster?.clusterId ?? '');
  await rm(dir, { recursive: true, force: true });
});

describe.each(['direct', 'websocket'] as TransportMode[])('port-forward over the %s transport', (mode) => {
  it('starts, carries nginx, pushes its counts, lists and stops', async () => {
    const { api, close } = await connectApi(server, mode);
    try {
      const pushed: PortForwardInfo[][] = [];
      api.portForwards.onChange((all) => pushed.push(all));
      const f = await api.portForwards.start({ namespace: 'default', kind: 'Pod', name: 'web', port: 'http' });
      expect(f).toMatchObject({
        kind: 'Pod',
        name: 'web',
        pod: 'web',
        port: 'http',
        targetPort: 80,
        state: 'Active',
        kubectl: `kubectl port-forward pod/web ${f.localPort}:http`,
      });
      expect(await get(f.localPort)).toContain('Welcome to nginx!');
      await expect.poll(() => pushed.at(-1)?.find((x) => x.id === f.id)?.bytesIn ?? 0).toBeGreaterThan(600);
      const listed = (await api.portForwards.list()).find((x) => x.id === f.id)!;
      expect(listed).toMatchObject({ totalConnections: 1, connections: 0 });
      expect(listed.bytesOut).toBe('GET / HTTP/1.0\r\n\r\n'.length);
      await api.portForwards.stop(f.id);
      expect((await api.portForwards.list()).some((x) => x.id === f.id)).toBe(false);
      await expect(get(f.localPort)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await close();
    }
  });

  it('answers a missing pod, a missing port and a taken local port with a Status error', async () => {
    const { api, close } = await connectApi(server, mode);
    try {
      const missing = await api.portForwards.start({ namespace: 'default', kind: 'Pod', name: 'nope', port: 80 }).catch((e) => e);
      expect(missing).toBeInstanceOf(BridgeError);
      expect(missing).toMatchObject({ status: 404, message: 'pods "nope" not found' });
      await expect(api.portForwards.start({ namespace: 'default', kind: 'Pod', name: 'web', port: 'grpc' })).rejects.toMatchObject({
        status: 400,
        message: "Pod 'web' does not have a named port 'grpc'",
      });
      await expect(api.portForwards.start({ namespace: 'default', kind: 'Pod', name: 'web', port: 70000 })).rejects.toMatchObject({ status: 400 });
      const f = await api.portForwards.start({ namespace: 'default', kind: 'Pod', name: 'web', port: 80 });
      await expect(api.portForwards.start({ namespace: 'default', kind: 'Pod', name: 'web', port: 80, localPort: f.localPort })).rejects.toMatchObject({
        status: 409,
        message: expect.stringContaining(`unable to listen on port ${f.localPort}`),
      });
      await expect(api.portForwards.stop('pf-nope')).rejects.toMatchObject({ status: 404 });
      await api.portForwards.stop(f.id);
    } finally {
      await close();
    }
  });
});

describe('the lab stopping', () => {
  it('ends every forward', async () => {
    const { api, close } = await connectApi(server, 'direct');
    const f = await api.portForwards.start({ namespace: 'default', kind: 'Pod', name: 'web', port: 80 });
    expect(await get(f.localPort)).toContain('200 OK');
    await close();
    // the page that started it is gone; the forward is the lab's, so it still serves
    expect(await get(f.localPort)).toContain('200 OK');
    await cluster.stop();
    await expect(get(f.localPort)).rejects.toThrow(/ECONNREFUSED/);
  });
});
