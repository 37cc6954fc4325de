// The durable store on disk: restart continuity, torn and corrupt tails, group commit, snapshots.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { setLogSink } from '../../../main/log';
import { openStore, type Store } from '../../../main/store';
import { RevisionedStore } from '../../../main/store/revisioned-store';
import { frame, unframe, WriteAheadLog } from '../../../main/store/wal';

// Every write here waits for a real fsync, which a busy shared disk can make slow.
vi.setConfig({ testTimeout: 30_000 });

setLogSink(() => {});

const pod = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'NOTE', value: 'ünïcødé ✓' }] }] },
  ...extra,
});

const dirs: string[] = [];
const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubelab-store-'));
  dirs.push(d);
  return d;
}

async function reopen(dir: string, opts = {}): Promise<Store> {
  const s = await openStore(dir, opts);
  open.push(s);
  return s;
}

const storeFiles = (dir: string) => readdirSync(join(dir, 'store')).sort();
const segments = (dir: string) => storeFiles(dir).filter((n) => /^wal-\d+\.log$/.test(n));
const keysOf = (s: Store) => s.list('/').items.map((i) => i.key);

/** A log of `n` creates, each in its own record, and the byte offset where each record ends. */
async function writeLog(n: number): Promise<{ dir: string; ends: number[]; file: string }> {
  const dir = tempDir();
  const s = await openStore(dir);
  for (let i = 0; i < n; i++) await s.create(`/pods/p${String(i).padStart(3, '0')}`, pod(`p${i}`));
  await s.close();
  const file = join(dir, 'store', segments(dir)[0]);
  const { records, validEnd } = unframe(readFileSync(file));
  expect(records).toHaveLength(n);
  const ends = records.map((r, i) => (i + 1 < records.length ? records[i + 1].offset : validEnd));
  return { dir, ends, file };
}

const expectedKeys = (m: number) => Array.from({ length: m }, (_, i) => `/pods/p${String(i).padStart(3, '0')}`);

