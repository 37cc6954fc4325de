import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../../main/api/errors';
import type { KubeObject } from '../../../main/api/object';
import { resourceQuota } from '../../../main/apiserver/admission/resource-quota';
import { R } from '../../../main/client/types';
import { attrs, FakeClient } from './fake-client';

const quota = (hard: Record<string, string>, name = 'q', scopes?: string[]) => ({
  metadata: { name, namespace: 'default' },
  spec: { hard, ...(scopes ? { scopes } : {}) },
});
const pod = (name: string, requests?: Record<string, string>, limits?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: {
    containers: [{ name: 'c', image: 'x', ...(requests || limits ? { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } } : {}) }],
  },
  status: { phase: 'Running' },
});

async function create(plugin: ReturnType<typeof resourceQuota>, client: FakeClient, obj: KubeObject, extra: Record<string, unknown> = {}) {
  const { a, notes } = attrs(client, { operation: 'CREATE', object: obj, ...extra });
  try {
    await plugin.validate!(a);
  } catch (e) {
    if (isStatusError(e)) return { error: e.message, code: e.code, notes };
    throw e;
  }
  return { error: '', code: 0, notes };
}

const statusOf = async (client: FakeClient, name = 'q') => (await client.get(R.resourcequotas, name, 'default')).status as any;

describe('ResourceQuota', () => {
  it('reads quotas from its informer cache: a namespace without quota costs no list per create', async () => {
    const client = new FakeClient();
    const plugin = resourceQuota();
    expect((await create(plugin, client, pod('a'))).error).toBe('');
    await expect.poll(() => plugin.lister?.cached).toBe(true);
    client.lists.length = 0;
    for (const name of ['b', 'c', 'd']) expect((await create(plugin, client, pod(name))).error).toBe('');
    expect(client.lists).toEqual([]);
    expect(client.watching).toBe(1);
    // the API server stops its plugins when it closes: the lister's watch ends with it
    plugin.stop!();
    await expect.poll(() => client.watching).toBe(0);
  });

  it('a quota created after the cache synced is enforced on the next create', async () => {
    const client = new FakeClient().add(R.pods, pod('a'));
    const plugin = resourceQuota();
    expect((await create(plugin, client, pod('b'))).error).toBe('');
    await expect.poll(() => plugin.lister?.cached).toBe(true);
    client.add(R.resourcequotas, quota({ pods: '1' }));
    const r = await create(plugin, client, pod('c'));
    expect(r.error).toBe('pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');
    plugin.lister!.stop();
  });

  it('refuses the third pod with upstream message and keeps status.used', async () => {
    const client = new FakeClient().add(R.resourcequotas, quota({ pods: '2' }));
    const plugin = resourceQuota();
    expect((await create(plugin, client, pod('a'))).error).toBe('');
    client.add(R.pods, pod('a'));
    expect(await statusOf(client)).toEqual({ hard: { pods: '2' }, used: { pods: '1' } });
    // admitted but not yet in the store still counts
    expect((await create(plugin, client, pod('b'))).error).toBe('');
    expect(await statusOf(client)).toEqual({ hard: { pods: '2' }, used: { pods: '2' } });
    const r = await create(plugin, client, pod('c'));
    expect(r.code).toBe(403);
    expect(r.error).toBe('pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  });

  it('sums cpu and memory requests exactly', async () => {
    const client = new FakeClient()
      .add(R.resourcequotas, quota({ 'requests.cpu': '1', 'requests.memory': '1Gi' }))
      .add(R.pods, pod('a', { cpu: '600m', memory: '512Mi' }));
    const r = await create(resourceQuota(), client, pod('b', { cpu: '500m', memory: '256Mi' }));
    expect(r.error).toBe('pods "b" is forbidden: exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1');
    const ok = await create(resourceQuota(), client, pod('c', { cpu: '400m', memory: '256Mi' }));
    expect(ok.error).toBe('');
    expect(await statusOf(client)).toEqual({
      hard: { 'requests.cpu': '1', 'requests.memory': '1Gi' },
      used: { 'requests.cpu': '1', 'requests.memory': '768Mi' },
    });
    expect(ok.notes).toEqual(['charged quota q: requests.cpu=1/1, requests.memory=768Mi/1Gi']);
  });

  it('requires containers to state what a cpu/memory quota tracks', async () => {
    const client = new FakeClient().add(R.resourcequotas, quota({ 'limits.cpu': '2', 'requests.memory': '1Gi' }));
    const r = await create(resourceQuota(), client, pod('a', { cpu: '100m' }));
    expect(r.error).toBe('pods "a" is forbidden: failed quota: q: must specify limits.cpu for: c; requests.memory for: c');
  });

  it('ignores finished and terminating pods, and counts other kinds', async () => {
    const done = { ...pod('done'), status: { phase: 'Succeeded' } };
    const leaving = { ...pod('leaving'), metadata: { name: 'leaving', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const client = new FakeClient()
      .add(R.resourcequotas, quota({ pods: '1', configmaps: '1', 'count/deployments.apps': '1' }))
      .add(R.pods, done)
      .add(R.pods, leaving);
    expect((await create(resourceQuota(), client, pod('a'))).error).toBe('');
    client.add(R.configmaps, { metadata: { name: 'one', namespace: 'default' } });
    expect(
      (await create(resourceQuota(), client, { metadata: { name: 'two', namespace: 'default' } }, { resource: 'configmaps', kind: 'ConfigMap' })).error,
    ).toBe('configmaps "two" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=1, limited: configmaps=1');
    expect(
      (
        await create(
          resourceQuota(),
          client,
          { metadata: { name: 'web', namespace: 'default' } },
          { group: 'apps', resource: 'deployments', kind: 'Deployment' },
        )
      ).error,
    ).toBe('');
  });

  it('scopes: a BestEffort quota ignores pods with requests', async () => {
    const client = new FakeClient().add(R.resourcequotas, quota({ pods: '0' }, 'be', ['BestEffort']));
    expect((await create(resourceQuota(), client, pod('a', { cpu: '100m' }))).error).toBe('');
    expect((await create(resourceQuota(), client, pod('b'))).error).toBe(
      'pods "b" is forbidden: exceeded quota: be, requested: pods=1, used: pods=0, limited: pods=0',
    );
  });

  it('a new quota starts with its status; a delete gives usage back', async () => {
    const client = new FakeClient().add(R.pods, pod('a')).add(R.pods, pod('b'));
    const plugin = resourceQuota();
    const q = quota({ pods: '5' });
    await plugin.admit!(attrs(client, { operation: 'CREATE', resource: 'resourcequotas', kind: 'ResourceQuota', object: q as KubeObject }).a);
    expect((q as any).status).toEqual({ hard: { pods: '5' }, used: { pods: '2' } });
    client.add(R.resourcequotas, q as KubeObject);
    await plugin.validate!(attrs(client, { operation: 'DELETE', name: 'b', oldObject: pod('b') }).a);
    expect(await statusOf(client)).toEqual({ hard: { pods: '5' }, used: { pods: '1' } });
  });

  it('dry run checks without charging', async () => {
    const client = new FakeClient().add(R.resourcequotas, quota({ pods: '1' }));
    const plugin = resourceQuota();
    expect((await create(plugin, client, pod('a'), { dryRun: true })).error).toBe('');
    expect(client.writes).toEqual([]);
    expect((await create(plugin, client, pod('b'))).error).toBe('');
  });
});
