// The store's write-ahead log and snapshots on disk (format: see index.ts). Appends are
// fsync'd before they resolve. At open a torn final record (a crash mid-append) is cut off; damage
// anywhere else refuses the open, keeping every byte, until `kubelab store repair` (repairStore below).
import { promises as fsp, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { logger } from '../log';
import { Entry, type Change, type Durability, type Restored } from './revisioned-store';

const log = logger('store');

export interface WalOptions {
  /** start a new segment and snapshot once the live segment is larger than this (default 64 MiB) */
  snapshotBytes?: number;
  /** fsync before acknowledging (default true; only benchmarks turn it off) */
  fsync?: boolean;
  /** how long to wait for a live process holding the store to exit before refusing (default 5 s) */
  lockWaitMs?: number;
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
  for (let text = frameAt(buf, off); text !== undefined; text = frameAt(buf, off)) {
    records.push({ offset: off, text });
    off += HEADER + Buffer.byteLength(text);
  }
  return { records, validEnd: off };
}

/** The payload of a whole, checksummed, non-empty record at off (a run of zeros is no record). */
function frameAt(buf: Buffer, off: number): string | undefined {
  if (off + HEADER > buf.length) return undefined;
  const len = buf.readUInt32LE(off);
  if (len === 0 || len > MAX_RECORD || off + HEADER + len > buf.length) return undefined;
  const body = buf.subarray(off + HEADER, off + HEADER + len);
  return crc32(body) === buf.readUInt32LE(off + 4) ? body.toString('utf8') : undefined;
}

/** A piece of a log file: a readable record, or bytes that are none (up to the next readable record). */
export type LogPiece = { offset: number; end: number; text: string } | { offset: number; end: number; text?: undefined };

/**
 * Every readable record of a log file, and the unreadable stretches between them: after damage, reading
 * resumes at the next offset where a whole record with a good checksum decodes as a log record.
 */
export function scanLog(buf: Buffer, accept: (record: unknown) => boolean = (o) => isLogRecord(o)): LogPiece[] {
  const pieces: LogPiece[] = [];
  let off = 0;
  while (off < buf.length) {
    const text = frameAt(buf, off);
    if (text !== undefined) {
      const end = off + HEADER + Buffer.byteLength(text);
      pieces.push({ offset: off, end, text });
      off = end;
      continue;
    }
    let next = off + 1;
    while (next < buf.length && !readableAt(buf, next, accept)) next++;
    pieces.push({ offset: off, end: next });
    off = next;
  }
  return pieces;
}

function readableAt(buf: Buffer, off: number, accept: (record: unknown) => boolean): boolean {
  const text = frameAt(buf, off);
  if (text === undefined) return false;
  try {
    return accept(JSON.parse(text));
  } catch {
    return false;
  }
}

function tryDecode(text: string): LogRecord | undefined {
  try {
    return decodeLogRecord(text);
  } catch {
    return undefined;
  }
}

/** The log is damaged before its end: opening it would lose records, so the store refuses to start. */
export class CorruptLogError extends Error {
  override name = 'CorruptLogError';
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly problem: string,
    readonly recordsAfter: number,
    dataDir: string,
  ) {
    super(
      `the store's write-ahead log ${file} is damaged at byte offset ${offset} (${problem}), and ${recordsAfter} readable ` +
        `record(s) follow it; refusing to start rather than drop them. Nothing was changed. ` +
        `Run \`kubelab store repair --data-dir ${dataDir}\` to keep every readable record and drop only the damaged bytes ` +
        `(it keeps a copy of the store as it is first).`,
    );
  }
}

export function encodeChange(c: Change): string {
  if (c.type === 'DELETED') return `{"r":${c.revision},"o":"del","k":${JSON.stringify(c.key)},"t":${c.ts}}`;
  return `{"r":${c.revision},"o":"put","k":${JSON.stringify(c.key)},"c":${c.entry.createRevision},"t":${c.ts},"v":${c.entry.json}}`;
}

interface EncodedRecord {
  r: number;
  o: 'put' | 'del';
  k: string;
  c?: number;
  t?: number;
  v?: unknown;
}

