// The core's commit pipeline against a fake durable layer: batching, visibility only once durable, failure.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { setLogSink } from '../../../main/log';
import { RevisionedStore, type Change, type Durability } from '../../../main/store/revisioned-store';
import type { StoreEvent } from '../../../main/store/types';

setLogSink(() => {});

/** A fake disk whose fsyncs complete only when the test opens the gate. */
class FakeGatedDisk implements Durability {
  batches: number[][] = [];
  private gates: { open: () => void; fail: (e: Error) => void }[] = [];

  append(changes: Change[]): Promise<void> {
    this.batches.push(changes.map((c) => c.revision));
    return new Promise((open, fail) => this.gates.push({ open, fail }));
  }
  async afterCommit(): Promise<void> {}
  async close(): Promise<void> {}

  get waiting(): number {
    return this.gates.length;
  }
  release(): void {
    this.gates.shift()!.open();
  }
  failNext(msg: string): void {
    this.gates.shift()!.fail(new Error(msg));
  }
}

const obj = (name: string): KubeObject => ({ metadata: { name } });

describe('group commit', () => {
  it('batches what arrives during an fsync, and shows nothing before it is durable', async () => {
    const disk = new FakeGatedDisk();
    const s = new RevisionedStore({}, disk);
    const seen: StoreEvent[] = [];
    s.watch('/', 0, (e) => seen.push(e));

    const first = s.create('/a', obj('a'));
    await expect.poll(() => disk.waiting).toBe(1);
    // Three writers arrive while the first fsync is in flight: they must share the next one.
    const later = [s.create('/b', obj('b')), s.create('/c', obj('c')), s.update('/a', obj('a2'))];
    await new Promise((r) => setImmediate(r));
    expect(disk.batches).toEqual([[1]]);
    expect([s.get('/a'), s.list('/').items.length, s.revision, seen.length]).toEqual([undefined, 0, 0, 0]);

    disk.release();
    expect((await first).modRevision).toBe(1);
    expect(s.get('/a')?.modRevision).toBe(1);
    expect(s.get('/b')).toBeUndefined();
    await expect.poll(() => disk.waiting).toBe(1);
    expect(disk.batches).toEqual([[1], [2, 3, 4]]);

    disk.release();
    expect((await Promise.all(later)).map((v) => v.modRevision)).toEqual([2, 3, 4]);
    await expect.poll(() => seen.map((e) => `${e.type} ${e.key} ${e.revision}`)).toEqual(['ADDED /a 1', 'ADDED /b 2', 'ADDED /c 3', 'MODIFIED /a 4']);
  });

  it('writers busy for long in one event-loop turn do not hold the disk back: the first ones commit while the rest still work', async () => {
    const disk = new FakeGatedDisk();
    const s = new RevisionedStore({}, disk);
    const first = s.create('/a', obj('a'));
    // still in the same turn: a writer that spends a few milliseconds (as the API chain does) before its write
    const t0 = performance.now();
    while (performance.now() - t0 < 5) {
      /* work */
    }
    const second = s.create('/b', obj('b'));
    // both were queued before the turn ended, and the commit did not wait for its end
    expect(disk.batches).toEqual([[1, 2]]);
    const third = s.create('/c', obj('c'));
    expect(disk.batches).toEqual([[1, 2]]);
    let acknowledged = 0;
    for (const p of [first, second, third]) void p.then(() => acknowledged++);
    await new Promise((r) => setImmediate(r));
    // nothing is acknowledged before its fsync
    expect([acknowledged, s.revision]).toEqual([0, 0]);
    disk.release();
    expect((await Promise.all([first, second])).map((v) => v.modRevision)).toEqual([1, 2]);
    await expect.poll(() => disk.waiting).toBe(1);
    expect(disk.batches).toEqual([[1, 2], [3]]);
    expect(acknowledged).toBe(2);
    disk.release();
    expect((await third).modRevision).toBe(3);
  });

  it('a failed fsync fails its batch and every later write, and shows none of them', async () => {
    const disk = new FakeGatedDisk();
    const s = new RevisionedStore({}, disk);
    const ok = s.create('/a', obj('a'));
    await expect.poll(() => disk.waiting).toBe(1);
    disk.release();
    await ok;
    const doomed = [s.create('/b', obj('b')), s.create('/c', obj('c'))];
    await expect.poll(() => disk.waiting).toBe(1);
    disk.failNext('EIO: i/o error, fdatasync');
    for (const p of doomed) await expect(p).rejects.toMatchObject({ code: 'Closed' });
    await expect(s.create('/d', obj('d'))).rejects.toMatchObject({ code: 'Closed' });
    expect(s.list('/').items.map((i) => i.key)).toEqual(['/a']);
    expect(s.revision).toBe(1);
  });
});
