// Store behaviour every caller relies on, run against both the memory store and the durable one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { memoryStore, openStore, StoreError, type Store, type StoreEvent } from '../../../main/store';
import type { HistoryOptions } from '../../../main/store/revisioned-store';

// Every write here waits for a real fsync, which a busy shared disk can make slow.
vi.setConfig({ testTimeout: 30_000 });

const pod = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  ...extra,
});

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const kinds: [string, (o?: HistoryOptions) => Promise<Store>][] = [
  ['memory', async (o) => memoryStore(o)],
  [
    'durable',
    async (o) => {
      const d = mkdtempSync(join(tmpdir(), 'kubelab-store-'));
      dirs.push(d);
      return openStore(d, o);
    },
  ],
];

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (err) {
    return err instanceof StoreError ? err.code : `unexpected ${String(err)}`;
  }
}

/** Collect watch events until `n` arrived (polling, not sleeping a fixed time). */
async function collect(store: Store, prefix: string, from: number, n: number, during?: () => Promise<void>): Promise<StoreEvent[]> {
  const got: StoreEvent[] = [];
  const h = store.watch(prefix, from, (ev) => got.push(ev));
  await during?.();
  await expect.poll(() => got.length).toBeGreaterThanOrEqual(n);
  h.cancel();
  return got;
}

