import { afterEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createKubelabApi, type BridgeEvents, type EventChannel } from '../../../main/bridge/contract';
import { BridgeServer } from '../../../main/bridge/server';
import { setBridge } from '../../../renderer/bridge';
import { useResourcesStore } from '../../../renderer/stores/resources';
import { fakeBackend } from '../bridge/fake-backend';
import { R } from '../../../main/client/types';

async function until(fn: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The store fed through the real contract and server, over an in-memory transport, from a fake backend. */
function setup() {
  const fake = fakeBackend();
  const server = new BridgeServer(fake.backend);
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const conn = server.connect((c, p) => listeners.get(c)?.forEach((cb) => cb(p)));
  setBridge(
    createKubelabApi({
      invoke: (c, a) => conn.invoke(c, a) as never,
      on<E extends EventChannel>(c: E, cb: (p: BridgeEvents[E]) => void) {
        const s = listeners.get(c) ?? new Set();
        s.add(cb as (p: unknown) => void);
        listeners.set(c, s);
        return () => s.delete(cb as (p: unknown) => void);
      },
    }),
  );
  setActivePinia(createPinia());
  return { fake, close: () => conn.close() };
}

describe('resources store', () => {
  let close = () => {};
  afterEach(() => close());

  it('fills from the list, follows watch events, and shares one watch between views', async () => {
    const s = setup();
    close = s.close;
    const client = s.fake.backend.client;
    await client.create(R.pods, { metadata: { name: 'a', namespace: 'default' } }, { namespace: 'default' });
    const store = useResourcesStore();
    const ref = { group: '', version: 'v1', resource: 'pods' };
    const one = store.watch(ref);
    const two = store.watch(ref);
    expect(two.cache).toBe(one.cache);
    await until(() => one.cache.synced.value);
    expect([...one.cache.items.value.keys()]).toEqual(['default/a']);
    await until(() => s.fake.watcherCount() === 1);
    await client.create(R.pods, { metadata: { name: 'b', namespace: 'default' } }, { namespace: 'default' });
    await until(() => one.cache.items.value.size === 2);
    await client.delete(R.pods, 'a', { namespace: 'default' });
    await until(() => one.cache.items.value.size === 1);
    expect([...one.cache.items.value.keys()]).toEqual(['default/b']);
    expect(s.fake.watcherCount()).toBe(1);
    one.release();
    two.release();
  });

  it('keeps the error of a refused watch for the view to show', async () => {
    const s = setup();
    close = s.close;
    s.fake.backend.client.list = async () => {
      throw Object.assign(new Error('pods is forbidden: User "x" cannot list resource "pods"'), { code: 403, reason: 'Forbidden' });
    };
    const sub = useResourcesStore().watch({ group: '', version: 'v1', resource: 'pods' });
    await until(() => !!sub.cache.error.value);
    expect(sub.cache.error.value).toBe('pods is forbidden: User "x" cannot list resource "pods"');
    sub.release();
  });
});
