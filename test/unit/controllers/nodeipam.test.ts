// The nodeipam controller: one /24 of the cluster CIDR per node, Docker nodes claiming theirs on their engine first.
import { afterEach, describe, expect, it } from 'vitest';
import type { Event, Node } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { POD_CIDR_ANNOTATIONS as A, RUNTIME_ANNOTATION } from '../../../main/api/pod-cidr-claim';
import { createApiServer } from '../../../main/apiserver/index';
import { adminUser } from '../../../main/apiserver/authn';
import { Informer } from '../../../main/client/informer';
import { R, type Client } from '../../../main/client/types';
import { ControllerManager } from '../../../main/controllers';
import { decideNodeCidr } from '../../../main/controllers/nodeipam/nodeipam-decisions';
import { setLogSink } from '../../../main/log';
import { memoryStore } from '../../../main/store/index';
import { watchUntil } from '../../fixtures/watch';

setLogSink(() => {});
type N = Node & KubeObject;
const CLUSTER = '10.244.0.0/16';

const node = (name: string, annotations: Record<string, string> = {}, spec: Node['spec'] = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, annotations },
  spec,
});
const docker = { [RUNTIME_ANNOTATION]: 'docker' };

describe('decideNodeCidr', () => {
  it.each([
    {
      why: 'a virtual node gets the first free /24 at once',
      n: node('v', { [RUNTIME_ANNOTATION]: 'virtual' }),
      taken: ['10.244.0.0/24'],
      want: { kind: 'assign', cidr: '10.244.1.0/24' },
    },
    { why: 'a node made by hand (no runtime) too', n: node('h'), taken: [], want: { kind: 'assign', cidr: '10.244.0.0/24' } },
    {
      why: 'a node with a podCIDR is left alone',
      n: node('a', {}, { podCIDR: '10.244.5.0/24', podCIDRs: ['10.244.5.0/24'] }),
      taken: [],
      want: { kind: 'none', reason: 'has a podCIDR' },
    },
    {
      why: 'a node with a podCIDR loses leftover claim notes',
      n: node('a', { [A.offer]: '10.244.5.0/24' }, { podCIDRs: ['10.244.5.0/24'] }),
      taken: [],
      want: { kind: 'clean' },
    },
    {
      why: 'a Docker node waits for its kubelet to say what its engine uses',
      n: node('d', docker),
      taken: [],
      want: { kind: 'none', reason: 'its kubelet has not reported what its engine uses' },
    },
    {
      why: 'a Docker node is offered a /24 outside what its engine uses',
      n: node('d', { ...docker, [A.unavailable]: '10.244.0.0/24,10.244.1.0/24' }),
      taken: [],
      want: { kind: 'offer', cidr: '10.244.2.0/24' },
    },
    {
      why: 'its preferred /24 (its engine has the network already) when free',
      n: node('d', { ...docker, [A.unavailable]: '', [A.preferred]: '10.244.9.0/24' }),
      taken: ['10.244.0.0/24'],
      want: { kind: 'offer', cidr: '10.244.9.0/24' },
    },
    {
      why: 'an offer it has not claimed yet is kept',
      n: node('d', { ...docker, [A.unavailable]: '', [A.offer]: '10.244.3.0/24' }),
      taken: [],
      want: { kind: 'offer', cidr: '10.244.3.0/24', keep: true },
    },
    {
      why: 'a claimed offer is assigned',
      n: node('d', { ...docker, [A.unavailable]: '', [A.offer]: '10.244.3.0/24', [A.claimed]: '10.244.3.0/24' }),
      taken: [],
      want: { kind: 'assign', cidr: '10.244.3.0/24' },
    },
    {
      why: 'an offer its engine refused: the next one',
      n: node('d', { ...docker, [A.unavailable]: '10.244.3.0/24', [A.offer]: '10.244.3.0/24' }),
      taken: [],
      want: { kind: 'offer', cidr: '10.244.0.0/24' },
    },
    {
      why: 'a claim of a /24 another node got meanwhile is not assigned',
      n: node('d', { ...docker, [A.unavailable]: '', [A.offer]: '10.244.3.0/24', [A.claimed]: '10.244.3.0/24' }),
      taken: ['10.244.3.0/24'],
      want: { kind: 'offer', cidr: '10.244.0.0/24' },
    },
    {
      why: 'an offer outside the cluster CIDR (changed since) is replaced',
      n: node('d', { ...docker, [A.unavailable]: '', [A.offer]: '10.1.0.0/24', [A.claimed]: '10.1.0.0/24' }),
      taken: [],
      want: { kind: 'offer', cidr: '10.244.0.0/24' },
    },
    { why: 'nothing left', n: node('d', { ...docker, [A.unavailable]: '10.244.0.0/17' }), taken: ['10.244.128.0/17'], want: { kind: 'unavailable' } },
  ])('$why', ({ n, taken, want }) => expect(decideNodeCidr(n, taken, CLUSTER)).toEqual(want));
});

const until = (client: Client, name: string, pred: (n: N) => boolean, what: string) =>
  watchUntil<N>(client, R.nodes, name, `node ${name}: ${what}`, (n) => pred(n), { timeoutMs: 5000 });

