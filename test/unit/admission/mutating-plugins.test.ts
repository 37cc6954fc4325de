import { describe, expect, it } from 'vitest';
import { defaultTolerationSeconds } from '../../../main/apiserver/admission/default-toleration-seconds';
import { admissionPlugins } from '../../../main/apiserver/admission';
import { serviceAccount } from '../../../main/apiserver/admission/service-account';
import { attrs, FakeClient } from './fake-client';

const pod = (spec: Record<string, unknown> = {}) => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});

describe('admission chain', () => {
  it('runs in upstream order', () => {
    expect(admissionPlugins().map((p) => p.name)).toEqual([
      'NamespaceLifecycle',
      'ServiceAccount',
      'LimitRanger',
      'PodSecurity',
      'ResourceQuota',
      'DefaultTolerationSeconds',
    ]);
  });
});

describe('ServiceAccount', () => {
  it.each([
    [{}, 'default', ['set spec.serviceAccountName to default']],
    [{ serviceAccountName: 'builder' }, 'builder', []],
    [{ serviceAccount: 'legacy' }, 'legacy', ['set spec.serviceAccountName to legacy']],
  ])('spec %j runs as %s', async (spec, want, wantNotes) => {
    const obj = pod(spec);
    const { a, notes } = attrs(new FakeClient(), { operation: 'CREATE', object: obj });
    await serviceAccount().admit!(a);
    expect((obj.spec as any).serviceAccountName).toBe(want);
    expect(notes).toEqual(wantNotes);
  });

  it('leaves updates and other resources alone', async () => {
    const obj = pod();
    await serviceAccount().admit!(attrs(new FakeClient(), { operation: 'UPDATE', object: obj }).a);
    await serviceAccount().admit!(attrs(new FakeClient(), { operation: 'CREATE', object: obj, subresource: 'status' }).a);
    expect((obj.spec as any).serviceAccountName).toBeUndefined();
  });
});

describe('DefaultTolerationSeconds', () => {
  const notReady = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  it.each([
    ['none', [], [notReady, unreachable]],
    [
      'own not-ready',
      [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }],
      [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }, unreachable],
    ],
    ['tolerates everything', [{ operator: 'Exists' }], [{ operator: 'Exists' }]],
    [
      'unrelated NoSchedule',
      [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
      [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, notReady, unreachable],
    ],
  ])('%s', async (_, tolerations, want) => {
    const obj = pod({ tolerations });
    await defaultTolerationSeconds().admit!(attrs(new FakeClient(), { operation: 'CREATE', object: obj }).a);
    expect((obj.spec as any).tolerations).toEqual(want);
  });
});
