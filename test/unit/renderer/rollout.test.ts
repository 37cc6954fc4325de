import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import { rolloutStatus, templateChanges, undoPatch } from '../../../renderer/lib/rollout';

const selector = { matchLabels: { app: 'web' } };
const deploy = (replicas: number, status: DeploymentStatus, generation = 2): Deployment => ({
  metadata: { generation },
  spec: { replicas, selector, template: {} },
  status: { observedGeneration: 2, ...status },
});
const rs = (image: string, annotations: Record<string, string> = {}, templateAnnotations?: Record<string, string>) =>
  ({
    metadata: { annotations },
    spec: {
      selector,
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, ...(templateAnnotations ? { annotations: templateAnnotations } : {}) },
        spec: { containers: [{ name: 'nginx', image }] },
      },
    },
  }) satisfies ReplicaSet;

describe('rolloutStatus (kubectl rollout status)', () => {
  it.each([
    ['spec not yet observed', { ...deploy(3, { updatedReplicas: 3 }), metadata: { generation: 3 } }, { state: 'observing' }],
    ['deadline exceeded', deploy(3, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), { state: 'deadline' }],
    ['new replicas still being created', deploy(3, { replicas: 4, updatedReplicas: 1 }), { state: 'updating', updated: 1, desired: 3 }],
    ['old replicas pending termination', deploy(3, { replicas: 4, updatedReplicas: 3 }), { state: 'terminating', old: 1 }],
    ['updated but not yet available', deploy(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 1 }), { state: 'available', available: 1, updated: 3 }],
    ['rolled out', deploy(3, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), { state: 'done' }],
  ])('%s', (_name, d, want) => {
    expect(rolloutStatus(d)).toEqual(want);
  });
});

describe('templateChanges (revision history)', () => {
  it.each([
    ['first revision: nothing before it', undefined, rs('nginx:1'), []],
    ['change-cause wins', rs('nginx:1'), rs('nginx:2', { 'kubernetes.io/change-cause': 'set image' }), [{ kind: 'cause', text: 'set image' }]],
    ['image changed', rs('nginx:1'), rs('nginx:2'), [{ kind: 'image', container: 'nginx', from: 'nginx:1', to: 'nginx:2' }]],
    ['restarted', rs('nginx:1'), rs('nginx:1', {}, { 'kubectl.kubernetes.io/restartedAt': 'T1' }), [{ kind: 'restart', at: 'T1' }]],
    [
      'something else',
      rs('nginx:1'),
      { ...rs('nginx:1'), spec: { ...rs('nginx:1').spec, template: { ...rs('nginx:1').spec.template, metadata: { labels: { app: 'x' } } } } },
      [{ kind: 'other' }],
    ],
  ])('%s', (_name, prev, cur, want) => {
    expect(templateChanges(prev, cur)).toEqual(want);
  });
});

describe('undoPatch (kubectl rollout undo)', () => {
  it('replaces the template without pod-template-hash, keeps the skipped annotations and takes the rest from the ReplicaSet', () => {
    const d = {
      metadata: {
        annotations: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'kubernetes.io/change-cause': 'bad image',
        },
      },
      spec: { selector, template: rs('nginx:bad').spec.template },
    } satisfies Deployment;
    const old = rs('nginx:1', { 'deployment.kubernetes.io/revision': '1', 'kubernetes.io/change-cause': 'first' });
    expect(undoPatch(d, old)).toEqual({
      patch: [
        { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } } },
        {
          op: 'add',
          path: '/metadata/annotations',
          value: { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kubernetes.io/change-cause': 'first' },
        },
      ],
    });
  });

  it('is nothing when the Deployment already runs that template (upstream: skipped rollback)', () => {
    const cur = rs('nginx:1');
    const d = { metadata: {}, spec: { selector, template: { metadata: { labels: { app: 'web' } }, spec: cur.spec.template.spec } } } satisfies Deployment;
    expect(undoPatch(d, cur)).toEqual({ skip: 'current' });
  });

  it('is refused for a paused Deployment, as kubectl refuses it', () => {
    expect(undoPatch({ metadata: {}, spec: { selector, paused: true, template: {} } }, rs('nginx:1'))).toEqual({ skip: 'paused' });
  });
});