function isLogRecord(o: unknown): o is EncodedRecord {
  const r = o as EncodedRecord;
  if (!Number.isInteger(r?.r) || typeof r.k !== 'string' || (r.o !== 'put' && r.o !== 'del')) return false;
  return r.o === 'del' || (typeof r.v === 'object' && r.v !== null && Number.isInteger(r.c));
}

function decodeLogRecord(text: string): LogRecord {
  const o: unknown = JSON.parse(text);
  if (!isLogRecord(o)) throw new Error('not a log record');
  if (o.o === 'del') return { revision: o.r, key: o.k, deleted: true, json: '', createRevision: 0, ts: o.t ?? 0 };
  return { revision: o.r, key: o.k, deleted: false, json: JSON.stringify(o.v), createRevision: o.c!, ts: o.t ?? 0 };
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
    throw new Error(
      `store snapshot ${path} is corrupt; refusing to start on partial data. ` +
        `Run \`kubelab store repair --data-dir ${resolve(path, '..', '..')}\` to keep what of it reads (it keeps a copy first).`,
    );
  }
  const entries: Entry[] = [];
  for (let i = 1; i < records.length; i++) {
    const o = JSON.parse(records[i].text);
    entries.push(new Entry(o.k, JSON.stringify(o.v), o.m, o.c));
  }
  return { revision: header.revision, entries };
}

/** Data dirs this process has open: a second open would interleave two writers in one log. */
const held = new Map<string, fsp.FileHandle>();

/** Whole-file locks the OS releases with the process (flock-style; Linux: OFD locks, Windows: LockFileEx). */
const fileLock = createRequire(import.meta.url)('fs-native-extensions') as { tryLock(fd: number): boolean; unlock(fd: number): void };

/** The store is open in another process, alive (a dead one's lock is gone with it). */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `the store in ${dir} is in use by ${pid ? `process ${pid}` : 'another process'}: another lab runs on this data dir ` +
        `(stop it first, or give this one its own --data-dir)`,
    );
  }
}

/**
 * Lock <dir>/LOCK, then write our pid in it for whoever is refused. The lock is the OS's, so a killed
 * holder (kill -9) leaves nothing to clean up; a live one gets `waitMs` to finish exiting (a restart
 * racing the old process). The file is never removed: unlinking a locked file lets a third process lock
 * a new one beside it.
 */
