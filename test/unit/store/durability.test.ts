// The durable store on disk: restart continuity, torn and corrupt tails, group commit, snapshots.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { setLogSink } from '../../../main/log';
import { openStore, type Store } from '../../../main/store';
import { RevisionedStore } from '../../../main/store/revisioned-store';
import { CorruptLogError, frame, repairStore, StoreLockedError, unframe, WriteAheadLog } from '../../../main/store/wal';

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
  ])('a corrupt $where in the last record is a torn tail: cut off, the rest loads', async ({ at }) => {
    const { dir, ends, file } = await writeLog(10);
    const buf = readFileSync(file);
    buf[at(ends[8])] ^= 0x5a;
    writeFileSync(file, buf);
    const s = await reopen(dir);
    expect(keysOf(s)).toEqual(expectedKeys(9));
    expect(statSync(file).size).toBe(ends[8]);
  });

  it.each([
    { where: 'a length byte', at: (start: number) => start },
    { where: 'a checksum byte', at: (start: number) => start + 5 },
    { where: 'a payload byte', at: (start: number) => start + 40 },
  ])('a corrupt $where mid-log refuses the open, naming file and offset, and changes no byte', async ({ at }) => {
    const { dir, ends, file } = await writeLog(10);
    for (const victim of [0, 4, 8]) {
      const copy = tempDir();
      cpSync(dir, copy, { recursive: true });
      const f = join(copy, 'store', file.split('/').pop()!);
      const buf = readFileSync(f);
      const start = victim ? ends[victim - 1] : 0;
      buf[at(start)] ^= 0x5a;
      writeFileSync(f, buf);
      const err = await openStore(copy).then(
        (s) => (open.push(s), undefined),
        (e: unknown) => e,
      );
      expect(err, `record ${victim}`).toBeInstanceOf(CorruptLogError);
      expect((err as CorruptLogError).message).toContain(`${f} is damaged at byte offset ${start}`);
      expect((err as CorruptLogError).message).toContain(`${9 - victim} readable record(s) follow it`);
      expect((err as CorruptLogError).message).toContain(`kubelab store repair --data-dir ${copy}`);
      expect(readFileSync(f).equals(buf), 'the log is left as it was').toBe(true);
      // and the lock was let go: repair (or a retry) can take it
      const r = await repairStore(copy);
      expect([r.kept, r.dropped, r.revision]).toEqual([9, 1, 10]);
      expect(r.damage).toMatchObject([{ file: basename(f), offset: start }]);
      const s = await reopen(copy);
      expect(keysOf(s)).toEqual(expectedKeys(10).filter((_, i) => i !== victim));
      expect(s.revision).toBe(10);
      expect((await s.create('/pods/zz', pod('zz'))).modRevision).toBe(11);
      await s.close();
      // the copy repair kept is the store as it was, byte for byte
      expect(readFileSync(join(r.backup!, basename(f))).equals(buf)).toBe(true);
      expect(keysOf(await reopen(copy))).toEqual([...expectedKeys(10).filter((_, i) => i !== victim), '/pods/zz']);
    }
  });

  it('a valid record that breaks the revision sequence refuses the open; repair drops only it', async () => {
    const { dir, file, ends } = await writeLog(3);
    const bogus = frame(JSON.stringify({ r: 9, o: 'put', k: '/pods/bogus', c: 9, t: 0, v: pod('bogus') }));
    writeFileSync(file, Buffer.concat([readFileSync(file), bogus]));
    await expect(openStore(dir)).rejects.toThrow(`is damaged at byte offset ${ends[2]} (a record of revision 9 out of sequence (after revision 3))`);
    // It reads whole, so repair keeps it and says which revisions the log skips.
    const r = await repairStore(dir);
    expect([r.kept, r.dropped, r.missing, r.revision]).toEqual([4, 0, [{ from: 4, to: 8 }], 9]);
    expect(keysOf(await reopen(dir))).toEqual([...expectedKeys(3), '/pods/bogus'].sort());
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

  it("a LOCK file left behind (an old lab's pid in it) is no lock: the OS holds none", async () => {
    const dir = tempDir();
    await (await openStore(dir)).close();
    writeFileSync(join(dir, 'store', 'LOCK'), `${process.pid}\n`);
    expect(keysOf(await reopen(dir))).toEqual([]);
  });

  it('refuses to start on a damaged snapshot rather than load part of it', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 1024 });
    for (let i = 0; i < 20; i++) await s.create(`/pods/p${i}`, pod(`p${i}`));
    await s.close();
    const snap = join(
      dir,
      'store',
      storeFiles(dir).find((n) => n.endsWith('.snap'))!,
    );
    const buf = readFileSync(snap);
    buf[buf.length - 10] ^= 0xff;
    writeFileSync(snap, buf);
    await expect(openStore(dir)).rejects.toThrow(/snapshot .* is corrupt/);
  });

  it('a torn record in an earlier segment is damage, not a crash: the open is refused', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 1 << 30 });
    for (let i = 0; i < 5; i++) await s.create(`/pods/p${String(i).padStart(3, '0')}`, pod(`p${i}`));
    await s.close();
    // A later segment as a rotation would have made it, after a first segment whose tail is torn.
    const first = join(dir, 'store', segments(dir)[0]);
    const { records } = unframe(readFileSync(first));
    writeFileSync(join(dir, 'store', 'wal-0000000000000006.log'), frame(JSON.stringify({ r: 6, o: 'put', k: '/pods/p005', c: 6, t: 0, v: pod('p5') })));
    truncateSync(first, records[4].offset + 3);
    await expect(openStore(dir)).rejects.toThrow(
      `${first} is damaged at byte offset ${records[4].offset} (3 unreadable byte(s)), and 1 readable record(s) follow it`,
    );
    const r = await repairStore(dir);
    expect([r.kept, r.dropped, r.missing]).toEqual([5, 1, [{ from: 5, to: 5 }]]);
    const s2 = await reopen(dir);
    expect(keysOf(s2)).toEqual([...expectedKeys(4), '/pods/p005']);
    expect((await s2.create('/pods/x', pod('x'))).modRevision).toBe(7);
  });

  it('repair of a store that reads whole changes nothing', async () => {
    const { dir, file } = await writeLog(4);
    const before = readFileSync(file);
    const r = await repairStore(dir);
    expect([r.kept, r.dropped, r.backup]).toEqual([4, 0, undefined]);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(storeFiles(dir).filter((n) => n.includes('orig'))).toEqual([]);
  });

  it('repair salvages a damaged snapshot and the log after it', async () => {
    const dir = tempDir();
    const s = await openStore(dir, { snapshotBytes: 1024 });
    for (let i = 0; i < 20; i++) await s.create(`/pods/p${String(i).padStart(3, '0')}`, pod(`p${i}`));
    const before = s.list('/').items.map((i) => i.key);
    await s.close();
    const snapName = storeFiles(dir).find((n) => n.endsWith('.snap'))!;
    const snap = join(dir, 'store', snapName);
    const buf = readFileSync(snap);
    const { records } = unframe(buf);
    buf[records[2].offset + 12] ^= 0xff; // the second entry
    writeFileSync(snap, buf);
    await expect(openStore(dir)).rejects.toThrow(`kubelab store repair --data-dir ${dir}`);
    const r = await repairStore(dir);
    expect(r.dropped).toBe(1);
    expect(r.damage).toMatchObject([{ file: snapName, offset: records[2].offset }]);
    const lost = JSON.parse(records[2].text).k;
    expect(keysOf(await reopen(dir))).toEqual(before.filter((k) => k !== lost));
  });
});

