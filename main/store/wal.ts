// The store's write-ahead log and snapshots on disk (format: see index.ts). Appends are
// fsync'd before they resolve; a torn or corrupt tail is cut off at open, never half-loaded.
import { promises as fsp, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { logger } from '../log';
import { Entry, type Change, type Durability, type Restored } from './revisioned-store';

const log = logger('store');

export interface WalOptions {
  /** start a new segment and snapshot once the live segment is larger than this (default 64 MiB) */
  snapshotBytes?: number;
  /** fsync before acknowledging (default true; only benchmarks turn it off) */
  fsync?: boolean;
}

/** A log record read back at open, for the store to replay. */
export interface LogRecord {
  revision: number;
  key: string;
  deleted: boolean;
  /** the value's JSON ('' for a deletion) */
  json: string;
  createRevision: number;
  ts: number;
}

const HEADER = 8;
const MAX_RECORD = 256 * 1024 * 1024;
const SEGMENT_RE = /^wal-(\d{16})\.log$/;
const SNAPSHOT_RE = /^snapshot-(\d{16})\.snap$/;
const FILE_MODE = 0o600;

const pad = (n: number) => String(n).padStart(16, '0');
const segmentName = (rev: number) => `wal-${pad(rev)}.log`;
const snapshotName = (rev: number) => `snapshot-${pad(rev)}.snap`;

/** Frame one record: [u32 LE length][u32 LE crc32][payload]. */
export function frame(payload: string): Buffer {
  const len = Buffer.byteLength(payload);
  const b = Buffer.allocUnsafe(HEADER + len);
  b.writeUInt32LE(len, 0);
  b.write(payload, HEADER, 'utf8');
  b.writeUInt32LE(crc32(b.subarray(HEADER)), 4);
  return b;
}

/** Split a file into record payloads; stops at the first record that is short or fails its checksum. */
export function unframe(buf: Buffer): { records: { offset: number; text: string }[]; validEnd: number } {
  const records: { offset: number; text: string }[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len > MAX_RECORD || off + HEADER + len > buf.length) break;
    const body = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(body) !== buf.readUInt32LE(off + 4)) break;
    records.push({ offset: off, text: body.toString('utf8') });
    off += HEADER + len;
  }
  return { records, validEnd: off };
}

export function encodeChange(c: Change): string {
  if (c.type === 'DELETED') return `{"r":${c.revision},"o":"del","k":${JSON.stringify(c.key)},"t":${c.ts}}`;
  return `{"r":${c.revision},"o":"put","k":${JSON.stringify(c.key)},"c":${c.entry.createRevision},"t":${c.ts},"v":${c.entry.json}}`;
}

function decodeLogRecord(text: string): LogRecord {
  const o = JSON.parse(text);
  if (!Number.isInteger(o?.r) || typeof o.k !== 'string' || (o.o !== 'put' && o.o !== 'del')) throw new Error('not a log record');
  if (o.o === 'del') return { revision: o.r, key: o.k, deleted: true, json: '', createRevision: 0, ts: o.t ?? 0 };
  if (typeof o.v !== 'object' || !o.v || !Number.isInteger(o.c)) throw new Error('not a log record');
  return { revision: o.r, key: o.k, deleted: false, json: JSON.stringify(o.v), createRevision: o.c, ts: o.t ?? 0 };
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeAll(fh: fsp.FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

async function loadSnapshot(path: string): Promise<Restored> {
  const buf = await fsp.readFile(path);
  const { records, validEnd } = unframe(buf);
  const header = records.length ? JSON.parse(records[0].text) : undefined;
  if (header?.snapshot !== 1 || !Number.isInteger(header.revision) || records.length !== header.count + 1 || validEnd !== buf.length) {
    // Snapshots are renamed into place only once complete and fsync'd: a bad one is damage, not a crash.
    throw new Error(`store snapshot ${path} is corrupt; refusing to start on partial data`);
  }
  const entries: Entry[] = [];
  for (let i = 1; i < records.length; i++) {
    const o = JSON.parse(records[i].text);
    entries.push(new Entry(o.k, JSON.stringify(o.v), o.m, o.c));
  }
  return { revision: header.revision, entries };
}

/** Data dirs this process has open: a second open would interleave two writers in one log. */
const held = new Set<string>();

async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process not yet reaped by its parent still answers kill(0): a zombie holds nothing.
  const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) Z/s.test(stat);
}