describe('durable store', () => {
  it('continues where it left off after a restart', async () => {
    const dir = tempDir();
    const s1 = await openStore(dir);
    await s1.create('/pods/a', pod('a'));
    await s1.create('/pods/b', pod('b'));
    await s1.update('/pods/a', pod('a', { status: { phase: 'Running' } }));
    await s1.delete('/pods/b');
    await s1.close();

    const s2 = await reopen(dir);
    expect(s2.revision).toBe(4);
    expect(keysOf(s2)).toEqual(['/pods/a']);
    const a = s2.get('/pods/a')!;
    expect([a.modRevision, a.createRevision, a.value.metadata.resourceVersion, a.value.status]).toEqual([3, 1, '3', { phase: 'Running' }]);
    expect(a.value.spec).toEqual(pod('a').spec);
    expect((await s2.create('/pods/b', pod('b'))).modRevision).toBe(5);
    // The log's records are history again: a watch may start inside it.
    const seen: string[] = [];
    s2.watch('/pods/', 2, (e) => seen.push(`${e.type} ${e.key} ${e.revision}`));
    await expect.poll(() => seen).toEqual(['MODIFIED /pods/a 3', 'DELETED /pods/b 4', 'ADDED /pods/b 5']);
  });

  it('makes a write visible only once it is durable, while conflicts already count it', async () => {
    const dir = tempDir();
    const s = await reopen(dir);
    const pending = s.create('/pods/a', pod('a'));
    expect(s.get('/pods/a')).toBeUndefined();
    expect(s.revision).toBe(0);
    await expect(s.create('/pods/a', pod('a'))).rejects.toMatchObject({ code: 'AlreadyExists' });
    await pending;
    expect(s.get('/pods/a')?.modRevision).toBe(1);
  });

  it('shares one fsync among concurrent writers (group commit)', async () => {
    const dir = tempDir();
    const { wal, restored } = await WriteAheadLog.open(dir);
    const s = new RevisionedStore({}, wal, restored);
    open.push(s);
    await Promise.all(Array.from({ length: 64 }, (_, i) => s.create(`/pods/p${i}`, pod(`p${i}`))));
    expect(wal.stats.records).toBe(64);
    expect(wal.stats.fsyncs).toBeLessThan(8);
    expect(s.revision).toBe(64);
  });

  it('close() waits for writes still in flight', async () => {
    const dir = tempDir();
    const s = await openStore(dir);
    const writes = Array.from({ length: 20 }, (_, i) => s.create(`/pods/p${i}`, pod(`p${i}`)));
    await s.close();
    await Promise.all(writes);
    expect(keysOf(await reopen(dir))).toHaveLength(20);
  });

  it('keeps its files private: dir 0700, files 0600', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 2048 });
    for (let i = 0; i < 20; i++) await s.create(`/secrets/s${i}`, pod(`s${i}`));
    await s.close();
    expect(statSync(join(dir, 'store')).mode & 0o777).toBe(0o700);
    expect(storeFiles(dir).some((n) => n.endsWith('.snap'))).toBe(true);
    for (const n of storeFiles(dir)) expect(statSync(join(dir, 'store', n)).mode & 0o777, n).toBe(0o600);
  });

  describe('a log cut short at any byte loads a prefix of the writes, never garbage', () => {
    const N = 12;
    // Offsets: none, inside the first header, each record's exact end, and random bytes inside records.
    const cases = (ends: number[]) => {
      const rnd = Array.from({ length: 10 }, () => Math.floor(Math.random() * ends[ends.length - 1]));
      return [0, 3, 8, 9, ...ends, ...ends.map((e) => e - 1), ...rnd];
    };
    it('truncated logs', { timeout: 60_000 }, async () => {
      const { dir, ends, file } = await writeLog(N);
      for (const cut of cases(ends)) {
        const copy = tempDir();
        cpSync(dir, copy, { recursive: true });
        const f = join(copy, 'store', file.split('/').pop()!);
        truncateSync(f, cut);
        const complete = ends.filter((e) => e <= cut).length;
        const s = await reopen(copy);
        expect(keysOf(s), `cut at ${cut}`).toEqual(expectedKeys(complete));
        expect(s.revision).toBe(complete);
        expect(statSync(f).size, 'torn tail removed').toBe(complete ? ends[complete - 1] : 0);
        // New writes continue after the surviving prefix and survive another restart.
        expect((await s.create('/pods/zz', pod('zz'))).modRevision).toBe(complete + 1);
        await s.close();
        const again = await reopen(copy);
        expect(keysOf(again)).toEqual([...expectedKeys(complete), '/pods/zz']);
      }
    });
  });

  it.each([
    { where: 'a length byte', at: (start: number) => start },
    { where: 'a checksum byte', at: (start: number) => start + 5 },
    { where: 'a payload byte', at: (start: number) => start + 40 },
  ])('a corrupt $where drops that record and the rest of the tail', async ({ at }) => {
    const { dir, ends, file } = await writeLog(10);
    for (const victim of [0, 4, 9]) {
      const copy = tempDir();
      cpSync(dir, copy, { recursive: true });
      const f = join(copy, 'store', file.split('/').pop()!);
      const buf = readFileSync(f);
      const start = victim ? ends[victim - 1] : 0;
      buf[at(start)] ^= 0x5a;
      writeFileSync(f, buf);
      const s = await reopen(copy);
      expect(keysOf(s), `record ${victim}`).toEqual(expectedKeys(victim));
      expect(s.revision).toBe(victim);
    }
  });

  it('a valid record that breaks the revision sequence ends the log', async () => {
    const { dir, file } = await writeLog(3);
    const bogus = frame(JSON.stringify({ r: 9, o: 'put', k: '/pods/bogus', c: 9, t: 0, v: pod('bogus') }));
    writeFileSync(file, Buffer.concat([readFileSync(file), bogus]));
    const s = await reopen(dir);
    expect(keysOf(s)).toEqual(expectedKeys(3));
  });

  it('snapshots and compacts the log, and restores from snapshot + log', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 4096 });
    for (let i = 0; i < 100; i++) await s.create(`/pods/p${String(i).padStart(3, '0')}`, pod(`p${i}`));
    for (let i = 0; i < 100; i += 3) await s.update(`/pods/p${String(i).padStart(3, '0')}`, pod(`p${i}`, { status: { phase: 'Running' } }));
    for (let i = 1; i < 100; i += 3) await s.delete(`/pods/p${String(i).padStart(3, '0')}`);
    const before = s.list('/');
    await s.close();
    const files = storeFiles(dir);
    expect(files.filter((n) => n.endsWith('.snap'))).toHaveLength(1);
    expect(segments(dir).length).toBeLessThanOrEqual(2);
    const total = files.reduce((n, f) => n + statSync(join(dir, 'store', f)).size, 0);
    expect(total).toBeLessThan(100 * 300);

    const s2 = await reopen(dir, { snapshotBytes: 4096 });
    expect(s2.revision).toBe(before.revision);
    expect(s2.list('/').items).toEqual(before.items);
    expect((await s2.create('/pods/new', pod('new'))).modRevision).toBe(before.revision + 1);
  });

  it('recovers if it died after writing a snapshot but before deleting old segments', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 1 << 30 });
    for (let i = 0; i < 30; i++) await s.create(`/pods/p${String(i).padStart(3, '0')}`, pod(`p${i}`));
    await s.close();
    const oldSegment = readFileSync(join(dir, 'store', segments(dir)[0]));
    // Now compact (tiny threshold), then put the deleted old segment back, as a crash would have left it.
    const s2 = await openStore(dir, { snapshotBytes: 16 });
    await s2.create('/pods/p030', pod('p30'));
    await s2.create('/pods/p031', pod('p31'));
    await s2.close();
    writeFileSync(join(dir, 'store', 'wal-0000000000000001.log'), oldSegment, { mode: 0o600 });
    const s3 = await reopen(dir);
    expect(keysOf(s3)).toEqual(expectedKeys(32));
    expect(s3.revision).toBe(32);
    await s3.close();
    // That leftover is obsolete: damage in it must not cost the newer segments anything.
    const damaged = Buffer.from(oldSegment);
    damaged[20] ^= 0xff;
    writeFileSync(join(dir, 'store', 'wal-0000000000000001.log'), damaged, { mode: 0o600 });
    const s4 = await reopen(dir);
    expect(keysOf(s4)).toEqual(expectedKeys(32));
    expect(storeFiles(dir).filter((n) => n.endsWith('.corrupt'))).toEqual([]);
  });
});