describe("durable store: the lock is the OS's", () => {
  const holders: ChildProcess[] = [];
  afterEach(() => {
    for (const h of holders.splice(0)) h.kill('SIGKILL');
  });

  /** Another process with the store of dir open; resolves once it has it. */
  function holder(dir: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'store-holder.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    holders.push(child);
    return new Promise((done, fail) => {
      child.stdout.once('data', (d: Buffer) => (String(d).startsWith('open ') ? done(child) : fail(new Error(String(d)))));
      child.once('exit', (code) => fail(new Error(`holder exited (${code})`)));
    });
  }

  it("refuses a second lab on the same data dir, naming the holder's pid", async () => {
    const dir = tempDir();
    const h = await holder(dir);
    const err = await openStore(dir, { lockWaitMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as Error).message).toBe(
      `the store in ${join(dir, 'store')} is in use by process ${h.pid}: another lab runs on this data dir (stop it first, or give this one its own --data-dir)`,
    );
  });

  it('a holder killed with kill -9 leaves no lock behind', async () => {
    const dir = tempDir();
    const h = await holder(dir);
    const exited = new Promise((r) => h.once('exit', r));
    h.kill('SIGKILL');
    await exited;
    expect(readFileSync(join(dir, 'store', 'LOCK'), 'utf8')).toBe(`${h.pid}\n`);
    const s = await reopen(dir, { lockWaitMs: 0 });
    expect(readFileSync(join(dir, 'store', 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
    expect(s.revision).toBe(0);
  });

  it('waits for a holder that is exiting, then opens', async () => {
    const dir = tempDir();
    const h = await holder(dir);
    const waiting = new Promise<void>((seen) =>
      setLogSink((line) => {
        if (line.includes('waiting for the process holding the store') && line.includes(`pid=${h.pid}`)) seen();
      }),
    );
    try {
      let opened = false;
      const opening = reopen(dir, { lockWaitMs: 60_000 }).then(() => (opened = true));
      await waiting;
      expect(opened, 'not opened while the holder lives').toBe(false);
      h.kill('SIGTERM');
      await opening;
      expect(readFileSync(join(dir, 'store', 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
    } finally {
      setLogSink(() => {});
    }
  });
});
