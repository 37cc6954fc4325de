// Concurrent patches of one object on the durable store (its writes become visible once fsync'd): each patch that
// meets another's write retries from it, as upstream's GuaranteedUpdate does, instead of failing with a Conflict.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../main/api/object';
import { createApiServer } from '../../../main/apiserver/index';
import { adminUser } from '../../../main/apiserver/authn';
import { R } from '../../../main/client/types';
import { openStore, type Store } from '../../../main/store/index';
import { setLogSink } from '../../../main/log';

setLogSink(() => {});
let dir: string | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('merge patches racing on a durable store', () => {
  it("all succeed, each on top of the others (a node's kubelet, nodeipam and lifecycle controllers patch one Node)", async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelab-patch-'));
    store = await openStore(dir);
    const api = createApiServer({ store });
    await api.bootstrap();
    const client = api.client(adminUser);
    await client.create(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' } }, { namespace: 'default' });
    const writers = Array.from({ length: 12 }, (_, i) =>
      client.patch(R.configmaps, 'shared', 'application/merge-patch+json', { data: { [`k${i}`]: String(i) } }, { namespace: 'default' }),
    );
    await Promise.all(writers);
    const got = await client.get<KubeObject & { data?: Record<string, string> }>(R.configmaps, 'shared', 'default');
    expect(Object.keys(got.data ?? {}).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `k${i}`).sort());
  });
});