let cm: ControllerManager | undefined;
const informers: Informer<N>[] = [];
afterEach(() => {
  cm?.stop();
  informers.splice(0).forEach((i) => i.stop());
});

async function lab(clusterCIDR = CLUSTER) {
  const api = createApiServer({ store: memoryStore() });
  await api.bootstrap();
  const client = api.client(adminUser);
  cm = new ControllerManager({ client, options: { controllers: ['nodeipam'], clusterCIDR } });
  await cm.start();
  return client;
}

/** A stand-in for Docker kubelets' engine side: claims each offer unless its engine holds that range. */
function engineClaims(client: Client, engineHas: Set<string>): void {
  const inf = new Informer<N>(client, R.nodes);
  informers.push(inf);
  const onNode = (n: N) => {
    const a = n.metadata.annotations ?? {};
    const offer = a[A.offer];
    if (!offer || a[A.claimed] === offer || n.spec?.podCIDR || (a[A.unavailable] ?? '').split(',').includes(offer)) return;
    const annotations = engineHas.has(offer) ? { [A.unavailable]: [a[A.unavailable], offer].filter(Boolean).join(',') } : { [A.claimed]: offer };
    void client.patch(R.nodes, n.metadata.name!, 'application/merge-patch+json', { metadata: { annotations } });
  };
  inf.addHandlers({ add: onNode, update: (_o, n) => onNode(n) });
  void inf.start();
}

describe('NodeIpamController', () => {
  it('gives nodes without a claim one /24 each, in order, and a freed /24 to the next node', async () => {
    const client = await lab();
    for (const name of ['v1', 'v2']) await client.create(R.nodes, node(name) as KubeObject);
    expect((await until(client, 'v1', (n) => !!n.spec?.podCIDR, 'a podCIDR')).spec).toMatchObject({ podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
    expect((await until(client, 'v2', (n) => !!n.spec?.podCIDR, 'a podCIDR')).spec?.podCIDR).toBe('10.244.1.0/24');
    await client.delete(R.nodes, 'v1');
    await client.create(R.nodes, node('v3') as KubeObject);
    expect((await until(client, 'v3', (n) => !!n.spec?.podCIDR, 'a podCIDR')).spec?.podCIDR).toBe('10.244.0.0/24');
  });

  it('a Docker node: offered a /24 its engine does not have, claimed, then assigned; the notes go', async () => {
    const client = await lab();
    await client.create(R.nodes, node('taken-by-a-node') as KubeObject);
    await until(client, 'taken-by-a-node', (n) => !!n.spec?.podCIDR, 'a podCIDR');
    // another lab took 10.244.2.0/24 on this engine after the kubelet looked: the engine refuses that offer
    engineClaims(client, new Set(['10.244.2.0/24']));
    await client.create(R.nodes, node('d1', { ...docker, [A.unavailable]: '10.244.1.0/24' }) as KubeObject);
    const d1 = await until(client, 'd1', (n) => !!n.spec?.podCIDR, 'a podCIDR');
    expect(d1.spec).toMatchObject({ podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] });
    expect(Object.keys(d1.metadata.annotations ?? {}).filter((k) => k.startsWith('kubelab.io/pod-cidr'))).toEqual([]);
  });

  it('a Docker node registered by an older lab (no report yet) waits for its kubelet, then gets one', async () => {
    const client = await lab();
    engineClaims(client, new Set());
    await client.create(R.nodes, node('old', docker) as KubeObject);
    await client.create(R.nodes, node('marker') as KubeObject);
    // the controller handled both in order: the virtual one got a /24, the Docker one was not offered any
    expect((await until(client, 'marker', (n) => !!n.spec?.podCIDR, 'a podCIDR')).spec?.podCIDR).toBe('10.244.0.0/24');
    expect((await client.get<N>(R.nodes, 'old')).metadata.annotations?.[A.offer]).toBeUndefined();
    await client.patch(R.nodes, 'old', 'application/merge-patch+json', { metadata: { annotations: { [A.unavailable]: '' } } });
    expect((await until(client, 'old', (n) => !!n.spec?.podCIDR, 'a podCIDR')).spec?.podCIDR).toBe('10.244.1.0/24');
  });

  it('says CIDRNotAvailable when the cluster CIDR is used up', async () => {
    const client = await lab('10.9.0.0/24');
    await client.create(R.nodes, node('first') as KubeObject);
    await until(client, 'first', (n) => !!n.spec?.podCIDR, 'a podCIDR');
    const second = await client.create<N>(R.nodes, node('second') as KubeObject);
    const events = new Informer<Event & KubeObject>(client, R.events, { namespace: 'default' });
    const seen = new Promise<Event>((resolve) => events.addHandlers({ add: (e) => e.involvedObject.uid === second.metadata.uid && resolve(e) }));
    await events.start();
    const ev = await seen;
    events.stop();
    expect(ev).toMatchObject({
      reason: 'CIDRNotAvailable',
      type: 'Normal',
      message: 'Node second status is now: CIDRNotAvailable',
      source: { component: 'cidrAllocator' },
    });
    expect((await client.get<N>(R.nodes, 'second')).spec?.podCIDR).toBeUndefined();
  });
});
