// nodes:add and nodes:remove through the one contract, over both transports: results, pushed activity, Status-shaped errors.
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeError, type ClusterStatus, type KubelabApi } from '../../../main/bridge/contract';
import { BridgeServer } from '../../../main/bridge/server';
import { clusterBackend, type LabLike } from '../../../main/bridge/cluster-backend';
import { addNodeRefusal, removeNodeRefusal } from '../../../main/cluster';
import { fakeBackend } from './fake-backend';
import { connectApi } from './transports';

/** A fake lab: contexts and nodes in memory, refusing as the real Cluster does (same decision functions). */
function fakeLab() {
  const contexts = [
    { name: 'default', host: 'unix:///var/run/docker.sock', current: true, reachable: true },
    { name: 'node2', host: 'unix:///run/n2.sock', current: false, reachable: true },
    { name: 'down', host: 'unix:///run/down.sock', current: false, reachable: false, reason: 'connection refused' },
  ];
  const nodes: { name: string; context?: string }[] = [{ name: 'default', context: 'default' }];
  const cbs = new Set<(s: ClusterStatus) => void>();
  let status: ClusterStatus = { phase: 'STARTED' };
  const push = (s: ClusterStatus) => {
    status = s;
    cbs.forEach((cb) => cb(s));
  };
  const lab: LabLike = {
    status: () => status,
    on: (_e, cb) => cbs.add(cb),
    off: (_e, cb) => cbs.delete(cb),
    contexts: async () => contexts.map((c) => ({ ...c, node: nodes.find((n) => n.context === c.name)?.name })),
    async addNode(context) {
      const c = contexts.find((x) => x.name === context);
      const refused = addNodeRefusal(
        context,
        contexts.map((x) => x.name),
        nodes,
        c && { nodeName: c.name, reachable: c.reachable, reason: c.reason },
      );
      if (refused) throw refused;
      push({ phase: 'STARTED', nodeActivity: { action: 'add', node: context, context, step: 'starting the kubelet' } });
      nodes.push({ name: context, context });
      push({ phase: 'STARTED' });
      return { name: context, context, host: c!.host, engineVersion: '26.1.5' };
    },
    async removeNode(name) {
      const refused = removeNodeRefusal(name, nodes);
      if (refused) throw refused;
      nodes.splice(
        nodes.findIndex((n) => n.name === name),
        1,
      );
    },
  };
  return { lab, nodes };
}

describe.each(['direct', 'websocket'] as const)('nodes over %s transport', (mode) => {
  let api: KubelabApi;
  let fake: ReturnType<typeof fakeLab>;
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup() {
    fake = fakeLab();
    const c = await connectApi(new BridgeServer(clusterBackend(fake.lab, fakeBackend().backend.client as never)), mode, 'tok');
    cleanups.push(c.close);
    api = c.api;
  }

  async function failure(p: Promise<unknown>): Promise<BridgeError> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(BridgeError);
    return e as BridgeError;
  }

  it('adds a reachable context as a node, pushing its activity, and lists it as serving that node', async () => {
    await setup();
    const steps: string[] = [];
    api.cluster.onStatus((s) => s.nodeActivity && steps.push(`${s.nodeActivity.action} ${s.nodeActivity.node}: ${s.nodeActivity.step}`));
    expect(await api.nodes.add({ context: 'node2' })).toEqual({ name: 'node2', context: 'node2', host: 'unix:///run/n2.sock', engineVersion: '26.1.5' });
    await expect.poll(() => steps).toEqual(['add node2: starting the kubelet']);
    expect((await api.nodes.contexts()).find((c) => c.name === 'node2')?.node).toBe('node2');
  });

  it('refuses with Status-shaped errors: unknown context, already a node, unreachable, missing argument', async () => {
    await setup();
    const unknown = await failure(api.nodes.add({ context: 'nope' }));
    expect([unknown.status, unknown.reason, unknown.message]).toEqual([404, 'NotFound', 'no Docker context named "nope" (known: default, node2, down)']);
    const taken = await failure(api.nodes.add({ context: 'default' }));
    expect([taken.status, taken.reason, taken.message]).toEqual([409, 'AlreadyExists', 'Docker context "default" is already node "default"']);
    const down = await failure(api.nodes.add({ context: 'down' }));
    expect([down.status, down.reason, down.message]).toEqual([503, 'ServiceUnavailable', 'Docker context "down" is not reachable: connection refused']);
    const bad = await failure(api.nodes.add({} as { context: string }));
    expect([bad.status, bad.reason]).toEqual([400, 'BadRequest']);
  });

  it('removes a node; refuses an unknown one and the last one', async () => {
    await setup();
    await api.nodes.add({ context: 'node2' });
    await api.nodes.remove({ node: 'node2' });
    expect(fake.nodes.map((n) => n.name)).toEqual(['default']);
    const unknown = await failure(api.nodes.remove({ node: 'node2' }));
    expect([unknown.status, unknown.reason]).toEqual([404, 'NotFound']);
    const last = await failure(api.nodes.remove({ node: 'default' }));
    expect([last.status, last.reason, last.message]).toEqual([409, 'Conflict', 'node "default" is the lab\'s only node; add another before removing it']);
  });
});

describe('a backend without node management', () => {
  it('says adding nodes is not available', async () => {
    const conn = new BridgeServer(fakeBackend().backend).connect(() => {});
    const env = await conn.invoke('nodes:add', { context: 'node2' });
    expect(env).toEqual({ error: { name: 'Error', message: 'adding nodes is not available in this lab', status: 501, reason: 'NotImplemented' } });
    conn.close();
  });
});
