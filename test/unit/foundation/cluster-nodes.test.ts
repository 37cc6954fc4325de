// Which run-time node additions and removals the lab refuses, and the start progress line about Docker contexts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNodeRefusal, Cluster, contextsLine, removeNodeRefusal } from '../../../main/cluster';
import type { ClusterStatus } from '../../../main/bridge/contract';
import { setLogSink } from '../../../main/log';

const nodes = [{ name: 'default', context: 'default' }, { name: 'virtual-node-1' }];
const known = ['default', 'node2', 'down'];

describe('addNodeRefusal', () => {
  it.each([
    {
      why: 'unknown context',
      context: 'nope',
      probed: undefined,
      code: 404,
      reason: 'NotFound',
      message: 'no Docker context named "nope" (known: default, node2, down)',
    },
    {
      why: 'context already a node',
      context: 'default',
      probed: undefined,
      code: 409,
      reason: 'AlreadyExists',
      message: 'Docker context "default" is already node "default"',
    },
    { why: 'known, not probed yet', context: 'node2', probed: undefined, code: undefined, reason: undefined, message: undefined },
    {
      why: 'its node name is taken',
      context: 'node2',
      probed: { nodeName: 'virtual-node-1', reachable: true },
      code: 409,
      reason: 'AlreadyExists',
      message: 'nodes "virtual-node-1" already exists',
    },
    {
      why: 'unreachable, with its reason',
      context: 'down',
      probed: { nodeName: 'down', reachable: false, reason: 'connection refused at unix:///x.sock (is dockerd running?)' },
      code: 503,
      reason: 'ServiceUnavailable',
      message: 'Docker context "down" is not reachable: connection refused at unix:///x.sock (is dockerd running?)',
    },
    { why: 'reachable and free', context: 'node2', probed: { nodeName: 'node2', reachable: true }, code: undefined, reason: undefined, message: undefined },
  ])('$why', ({ context, probed, code, reason, message }) => {
    const err = addNodeRefusal(context, known, nodes, probed);
    expect(err?.code).toBe(code);
    expect(err?.reason).toBe(reason);
    expect(err?.message).toBe(message);
  });
});

describe('removeNodeRefusal', () => {
  it.each([
    { why: 'not a node of the lab', name: 'node9', nodes, code: 404, message: 'nodes "node9" not found in this lab (nodes: default, virtual-node-1)' },
    {
      why: 'the only node',
      name: 'default',
      nodes: [{ name: 'default' }],
      code: 409,
      message: 'node "default" is the lab\'s only node; add another before removing it',
    },
    { why: 'one of two', name: 'virtual-node-1', nodes, code: undefined, message: undefined },
  ])('$why', ({ name, nodes: ns, code, message }) => {
    const err = removeNodeRefusal(name, ns);
    expect(err?.code).toBe(code);
    expect(err?.message).toBe(message);
  });
});

describe('contextsLine', () => {
  it.each([
    { contexts: [{ name: 'default', reachable: true }], line: 'default' },
    {
      contexts: [
        { name: 'a', reachable: true },
        { name: 'b', reachable: false, reason: 'connection refused' },
      ],
      line: 'a, b (b: connection refused)',
    },
    {
      contexts: [
        { name: 'a', reachable: false },
        { name: 'b', reachable: false, reason: 'timed out' },
      ],
      line: 'a, b (a: unreachable; b: timed out)',
    },
  ])('$line', ({ contexts, line }) => expect(contextsLine(contexts)).toBe(line));
});

// A lab without Docker (temp HOME: the default engine and a context named `offline` both missing), on virtual nodes.
describe('a running lab adds and removes nodes', { timeout: 60_000 }, () => {
  let dir: string;
  let cluster: Cluster;
  const seen: ClusterStatus[] = [];
  beforeAll(async () => {
    setLogSink(() => {});
    dir = await mkdtemp(join(tmpdir(), 'kubelab-nodes-'));
    const meta = join(dir, '.docker', 'contexts', 'meta', createHash('sha256').update('offline').digest('hex'));
    await mkdir(meta, { recursive: true });
    await writeFile(join(meta, 'meta.json'), JSON.stringify({ Name: 'offline', Endpoints: { docker: { Host: `unix://${join(dir, 'offline.sock')}` } } }));
    // a node set chosen earlier: read at start, since no --node is given
    await mkdir(join(dir, 'lab'), { recursive: true });
    await writeFile(join(dir, 'lab', 'nodes.json'), JSON.stringify({ contexts: ['default', 'offline'] }));
    cluster = new Cluster({
      dataDir: join(dir, 'lab'),
      apiPort: 0,
      virtualNodes: 2,
      contextEnv: { env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` }, home: dir },
    });
    cluster.on('status', (s) => seen.push(s));
    await cluster.start();
  });
  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('says at start which Docker contexts it found and why they did not answer', () => {
    const details = seen.map((s) => s.progress?.detail).filter(Boolean);
    expect(details[0]).toBe(
      `Docker contexts found: default, offline (default: no Docker engine at ${join(dir, 'none.sock')} (socket not found); offline: no Docker engine at ${join(dir, 'offline.sock')} (socket not found))`,
    );
    expect(details.at(-1)).toMatch(/; nodes registering: virtual-node-1, virtual-node-2$/);
  });

  it('refuses an unknown context (404) and an unreachable one with its reason (503)', async () => {
    await expect(cluster.addNode('nope')).rejects.toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'no Docker context named "nope" (known: default, offline)',
    });
    await expect(cluster.addNode('offline')).rejects.toMatchObject({
      code: 503,
      reason: 'ServiceUnavailable',
      message: `Docker context "offline" is not reachable: no Docker engine at ${join(dir, 'offline.sock')} (socket not found)`,
    });
    const offline = (await cluster.contexts()).find((c) => c.name === 'offline');
    expect(offline).toMatchObject({ reachable: false, reason: `no Docker engine at ${join(dir, 'offline.sock')} (socket not found)` });
  });

  it('removes a node: the Node object goes, the set is written; the last node stays', async () => {
    const client = cluster.api!.client({ username: 'test', groups: ['system:masters'] });
    const removing: string[] = [];
    cluster.on('status', (s) => s.nodeActivity && removing.push(s.nodeActivity.step));
    await cluster.removeNode('virtual-node-2');
    expect(removing).toEqual(['cordoning', 'stopping the kubelet', 'deleting the Node object', 'deleting its pods']);
    expect((await client.list({ group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false })).items.map((n) => n.metadata.name)).toEqual([
      'virtual-node-1',
    ]);
    expect(cluster.status().nodeActivity).toBeUndefined();
    expect(JSON.parse(await readFile(join(dir, 'lab', 'nodes.json'), 'utf8'))).toEqual({ contexts: ['default', 'offline'] });
    await expect(cluster.removeNode('virtual-node-1')).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
  });
});