async function lockDir(dir: string, waitMs = 5000): Promise<fsp.FileHandle> {
  if (held.has(dir)) throw new Error(`the store in ${dir} is already open in this process`);
  const path = join(dir, 'LOCK');
  const fh = await fsp.open(path, 'a+', FILE_MODE);
  try {
    const deadline = Date.now() + waitMs;
    let waitingFor: number | undefined;
    while (!fileLock.tryLock(fh.fd)) {
      const pid = Number((await fsp.readFile(path, 'utf8').catch(() => '')).trim()) || undefined;
      if (Date.now() > deadline) throw new StoreLockedError(dir, pid);
      if (waitingFor !== pid) log.info('waiting for the process holding the store to exit', { dir, pid, waitMs });
      waitingFor = pid;
      await new Promise((r) => setTimeout(r, 100));
    }
    await fh.chmod(FILE_MODE);
    await fh.truncate(0);
    await fh.write(`${process.pid}\n`, 0);
    held.set(dir, fh);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function unlockDir(dir: string): Promise<void> {
  const fh = held.get(dir);
  if (!fh) return;
  held.delete(dir);
  await fh.truncate(0).catch(() => {});
  fileLock.unlock(fh.fd);
  await fh.close();
}

/**
 * The segments open reads: a segment whose successor starts by the snapshot's revision holds only what the
 * snapshot has; it is left for the next compaction to delete, and not read (damage there costs nothing).
 */
function liveSegments(names: string[], snapshotRevision: number): string[] {
  const all = names.filter((n) => SEGMENT_RE.test(n)).sort();
  const startOf = (n: string) => Number(SEGMENT_RE.exec(n)![1]);
  return all.filter((n, i) => i === all.length - 1 || startOf(all[i + 1]) > snapshotRevision + 1);
}

/** The whole state at revision, as a snapshot file: temp file, fsync, rename, fsync dir. */
async function writeSnapshot(dir: string, revision: number, state: Entry[]): Promise<void> {
  const tmp = join(dir, snapshotName(revision) + '.tmp');
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
  await fsp.rename(tmp, join(dir, snapshotName(revision)));
  await fsyncDir(dir);
}

async function removeFiles(dir: string, which: (name: string) => boolean): Promise<void> {
  for (const n of await fsp.readdir(dir)) if (which(n)) await fsp.rm(join(dir, n), { force: true });
  await fsyncDir(dir);
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
    const opts: Required<WalOptions> = {
      snapshotBytes: options.snapshotBytes ?? 64 * 1024 * 1024,
      fsync: options.fsync ?? true,
      lockWaitMs: options.lockWaitMs ?? 5000,
    };
    const dir = resolve(dataDir, 'store');
    const created = await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await fsp.chmod(dir, 0o700);
    // A new store dir must itself survive a crash, or its first fsync'd writes vanish with it.
    if (created) await fsyncDir(resolve(dir, '..'));
    await lockDir(dir, opts.lockWaitMs);
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

    const segments = liveSegments(names, restored.revision);
    for (let s = 0; s < segments.length; s++) {
      const path = join(dir, segments[s]);
      const buf = await fsp.readFile(path);
      const pieces = scanLog(buf);
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i];
        let problem: string | undefined;
        if (piece.text === undefined) problem = `${piece.end - piece.offset} unreadable byte(s)`;
        else {
          const rec = tryDecode(piece.text);
          if (!rec) problem = 'a record that is not a log record';
          // Records before the snapshot only need to be increasing; after it, exactly consecutive.
          else if (rec.revision <= restored.revision ? rec.revision <= lastSeen : rec.revision !== last + 1) {
            problem = `a record of revision ${rec.revision} out of sequence (after revision ${lastSeen})`;
          } else {
            lastSeen = rec.revision;
            if (rec.revision > restored.revision) {
              records.push(rec);
              last = rec.revision;
            }
            continue;
          }
        }
        // Only the last bytes of the last segment can be a crash's doing (an append cut short): nothing
        // readable follows them, and the write they belonged to was never acknowledged.
        if (s === segments.length - 1 && i === pieces.length - 1 && piece.text === undefined) {
          log.warn('write-ahead log ends in a torn record (a crash during a write); cutting it off', {
            segment: segments[s],
            at: piece.offset,
            bytes: buf.length - piece.offset,
          });
          await fsp.truncate(path, piece.offset);
          const fh = await fsp.open(path, 'r+');
          await fh.sync();
          await fh.close();
          break;
        }
        let after = pieces.slice(i + 1).filter((p) => p.text !== undefined).length;
        for (const later of segments.slice(s + 1)) after += scanLog(await fsp.readFile(join(dir, later))).filter((p) => p.text !== undefined).length;
        throw new CorruptLogError(path, piece.offset, problem, after, resolve(dir, '..'));
      }
    }

    let segment = segments.length ? segments[segments.length - 1] : segmentName(last + 1);
    if (segment < segmentName(restored.revision + 1)) segment = segmentName(last + 1);
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
    for (let off = 0; off < buf.length;) off += writeSync(this.fh.fd, buf, off);
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
    await writeSnapshot(this.dir, revision, state);
    await removeFiles(this.dir, (n) => {
      const seg = SEGMENT_RE.exec(n);
      const snap = SNAPSHOT_RE.exec(n);
      return (seg !== null && Number(seg[1]) <= revision) || (snap !== null && Number(snap[1]) < revision);
    });
    this.stats.snapshots++;
    log.debug('snapshot written', { revision, keys: state.length });
  }

  async close(): Promise<void> {
    await this.snapshotting;
    await this.fh.close();
    await unlockDir(this.dir);
  }
}

/** What `kubelab store repair` did: records kept and dropped, where the damage was, where the copy is. */
export interface RepairReport {
  /** log records replayed into the repaired store, and entries kept from the snapshot it started from */
  kept: number;
  snapshotEntries: number;
  /** damaged stretches and out-of-sequence records left out (a stretch counts as one record: at least one was there) */
  dropped: number;
  damage: { file: string; offset: number; bytes: number; problem: string }[];
  /** revisions the log skips over (after a dropped record, or missing without a trace) */
  missing: { from: number; to: number }[];
  /** the repaired store's revision */
  revision: number;
  /** the copy of the store as it was, or undefined when nothing needed repair (nothing was changed) */
  backup?: string;
}