/**
 * Take <dir>/LOCK (holding our pid). A lock left by a dead process (kill -9) is taken over; a live
 * holder gets `waitMs` to finish shutting down (a restart racing the old process's exit).
 */
async function lockDir(dir: string, waitMs = 5000): Promise<void> {
  if (held.has(dir)) throw new Error(`the store in ${dir} is already open in this process`);
  const path = join(dir, 'LOCK');
  const deadline = Date.now() + waitMs;
  let waitingFor = 0;
  for (;;) {
    try {
      await fsp.writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: FILE_MODE });
      held.add(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await fsp.readFile(path, 'utf8').catch(() => '')).trim());
    if (pid > 0 && pid !== process.pid && (await alive(pid))) {
      if (Date.now() > deadline) throw new Error(`the store in ${dir} is in use by process ${pid}`);
      if (waitingFor !== pid) log.info('waiting for the process holding the store to exit', { dir, pid, waitMs });
      waitingFor = pid;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    await fsp.rm(path, { force: true });
  }
}

async function unlockDir(dir: string): Promise<void> {
  held.delete(dir);
  await fsp.rm(join(dir, 'LOCK'), { force: true });
}

export class WriteAheadLog implements Durability {
  private snapshotting?: Promise<void>;
  /** counters for tests and benchmarks: group commit shows as fsyncs < records */
  readonly stats = { records: 0, fsyncs: 0, snapshots: 0 };

  private constructor(
    private readonly dir: string,
    private fh: fsp.FileHandle,
    private segment: string,
    private bytes: number,
    private readonly opts: Required<WalOptions>,
  ) {}

  static async open(dataDir: string, options: WalOptions = {}): Promise<{ wal: WriteAheadLog; restored: Restored; records: LogRecord[] }> {
    const opts: Required<WalOptions> = { snapshotBytes: options.snapshotBytes ?? 64 * 1024 * 1024, fsync: options.fsync ?? true };
    const dir = resolve(dataDir, 'store');
    const created = await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await fsp.chmod(dir, 0o700);
    // A new store dir must itself survive a crash, or its first fsync'd writes vanish with it.
    if (created) await fsyncDir(resolve(dir, '..'));
    await lockDir(dir);
    try {
      return await WriteAheadLog.recover(dir, opts);
    } catch (err) {
      await unlockDir(dir);
      throw err;
    }
  }

  private static async recover(dir: string, opts: Required<WalOptions>): Promise<{ wal: WriteAheadLog; restored: Restored; records: LogRecord[] }> {
    const names = (await fsp.readdir(dir)).sort();
    for (const n of names) if (n.endsWith('.tmp')) await fsp.rm(join(dir, n), { force: true });

    const snaps = names.filter((n) => SNAPSHOT_RE.test(n));
    const restored: Restored = snaps.length ? await loadSnapshot(join(dir, snaps[snaps.length - 1])) : { revision: 0, entries: [] };
    const records: LogRecord[] = [];
    let last = restored.revision;
    let lastSeen = 0;

    // A segment whose successor starts by the snapshot's revision holds only what the snapshot has:
    // it is left for the next compaction to delete, and not read (damage there costs nothing).
    const all = names.filter((n) => SEGMENT_RE.test(n));
    const startOf = (n: string) => Number(SEGMENT_RE.exec(n)![1]);
    const segments = all.filter((n, i) => i === all.length - 1 || startOf(all[i + 1]) > restored.revision + 1);
    let good = segments.length;
    for (let s = 0; s < segments.length && good === segments.length; s++) {
      const path = join(dir, segments[s]);
      const buf = await fsp.readFile(path);
      const { records: recs, validEnd } = unframe(buf);
      let cut = validEnd;
      for (const { offset, text } of recs) {
        let rec: LogRecord;
        try {
          rec = decodeLogRecord(text);
        } catch {
          cut = offset;
          break;
        }
        // Records before the snapshot only need to be increasing; after it, exactly consecutive.
        const ok = rec.revision <= restored.revision ? rec.revision > lastSeen : rec.revision === last + 1;
        if (!ok) {
          cut = offset;
          break;
        }
        lastSeen = rec.revision;
        if (rec.revision > restored.revision) {
          records.push(rec);
          last = rec.revision;
        }
      }
      if (cut < buf.length) {
        log.warn('write-ahead log has a torn or corrupt tail; truncating it', { segment: segments[s], at: cut, dropped: buf.length - cut });
        await fsp.truncate(path, cut);
        const fh = await fsp.open(path, 'r+');
        await fh.sync();
        await fh.close();
        good = s + 1;
      }
    }
    for (let s = good; s < segments.length; s++) {
      log.warn('setting aside a log segment after a corrupt record', { segment: segments[s] });
      await fsp.rename(join(dir, segments[s]), join(dir, segments[s] + '.corrupt'));
    }

    let segment = good > 0 ? segments[good - 1] : segmentName(last + 1);
    if (good > 0 && segment < segmentName(restored.revision + 1)) segment = segmentName(last + 1);
    const path = join(dir, segment);
    const fh = await fsp.open(path, 'a', FILE_MODE);
    await fh.chmod(FILE_MODE);
    const { size } = await fh.stat();
    await fsyncDir(dir);
    return { wal: new WriteAheadLog(dir, fh, segment, size, opts), restored, records };
  }