describe('durable store: refusals', () => {
  it('refuses a second open of the same data dir while the first is open', async () => {
    const dir = tempDir();
    const s = await reopen(dir);
    await expect(openStore(dir)).rejects.toThrow(/already open in this process/);
    await s.close();
    await reopen(dir);
  });

  it('takes over the lock of a process that died', async () => {
    const dir = tempDir();
    const s = await openStore(dir);
    await s.close();
    writeFileSync(join(dir, 'store', 'LOCK'), '999999999\n');
    expect(keysOf(await reopen(dir))).toEqual([]);
  });

  it('refuses to start on a damaged snapshot rather than load part of it', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 1024 });
    for (let i = 0; i < 20; i++) await s.create(`/pods/p${i}`, pod(`p${i}`));
    await s.close();
    const snap = join(dir, 'store', storeFiles(dir).find((n) => n.endsWith('.snap'))!);
    const buf = readFileSync(snap);
    buf[buf.length - 10] ^= 0xff;
    writeFileSync(snap, buf);
    await expect(openStore(dir)).rejects.toThrow(/snapshot .* is corrupt/);
  });

  it('a torn record in an earlier segment sets aside the segments after it', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 1 << 30 });
    for (let i = 0; i < 5; i++) await s.create(`/pods/p${String(i).padStart(3, '0')}`, pod(`p${i}`));
    await s.close();
    // A later segment as a rotation would have made it, after a first segment whose tail is torn.
    const first = join(dir, 'store', segments(dir)[0]);
    const { records } = unframe(readFileSync(first));
    writeFileSync(join(dir, 'store', 'wal-0000000000000006.log'), frame(JSON.stringify({ r: 6, o: 'put', k: '/pods/p005', c: 6, t: 0, v: pod('p5') })));
    truncateSync(first, records[4].offset + 3);
    const s2 = await reopen(dir);
    expect(keysOf(s2)).toEqual(expectedKeys(4));
    expect(storeFiles(dir)).toContain('wal-0000000000000006.log.corrupt');
    expect((await s2.create('/pods/x', pod('x'))).modRevision).toBe(5);
  });
});

describe('durable store: a live lock holder', () => {
  // The holder lives until the test ends it: a fixed lifetime raced the store's 5 s wait on a loaded machine.
  it('waits for a live holder to exit, then opens', async () => {
    const dir = tempDir();
    await (await openStore(dir)).close();
    const holder = spawn('sleep', ['60']);
    expect(holder.pid).toBeGreaterThan(0);
    writeFileSync(join(dir, 'store', 'LOCK'), `${holder.pid}\n`);
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    try {
      let opened = false;
      const opening = reopen(dir).then(() => (opened = true));
      await expect.poll(() => lines.some((l) => l.includes('waiting for the process holding the store') && l.includes(`pid=${holder.pid}`))).toBe(true);
      expect(opened, 'not opened while the holder lives').toBe(false);
      holder.kill();
      await opening;
      expect(readFileSync(join(dir, 'store', 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
    } finally {
      setLogSink(() => {});
      holder.kill('SIGKILL');
    }
  });
});