interface SnapshotRecord {
  k: string;
  c: number;
  m: number;
  v: unknown;
}

const isSnapshotRecord = (o: unknown): o is SnapshotRecord => {
  const r = o as SnapshotRecord;
  return typeof r?.k === 'string' && Number.isInteger(r.c) && Number.isInteger(r.m) && typeof r.v === 'object' && r.v !== null;
};

/**
 * Rebuild the store of dataDir from every readable record: the newest snapshot (what of it reads), then
 * the log records after it in revision order, written as one new snapshot. Only unreadable bytes and
 * records out of sequence are dropped. The store as it was is copied first to <dataDir>/store.orig-<time>.
 * Refused while a lab has the store open.
 */
export async function repairStore(dataDir: string, now = new Date()): Promise<RepairReport> {
  const dir = resolve(dataDir, 'store');
  const names = (await fsp.readdir(dir).catch(() => undefined))?.sort();
  if (!names) throw new Error(`there is no store in ${dataDir} (no ${dir})`);
  await lockDir(dir, 0);
  try {
    const report: RepairReport = { kept: 0, snapshotEntries: 0, dropped: 0, damage: [], missing: [], revision: 0 };
    const damaged = (file: string, offset: number, bytes: number, problem: string) => {
      report.damage.push({ file: basename(file), offset, bytes, problem });
      report.dropped++;
    };
    const state = new Map<string, Entry>();

    const snaps = names.filter((n) => SNAPSHOT_RE.test(n));
    let snapshotRevision = 0;
    if (snaps.length) {
      const file = snaps[snaps.length - 1];
      const pieces = scanLog(await fsp.readFile(join(dir, file)), (o) => isSnapshotRecord(o) || (o as { snapshot?: unknown })?.snapshot === 1);
      for (const p of pieces) {
        const o = p.text === undefined ? undefined : parseOrUndefined(p.text);
        if ((o as { snapshot?: unknown })?.snapshot === 1 && p.offset === 0) snapshotRevision = (o as { revision: number }).revision;
        else if (isSnapshotRecord(o)) {
          state.set(o.k, new Entry(o.k, JSON.stringify(o.v), o.m, o.c));
          snapshotRevision = Math.max(snapshotRevision, o.m);
        } else damaged(file, p.offset, p.end - p.offset, p.text === undefined ? 'unreadable bytes' : 'not a snapshot record');
      }
      report.snapshotEntries = state.size;
    }

    let revision = snapshotRevision;
    for (const file of liveSegments(names, snapshotRevision)) {
      for (const p of scanLog(await fsp.readFile(join(dir, file)))) {
        const rec = p.text === undefined ? undefined : tryDecode(p.text);
        if (!rec) {
          damaged(file, p.offset, p.end - p.offset, p.text === undefined ? 'unreadable bytes' : 'not a log record');
          continue;
        }
        if (rec.revision <= snapshotRevision) continue; // history the snapshot already holds
        if (rec.revision <= revision) {
          damaged(file, p.offset, p.end - p.offset, `revision ${rec.revision} out of sequence (after revision ${revision})`);
          continue;
        }
        if (rec.revision > revision + 1) report.missing.push({ from: revision + 1, to: rec.revision - 1 });
        revision = rec.revision;
        report.kept++;
        if (rec.deleted) state.delete(rec.key);
        else state.set(rec.key, new Entry(rec.key, rec.json, rec.revision, rec.createRevision));
      }
    }
    report.revision = revision;
    if (report.dropped === 0 && report.missing.length === 0) return report;

    report.backup = `${dir}.orig-${now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`;
    await fsp.cp(dir, report.backup, {
      recursive: true,
      errorOnExist: true,
      force: false,
      preserveTimestamps: true,
      filter: (src) => basename(src) !== 'LOCK',
    });
    await fsyncDir(resolve(dir, '..'));
    const entries = [...state.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    await writeSnapshot(dir, revision, entries);
    const keep = snapshotName(revision);
    await removeFiles(dir, (n) => (SEGMENT_RE.test(n) || SNAPSHOT_RE.test(n)) && n !== keep);
    log.info('store repaired', { dir, kept: report.kept, dropped: report.dropped, revision, backup: report.backup });
    return report;
  } finally {
    await unlockDir(dir);
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