  async append(changes: Change[]): Promise<void> {
    const buf = changes.length === 1 ? frame(encodeChange(changes[0])) : Buffer.concat(changes.map((c) => frame(encodeChange(c))));
    // A write into the page cache is quick: done synchronously it saves a thread-pool hop per batch.
    for (let off = 0; off < buf.length; ) off += writeSync(this.fh.fd, buf, off);
    if (this.opts.fsync) await this.fh.datasync();
    this.bytes += buf.length;
    this.stats.records += changes.length;
    this.stats.fsyncs++;
  }

  async afterCommit(revision: number, _compacted: number, entries: () => Entry[]): Promise<void> {
    if (this.bytes < this.opts.snapshotBytes || this.snapshotting) return;
    const state = entries(); // entries are immutable: this array is the state at `revision`
    const next = segmentName(revision + 1);
    if (next === this.segment) return;
    const fh = await fsp.open(join(this.dir, next), 'a', FILE_MODE);
    await fsyncDir(this.dir);
    const old = this.fh;
    this.fh = fh;
    this.segment = next;
    this.bytes = 0;
    await old.close();
    this.snapshotting = this.snapshot(revision, state)
      .catch((err) => log.warn('snapshot failed; the log keeps everything', { err: String(err) }))
      .finally(() => (this.snapshotting = undefined));
  }

  /** Write the state at revision, then drop the segments and snapshots it replaces. */
  private async snapshot(revision: number, state: Entry[]): Promise<void> {
    const tmp = join(this.dir, snapshotName(revision) + '.tmp');
    const fh = await fsp.open(tmp, 'w', FILE_MODE);
    try {
      let chunk: Buffer[] = [frame(JSON.stringify({ snapshot: 1, revision, count: state.length }))];
      let size = 0;
      for (const e of state) {
        const b = frame(`{"k":${JSON.stringify(e.key)},"c":${e.createRevision},"m":${e.modRevision},"v":${e.json}}`);
        chunk.push(b);
        size += b.length;
        if (size > 1 << 20) {
          await writeAll(fh, Buffer.concat(chunk));
          chunk = [];
          size = 0;
        }
      }
      await writeAll(fh, Buffer.concat(chunk));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, join(this.dir, snapshotName(revision)));
    await fsyncDir(this.dir);
    for (const n of await fsp.readdir(this.dir)) {
      const seg = SEGMENT_RE.exec(n);
      const snap = SNAPSHOT_RE.exec(n);
      if ((seg && Number(seg[1]) <= revision) || (snap && Number(snap[1]) < revision)) await fsp.rm(join(this.dir, n), { force: true });
    }
    await fsyncDir(this.dir);
    this.stats.snapshots++;
    log.debug('snapshot written', { revision, keys: state.length });
  }

  async close(): Promise<void> {
    await this.snapshotting;
    await this.fh.close();
    await unlockDir(this.dir);
  }
}
