import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../../main/api/errors';
import { namespaceLifecycle } from '../../../main/apiserver/admission/namespace-lifecycle';
import { R } from '../../../main/client/types';
import { attrs, FakeClient } from './fake-client';

const pod = (name = 'web', namespace = 'default') => ({ metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'x' }] } });
const client = () =>
  new FakeClient()
    .add(R.namespaces, { metadata: { name: 'default' }, status: { phase: 'Active' } })
    .add(R.namespaces, { metadata: { name: 'leaving' }, status: { phase: 'Terminating' } });

async function refusal(p: Promise<void> | undefined) {
  try {
    await p;
  } catch (e) {
    if (isStatusError(e)) return { code: e.code, message: e.message, causes: e.details?.causes };
    throw e;
  }
  return undefined;
}

describe('NamespaceLifecycle', () => {
  const plugin = namespaceLifecycle();

  it('admits a pod into an active namespace', async () => {
    expect(await refusal(plugin.admit!(attrs(client(), { operation: 'CREATE', object: pod() }).a))).toBeUndefined();
  });

  it('refuses a missing namespace with NotFound', async () => {
    const r = await refusal(plugin.admit!(attrs(client(), { operation: 'CREATE', namespace: 'nope', object: pod('web', 'nope') }).a));
    expect(r).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
  });

  it('refuses new content in a terminating namespace, as upstream words it', async () => {
    const r = await refusal(plugin.admit!(attrs(client(), { operation: 'CREATE', namespace: 'leaving', object: pod('web', 'leaving') }).a));
    expect(r).toMatchObject({
      code: 403,
      message: 'pods "web" is forbidden: unable to create new content in namespace leaving because it is being terminated',
    });
    expect(r!.causes).toEqual([{ reason: 'NamespaceTerminating', message: 'namespace leaving is being terminated', field: 'metadata.namespace' }]);
  });

  it('names the qualified resource for grouped kinds', async () => {
    const r = await refusal(
      plugin.admit!(
        attrs(client(), {
          operation: 'CREATE',
          namespace: 'leaving',
          group: 'apps',
          resource: 'deployments',
          kind: 'Deployment',
          object: pod('web', 'leaving'),
        }).a,
      ),
    );
    expect(r!.message).toBe('deployments.apps "web" is forbidden: unable to create new content in namespace leaving because it is being terminated');
  });

  it('still allows updates in a terminating namespace', async () => {
    expect(
      await refusal(
        plugin.admit!(attrs(client(), { operation: 'UPDATE', namespace: 'leaving', object: pod('web', 'leaving'), oldObject: pod('web', 'leaving') }).a),
      ),
    ).toBeUndefined();
  });

  it.each(['default', 'kube-system', 'kube-public'])('protects %s from deletion', async (name) => {
    const r = await refusal(
      plugin.validate!(
        attrs(client(), { operation: 'DELETE', namespace: '', name, resource: 'namespaces', kind: 'Namespace', oldObject: { metadata: { name } } }).a,
      ),
    );
    expect(r).toMatchObject({ code: 403, message: `namespaces "${name}" is forbidden: this namespace may not be deleted` });
  });

  it('lets other namespaces be deleted and namespaces be created', async () => {
    expect(
      await refusal(plugin.validate!(attrs(client(), { operation: 'DELETE', namespace: '', name: 'team-a', resource: 'namespaces', kind: 'Namespace' }).a)),
    ).toBeUndefined();
    expect(
      await refusal(
        plugin.admit!(
          attrs(client(), { operation: 'CREATE', namespace: '', resource: 'namespaces', kind: 'Namespace', object: { metadata: { name: 'new' } } }).a,
        ),
      ),
    ).toBeUndefined();
  });
});