describe.each(kinds)('%s store', (_name, open) => {
  const make = async (o?: HistoryOptions) => {
    const s = await open(o);
    stores.push(s);
    return s;
  };

  it('stamps every write with the next global revision and keeps createRevision', async () => {
    const s = await make();
    const a = await s.create('/pods/default/a', pod('a'));
    const b = await s.create('/pods/default/b', pod('b'));
    const a2 = await s.update('/pods/default/a', pod('a', { status: { phase: 'Running' } }));
    expect([a.modRevision, b.modRevision, a2.modRevision]).toEqual([1, 2, 3]);
    expect(a2.value.metadata.resourceVersion).toBe('3');
    expect(a2.createRevision).toBe(1);
    expect(s.revision).toBe(3);
    const gone = await s.delete('/pods/default/a');
    expect(gone.modRevision).toBe(4);
    expect(gone.value.metadata.resourceVersion).toBe('4');
    const again = await s.create('/pods/default/a', pod('a'));
    expect(again.createRevision).toBe(5);
  });

  it('copies values in and out, so callers cannot change what is stored', async () => {
    const s = await make();
    const input = pod('a');
    const created = await s.create('/pods/default/a', input);
    (input.metadata.labels as Record<string, string>).app = 'changed-input';
    (created.value.metadata.labels as Record<string, string>).app = 'changed-output';
    const got = s.get('/pods/default/a')!;
    (got.value.metadata.labels as Record<string, string>).app = 'changed-get';
    expect(s.get('/pods/default/a')!.value.metadata.labels).toEqual({ app: 'a' });
    expect(input.metadata.resourceVersion).toBeUndefined();
  });

  it('a list filter cannot change stored values', async () => {
    const s = await make();
    await s.create('/k/a', pod('a'));
    const meddling = (v: KubeObject) => {
      (v.metadata.labels as Record<string, string>).app = 'changed';
      return true;
    };
    expect(() => s.list('/k/', { filter: meddling })).toThrow(TypeError);
    expect(s.get('/k/a')!.value.metadata.labels).toEqual({ app: 'a' });
  });

  it.each([
    { name: 'create an existing key', op: (s: Store) => s.create('/k/a', pod('a')), want: 'AlreadyExists' },
    { name: 'update a missing key', op: (s: Store) => s.update('/k/missing', pod('x')), want: 'NotFound' },
    { name: 'update at a stale revision', op: (s: Store) => s.update('/k/a', pod('a'), 2), want: 'Conflict' },
    { name: 'update at the current revision', op: (s: Store) => s.update('/k/a', pod('a'), 1), want: 'ok' },
    { name: 'update without a precondition', op: (s: Store) => s.update('/k/a', pod('a')), want: 'ok' },
    { name: 'delete a missing key', op: (s: Store) => s.delete('/k/missing'), want: 'NotFound' },
    { name: 'delete at a stale revision', op: (s: Store) => s.delete('/k/a', 7), want: 'Conflict' },
    { name: 'delete at the current revision', op: (s: Store) => s.delete('/k/a', 1), want: 'ok' },
  ])('$name: $want', async ({ op, want }) => {
    const s = await make();
    await s.create('/k/a', pod('a'));
    await s.create('/k/b', pod('b'));
    expect(await code(op(s))).toBe(want);
  });

  it('a failed write changes nothing', async () => {
    const s = await make();
    await s.create('/k/a', pod('a'));
    expect(await code(s.update('/k/a', pod('a', { spec: {} }), 9))).toBe('Conflict');
    expect(s.revision).toBe(1);
    expect((await s.create('/k/b', pod('b'))).modRevision).toBe(2);
  });

  it('lists a prefix in key order, not its neighbours', async () => {
    const s = await make();
    for (const k of ['/pods/ns2/b', '/pods/ns1/z', '/pods/ns1/a', '/pods/ns10/a', '/services/ns1/a', '/pods/ns1/m'])
      await s.create(k, pod(k.split('/').pop()!));
    expect(s.list('/pods/ns1/').items.map((i) => i.key)).toEqual(['/pods/ns1/a', '/pods/ns1/m', '/pods/ns1/z']);
    expect(s.list('/pods/').items.map((i) => i.key)).toEqual(['/pods/ns1/a', '/pods/ns1/m', '/pods/ns1/z', '/pods/ns10/a', '/pods/ns2/b']);
    expect(s.list('/pods/').revision).toBe(6);
    expect(s.list('/nothing/').items).toEqual([]);
  });

  it('pages with limit and continue at one consistent revision', async () => {
    const s = await make();
    for (const n of ['a', 'b', 'c', 'd', 'e']) await s.create(`/pods/${n}`, pod(n));
    const p1 = s.list('/pods/', { limit: 2 });
    expect(p1.items.map((i) => i.key)).toEqual(['/pods/a', '/pods/b']);
    expect(p1.remainingItemCount).toBe(3);
    expect(p1.continue).toBeTruthy();
    // Writes after the first page must not show in later pages.
    await s.update('/pods/c', pod('c', { status: { phase: 'Changed' } }));
    await s.delete('/pods/d');
    await s.create('/pods/f', pod('f'));
    const p2 = s.list('/pods/', { limit: 2, continue: p1.continue });
    expect(p2.revision).toBe(p1.revision);
    expect(p2.items.map((i) => [i.key, i.value.metadata.resourceVersion])).toEqual([
      ['/pods/c', '3'],
      ['/pods/d', '4'],
    ]);
    expect(p2.remainingItemCount).toBe(1);
    const p3 = s.list('/pods/', { limit: 2, continue: p2.continue });
    expect(p3.items.map((i) => i.key)).toEqual(['/pods/e']);
    expect(p3.continue).toBeUndefined();
    expect(p3.remainingItemCount).toBeUndefined();
  });

  it('applies the filter before the limit and offers no empty last page', async () => {
    const s = await make();
    for (let i = 0; i < 10; i++) await s.create(`/pods/p${i}`, pod(`p${i}`, { spec: { n: i } }));
    const even = (v: KubeObject) => (v.spec as { n: number }).n % 2 === 0;
    const p1 = s.list('/pods/', { limit: 3, filter: even });
    expect(p1.items.map((i) => i.key)).toEqual(['/pods/p0', '/pods/p2', '/pods/p4']);
    expect(p1.continue).toBeTruthy();
    const p2 = s.list('/pods/', { limit: 3, filter: even, continue: p1.continue });
    expect(p2.items.map((i) => i.key)).toEqual(['/pods/p6', '/pods/p8']);
    expect(p2.continue).toBeUndefined();
    const exact = s.list('/pods/', { limit: 5, filter: even });
    expect(exact.items).toHaveLength(5);
    expect(exact.continue).toBeUndefined();
  });

  it('lists as of an older revision inside the window', async () => {
    const s = await make();
    await s.create('/pods/a', pod('a')); // 1
    await s.create('/pods/b', pod('b')); // 2
    await s.update('/pods/a', pod('a', { spec: { v: 2 } })); // 3
    await s.delete('/pods/b'); // 4
    await s.create('/pods/c', pod('c')); // 5
    const at = (rev: number) => s.list('/pods/', { revision: rev }).items.map((i) => `${i.key}@${i.modRevision}`);
    expect(at(1)).toEqual(['/pods/a@1']);
    expect(at(2)).toEqual(['/pods/a@1', '/pods/b@2']);
    expect(at(3)).toEqual(['/pods/a@3', '/pods/b@2']);
    expect(at(4)).toEqual(['/pods/a@3']);
    expect(at(5)).toEqual(['/pods/a@3', '/pods/c@5']);
    expect(s.list('/pods/', { revision: 2 }).revision).toBe(2);
    const paged = s.list('/pods/', { revision: 2, limit: 1 });
    expect(s.list('/pods/', { continue: paged.continue }).items.map((i) => i.key)).toEqual(['/pods/b']);
  });

  it('filters an older revision by the values it had then', async () => {
    const s = await make();
    await s.create('/pods/a', pod('a', { status: { phase: 'Pending' } })); // 1
    await s.create('/pods/b', pod('b', { status: { phase: 'Pending' } })); // 2
    await s.update('/pods/a', pod('a', { status: { phase: 'Running' } })); // 3
    await s.delete('/pods/b'); // 4
    const pending = (v: KubeObject) => (v.status as { phase: string }).phase === 'Pending';
    expect(s.list('/pods/', { revision: 2, filter: pending }).items.map((i) => i.key)).toEqual(['/pods/a', '/pods/b']);
    expect(s.list('/pods/', { revision: 3, filter: pending }).items.map((i) => i.key)).toEqual(['/pods/b']);
    expect(s.list('/pods/', { filter: pending }).items).toEqual([]);
  });

  it('answers Expired for revisions that left the history window', async () => {
    const s = await make({ historyRevisions: 3, historyMs: 0 });
    for (let i = 0; i < 5; i++) await s.create(`/pods/p${i}`, pod(`p${i}`));
    const page = s.list('/pods/', { limit: 1, revision: 2 });
    for (let i = 5; i < 10; i++) await s.create(`/pods/p${i}`, pod(`p${i}`));
    expect(s.compactedRevision).toBe(7);
    expect(await code(() => s.list('/pods/', { revision: 6 }))).toBe('Expired');
    expect(await code(() => s.list('/pods/', { revision: 7 }))).toBe('ok');
    expect(await code(() => s.list('/pods/', { continue: page.continue }))).toBe('Expired');
    expect(await code(() => s.watch('/pods/', 6, () => {}))).toBe('Expired');
    expect(await code(() => s.watch('/pods/', 7, () => {}).cancel())).toBe('ok');
    expect(await code(() => s.list('/pods/', { continue: 'garbage' }))).toBe('InvalidContinue');
    expect(await code(() => s.list('/services/', { continue: page.continue }))).toBe('InvalidContinue');
  });

  it('keeps every revision that is younger than the time window', async () => {
    const s = await make({ historyRevisions: 2, historyMs: 60_000 });
    for (let i = 0; i < 20; i++) await s.create(`/pods/p${i}`, pod(`p${i}`));
    expect(s.compactedRevision).toBe(0);
    expect((await collect(s, '/pods/', 0, 20)).map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('watch replays history after fromRevision, then streams live events, in order', async () => {
    const s = await make();
    await s.create('/pods/a', pod('a')); // 1
    await s.create('/services/a', pod('a')); // 2
    await s.update('/pods/a', pod('a', { spec: { v: 2 } })); // 3
    const events = await collect(s, '/pods/', 1, 4, async () => {
      await s.create('/pods/b', pod('b')); // 4
      await s.create('/services/b', pod('b')); // 5
      await s.delete('/pods/a'); // 6
      await s.update('/pods/b', pod('b', { spec: { v: 2 } })); // 7
    });
    expect(events.map((e) => [e.type, e.key, e.revision, e.value.metadata.resourceVersion])).toEqual([
      ['MODIFIED', '/pods/a', 3, '3'],
      ['ADDED', '/pods/b', 4, '4'],
      ['DELETED', '/pods/a', 6, '6'],
      ['MODIFIED', '/pods/b', 7, '7'],
    ]);
    expect(events[0].prevValue?.metadata.resourceVersion).toBe('1');
    expect(events[2].prevValue?.metadata.resourceVersion).toBe('3');
    expect(events[2].value.spec).toEqual({ v: 2 });
    expect(events[1].prevValue).toBeUndefined();
  });

  it('a watch from a revision not reached yet starts after it', async () => {
    const s = await make();
    await s.create('/pods/a', pod('a'));
    const events = await collect(s, '/pods/', 3, 1, async () => {
      for (const n of ['b', 'c', 'd']) await s.create(`/pods/${n}`, pod(n));
    });
    expect(events.map((e) => e.revision)).toEqual([4]);
  });

  it('a cancelled watch hears nothing more', async () => {
    const s = await make();
    const got: StoreEvent[] = [];
    const h = s.watch('/pods/', 0, (e) => got.push(e));
    await s.create('/pods/a', pod('a'));
    await expect.poll(() => got.length).toBe(1);
    h.cancel();
    await s.create('/pods/b', pod('b'));
    const probe = await collect(s, '/pods/', 1, 1);
    expect(probe).toHaveLength(1);
    expect(got).toHaveLength(1);
  });

  it('a handler that writes does not reorder what other watchers see', async () => {
    const s = await make();
    const first: number[] = [];
    const second: number[] = [];
    s.watch('/pods/', 0, (e) => {
      first.push(e.revision);
      if (e.key === '/pods/a') void s.create('/pods/from-handler', pod('x'));
    });
    s.watch('/pods/', 0, (e) => second.push(e.revision));
    await s.create('/pods/a', pod('a'));
    await s.create('/pods/b', pod('b'));
    await expect.poll(() => second.length).toBe(3);
    expect(second).toEqual([...second].sort((a, b) => a - b));
    expect(first).toEqual(second);
  });

  it('delivers to 100 watchers, each its own copy', async () => {
    const s = await make();
    const seen: StoreEvent[][] = Array.from({ length: 100 }, () => []);
    const handles = seen.map((list, i) => s.watch(i % 2 ? '/pods/' : '/pods/default/', 0, (e) => list.push(e)));
    for (let i = 0; i < 50; i++) await s.create(`/pods/default/p${i}`, pod(`p${i}`));
    await expect.poll(() => seen.every((l) => l.length === 50)).toBe(true);
    (seen[0][0].value.metadata as { name: string }).name = 'mutated';
    expect(seen[1][0].value.metadata.name).toBe('p0');
    expect(seen[7].map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    handles.forEach((h) => h.cancel());
  });

  it('refuses writes after close', async () => {
    const s = await open();
    await s.close();
    expect(await code(s.create('/k', pod('k')))).toBe('Closed');
  });
});
