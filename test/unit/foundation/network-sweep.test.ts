// Which lab networks a starting lab removes from an engine: only empty ones whose lab can certainly not come back.
import { describe, expect, it } from 'vitest';
import { sweepDecision, type NetworkFacts, type SweepContext } from '../../../main/runtime/docker/lab-objects';

const dirs: Record<string, string> = { '/labs/alive': 'c-alive', '/labs/reused': 'c-new' };
const ctx: SweepContext = {
  clusterId: 'mine',
  host: 'this-host',
  inUse: ['kubelab-mine-default'],
  labNodes: ['default', 'node2'],
  running: new Set(['c-busy']),
  dataDirCluster: async (dir) => (dir === '/labs/unreadable' ? 'unknown' : dirs[dir]),
};
const net = (name: string, labels: Record<string, string>, attached = 0): NetworkFacts => ({ name, labels, attached });
const owned = (cluster: string, dir: string, host = 'this-host') => ({ 'kubelab.io/cluster': cluster, 'kubelab.io/data-dir': dir, 'kubelab.io/host': host });

describe('sweepDecision', () => {
  it.each([
    { why: 'the network this lab uses', n: net('kubelab-mine-default', owned('mine', '/labs/me')), remove: false, reason: 'in use by this lab' },
    {
      why: "this lab's own, of a node it no longer runs, empty",
      n: net('kubelab-mine-old', { ...owned('mine', '/labs/me'), 'kubelab.io/node': 'old' }),
      remove: true,
      reason: "this lab's, left by an earlier run",
    },
    {
      why: "this lab's own, of another of its nodes on this engine",
      n: net('kubelab-mine-node2', { ...owned('mine', '/labs/me'), 'kubelab.io/node': 'node2' }),
      remove: false,
      reason: "this lab's node node2 uses it",
    },
    {
      why: "this lab's shared network of an older version, empty",
      n: net('kubelab-mine', { 'kubelab.io/cluster': 'mine' }),
      remove: true,
      reason: "this lab's, left by an earlier run",
    },
    {
      why: "this lab's own, still with a container",
      n: net('kubelab-mine-old', { ...owned('mine', '/labs/me'), 'kubelab.io/node': 'old' }, 1),
      remove: false,
      reason: '1 container(s) attached',
    },
    {
      why: 'a lab whose data dir is gone',
      n: net('kubelab-dead-n', owned('c-dead', '/labs/deleted')),
      remove: true,
      reason: 'its data dir /labs/deleted is gone',
    },
    {
      why: 'a data dir that holds another lab now',
      n: net('kubelab-old-n', owned('c-old', '/labs/reused')),
      remove: true,
      reason: '/labs/reused holds another lab now (c-new)',
    },
    {
      why: 'a lab that exists (stopped or running)',
      n: net('kubelab-alive-n', owned('c-alive', '/labs/alive')),
      remove: false,
      reason: 'its lab still exists in /labs/alive',
    },
    { why: 'a data dir that cannot be read', n: net('kubelab-x-n', owned('c-x', '/labs/unreadable')), remove: false, reason: 'cannot read /labs/unreadable' },
    {
      why: 'a gone lab with a container still attached',
      n: net('kubelab-dead-n', owned('c-dead', '/labs/deleted'), 2),
      remove: false,
      reason: '2 container(s) attached',
    },
    {
      why: 'a lab with running containers on the engine',
      n: net('kubelab-busy-n', owned('c-busy', '/labs/deleted')),
      remove: false,
      reason: 'its lab has running containers here',
    },
    {
      why: 'a lab of another host',
      n: net('kubelab-far-n', owned('c-far', '/labs/deleted', 'laptop')),
      remove: false,
      reason: 'its lab lives on another host (laptop)',
    },
    {
      why: 'an older lab that did not say where it lives',
      n: net('kubelab-1234', { 'kubelab.io/cluster': 'c-older' }),
      remove: false,
      reason: 'made by an older lab that did not name its data dir',
    },
    { why: 'not a lab network', n: net('bridge', {}), remove: false, reason: 'not a lab network' },
  ])('$why', async ({ n, remove, reason }) => {
    expect(await sweepDecision(n, ctx)).toEqual({ remove, reason });
  });
});
