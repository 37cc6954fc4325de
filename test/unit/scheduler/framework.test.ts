// The scheduling cycle over the default profile: sampling, the aggregated message, weighted totals.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { Framework, fitErrorMessage, numFeasibleNodesToFind } from '../../../main/scheduler/framework';
import { newPodInfo } from '../../../main/scheduler/node-info';
import { defaultPlugins } from '../../../main/scheduler/plugins';
import type { SchedulerProfile, Status } from '../../../main/scheduler/types';
import { node, nodeInfos, pod } from './builders';

function run(p: Pod, nodes: Node[], existing: Pod[] = [], profile: SchedulerProfile = {}, maxDetailRows?: number) {
  const { cache, infos } = nodeInfos(nodes, existing);
  const fw = new Framework(defaultPlugins(profile, { imageNodes: cache.imageNodes, affinityCounters: cache.affinityCounters, numNodes: () => infos.length }), {
    schedulerName: 'default-scheduler',
    percentageOfNodesToScore: profile.percentageOfNodesToScore,
    maxDetailRows,
    random: () => 0.99,
  });
  return { fw, infos, result: fw.schedulePod(newPodInfo(p), infos) };
}

describe('numFeasibleNodesToFind (percentageOfNodesToScore)', () => {
  it.each([
    [50, 0, 50],
    [100, 0, 100],
    [1000, 0, 420],
    [5000, 0, 500],
    [6000, 0, 300],
    [20000, 0, 1000],
    [1000, 30, 300],
    [1000, 5, 100],
    [1000, 100, 1000],
  ])('%i nodes at %i percent → %i', (all, pct, want) => {
    expect(numFeasibleNodesToFind(all, pct)).toBe(want);
  });
});

describe('FailedScheduling message', () => {
  const s = (code: Status['code'], ...reasons: string[]): Status => ({ code, reasons });
  it.each([
    {
      name: 'reasons counted and sorted as strings',
      statuses: [s('Unschedulable', 'Insufficient cpu'), s('UnschedulableAndUnresolvable', "node(s) didn't match Pod's node affinity/selector")],
      want: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector.",
    },
    {
      name: 'a node can give several reasons',
      statuses: [s('Unschedulable', 'Insufficient cpu', 'Insufficient memory'), s('Unschedulable', 'Insufficient cpu')],
      want: '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.',
    },
  ])('$name', ({ statuses, want }) => {
    expect(fitErrorMessage(statuses.length, statuses)).toBe(want);
  });
});

describe('Framework.schedulePod with the default profile', () => {
  it('reports every rejection, with the preemption summary as upstream v1.32', () => {
    const { result } = run(pod('nginx-pod', { cpu: '2', nodeSelector: { disktype: 'ssd' } }), [
      node('node-1', { cpu: '1', labels: { disktype: 'ssd' } }),
      node('node-2', { cpu: '4' }),
    ]);
    expect(result.kind).toBe('unschedulable');
    if (result.kind !== 'unschedulable') return;
    expect(result.message).toBe(
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    expect([...result.rejectors].sort()).toEqual(['NodeAffinity', 'NodeResourcesFit']);
    const row2 = result.details.nodes.find((r) => r.node === 'node-2')!;
    expect(row2.explain).toBe("didn't match the node selector disktype=ssd");
    expect(row2.filters.map((f) => [f.plugin, f.code])).toEqual([
      ['NodeUnschedulable', 'Success'],
      ['NodeName', 'Success'],
      ['TaintToleration', 'Success'],
      ['NodeAffinity', 'UnschedulableAndUnresolvable'],
    ]);
    expect(result.details.skipped.filter).toContain('NodePorts');
  });

  it('says when no node fits because all are affinity mismatches', () => {
    const { result } = run(pod('p', { nodeSelector: { disktype: 'ssd' } }), [node('a'), node('b')]);
    expect(result.kind === 'unschedulable' && result.message).toBe(
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });

  it('no nodes at all is an error, not a verdict', () => {
    const { result } = run(pod('p'), []);
    expect(result).toMatchObject({ kind: 'error', message: 'no nodes available to schedule pods' });
  });

  it('sums weighted scores and picks the highest', () => {
    const { result } = run(pod('p', { cpu: '1', memory: '1Gi' }), [node('big', { cpu: '8', memory: '16Gi' }), node('small', { cpu: '2', memory: '2Gi' })]);
    expect(result.kind).toBe('scheduled');
    if (result.kind !== 'scheduled') return;
    expect(result.node).toBe('big');
    for (const row of result.details.nodes) {
      const sum = row.scores!.reduce((a, s) => a + s.weighted, 0);
      expect(row.total).toBe(sum);
      for (const s of row.scores!) expect(s.weighted).toBe(s.normalized * s.weight);
    }
    const weights = Object.fromEntries(result.details.scorePlugins.map((s) => [s.plugin, s.weight]));
    expect(weights).toEqual({
      TaintToleration: 3,
      NodeAffinity: 2,
      NodeResourcesFit: 1,
      PodTopologySpread: 2,
      InterPodAffinity: 2,
      NodeResourcesBalancedAllocation: 1,
      ImageLocality: 1,
    });
    expect(result.details.skipped.score).toEqual(expect.arrayContaining(['NodeAffinity', 'PodTopologySpread', 'InterPodAffinity']));
  });

  it('skips scoring when only one node fits', () => {
    const { result } = run(pod('p', { nodeSelector: { disktype: 'ssd' } }), [node('a', { labels: { disktype: 'ssd' } }), node('b')]);
    expect(result).toMatchObject({ kind: 'scheduled', node: 'a', details: { scoringNote: 'only one node fits, so scoring was skipped' } });
  });

  it('samples large clusters and rotates where filtering starts', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`));
    const { fw, infos, result } = run(pod('p'), nodes, [], {}, 50);
    expect(result.details).toMatchObject({ numAllNodes: 1000, numNodesEvaluated: 420, numFeasible: 420, numFeasibleNodesToFind: 420, omittedNodes: 370 });
    expect(result.details.nodes).toHaveLength(50);
    const next = fw.schedulePod(newPodInfo(pod('q')), infos);
    expect(next.details.nodes.every((r) => Number(r.node.slice(1)) >= 420 && Number(r.node.slice(1)) < 840)).toBe(true);
  });

  it('spreads replicas with required anti-affinity across the two nodes, and reports when both are taken', () => {
    const anti = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    };
    const nodes = [node('node-1'), node('node-2')];
    const web1 = pod('web-1', { labels: { app: 'web' }, affinity: anti, nodeName: 'node-1' });
    const second = run(pod('web-2', { labels: { app: 'web' }, affinity: anti }), nodes, [web1]).result;
    expect(second.kind === 'scheduled' && second.node).toBe('node-2');
    const third = run(pod('web-3', { labels: { app: 'web' }, affinity: anti }), nodes, [
      web1,
      { ...web1, metadata: { ...web1.metadata, name: 'web-2' }, spec: { ...web1.spec!, nodeName: 'node-2' } },
    ]).result;
    expect(third.kind === 'unschedulable' && third.message).toBe(
      "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });

  it('MostAllocated packs pods onto the fuller node', () => {
    const nodes = [node('a', { cpu: '4', memory: '8Gi' }), node('b', { cpu: '4', memory: '8Gi' })];
    const { result } = run(pod('p', { cpu: '1', memory: '1Gi' }), nodes, [pod('x', { cpu: '2', memory: '4Gi', nodeName: 'b' })], {
      scoringStrategy: 'MostAllocated',
    });
    expect(result.kind === 'scheduled' && result.node).toBe('b');
  });
});
