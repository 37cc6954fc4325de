// The store's in-memory MVCC core: current state, a window of past revisions, paging, watch
// fan-out. Durability is pluggable: with a Durability, writes are applied only once it says so.
import type { KubeObject } from '../api/object';
import { logger } from '../log';
import { StoreError, type ListOptions, type ListResult, type Store, type StoreEvent, type StoredValue, type WatchHandle } from './types';

const log = logger('store');

/**
 * One stored version of a key. Immutable: history and watchers share it. The JSON is the truth
 * (copies handed out are parsed from it, the log writes it); the object form is parsed only when
 * a filter needs it, and dropped once the version is superseded, so history costs little memory.
 */
export class Entry {
  private parsed?: KubeObject;

  constructor(
    readonly key: string,
    readonly json: string,
    readonly modRevision: number,
    readonly createRevision: number,
  ) {}

  /** the value, frozen (a list filter sees it uncopied) */
  get value(): KubeObject {
    return (this.parsed ??= deepFreeze(JSON.parse(this.json) as KubeObject));
  }

  release(): void {
    this.parsed = undefined;
  }
}

/** One revision: what changed. For DELETED, entry is the tombstone (last value, deletion revision). */
export interface Change {
  revision: number;
  type: StoreEvent['type'];
  key: string;
  entry: Entry;
  prev?: Entry;
  /** wall-clock ms when written, for the time part of the history window */
  ts: number;
}

/** What the durable layer must offer the core. */
export interface Durability {
  /** Write these changes (in revision order) and make them durable before resolving. */
  append(changes: Change[]): Promise<void>;
  /** Called between batches with the committed state; may snapshot and compact the log. */
  afterCommit(revision: number, compactedRevision: number, entries: () => Entry[]): Promise<void>;
  close(): Promise<void>;
}

export interface HistoryOptions {
  /** keep at least this many past revisions (default 10 000) */
  historyRevisions?: number;
  /** and at least this much time of them (default 5 minutes) */
  historyMs?: number;
}

/** A continue token: the revision of the first page and the last key returned. */
interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'kubelab/store', rv: t.rv, start: t.start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (t?.v === 'kubelab/store' && Number.isInteger(t.rv) && t.rv > 0 && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {}
  throw new StoreError('InvalidContinue', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function lowerBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first string greater than every string starting with prefix ('' = no bound). */
function prefixEnd(prefix: string): string {
  if (!prefix) return '';
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** Frozen, so a list filter (which sees stored values, uncopied) can't change what is stored. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** How long the first queued write waits for others in the same event-loop turn before its commit starts anyway. */
const EARLY_COMMIT_MS = 1;

/**
 * A caller's own copy of an entry. The copy is parsed on first read of `value`: a writer that only needs the
 * revision (a binding, a status write) never pays for decoding what it just wrote.
 */
function out(e: Entry): StoredValue {
  let v: KubeObject | undefined;
  return {
    key: e.key,
    get value(): KubeObject {
      return (v ??= JSON.parse(e.json) as KubeObject);
    },
    set value(x: KubeObject) {
      v = x;
    },
    modRevision: e.modRevision,
    createRevision: e.createRevision,
  };
}

/** A watcher's own event: value and prevValue are its own copies, each decoded only if it reads it. */
function watchEvent(c: Change): StoreEvent {
  let v: KubeObject | undefined;
  const ev: StoreEvent = {
    type: c.type,
    key: c.key,
    get value(): KubeObject {
      return (v ??= JSON.parse(c.entry.json) as KubeObject);
    },
    set value(x: KubeObject) {
      v = x;
    },
    revision: c.revision,
  };
  const prev = c.prev;
  if (prev) {
    let p: KubeObject | undefined;
    Object.defineProperty(ev, 'prevValue', {
      enumerable: true,
      configurable: true,
      get: () => (p ??= JSON.parse(prev.json) as KubeObject),
      set: (x: KubeObject) => (p = x),
    });
  }
  return ev;
}

/** A version of value with metadata.resourceVersion set to rev; serializing it is the copy on the way in. */
function makeEntry(key: string, value: KubeObject, rev: number, createRevision: number): Entry {
  const json = JSON.stringify({ ...value, metadata: { ...(value.metadata ?? {}), resourceVersion: String(rev) } });
  return new Entry(key, json, rev, createRevision);
}

class Watcher {
  private queue: Change[] = [];
  private head = 0;
  private scheduled = false;
  cancelled = false;

  constructor(
    readonly prefix: string,
    /** events at or before this revision are not wanted (a watch may start ahead of the store) */
    private readonly after: number,
    private readonly onEvent: (ev: StoreEvent) => void,
  ) {}

  push(c: Change): void {
    if (this.cancelled || c.revision <= this.after) return;
    this.queue.push(c);
    if (!this.scheduled) {
      this.scheduled = true;
      // Delivered off the writer's stack, so a handler that writes can't reorder others' events.
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    while (!this.cancelled && this.head < this.queue.length) {
      const c = this.queue[this.head++];
      const ev = watchEvent(c);
      try {
        this.onEvent(ev);
      } catch (err) {
        log.error('watch handler threw', { prefix: this.prefix, err: String(err) });
      }
    }
    this.queue = [];
    this.head = 0;
    this.scheduled = false;
  }
}

interface Pending {
  change: Change;
  resolve: (v: StoredValue) => void;
  reject: (e: unknown) => void;
}

/** Restored state handed to the core at open: snapshot entries then log records replayed by the caller. */
export interface Restored {
  revision: number;
  entries: Entry[];
}

export class RevisionedStore implements Store {
  private current = new Map<string, Entry>();
  /** keys of `current`, sorted: lists walk a range of it */
  private keys: string[] = [];
  /** history[i].revision = history[historyHead].revision + (i - historyHead): one change per revision */
  private history: Change[] = [];
  private historyHead = 0;
  private committed = 0;
  private compacted = 0;
  private nextRevision = 1;
  private watchers = new Map<string, Set<Watcher>>();

  // durable path only: writes accepted but not yet durable
  private overlay = new Map<string, Change>();
  private queue: Pending[] = [];
  private flushing = false;
  private flushDone: Promise<void> = Promise.resolve();
  /** starts the commit that is waiting for the end of this turn of the event loop, at once (set while one waits) */
  private commitNow?: () => void;
  /** when the first write of the waiting commit was queued */
  private queuedAt = 0;
  private closed = false;
  private broken: unknown;

  private readonly historyRevisions: number;
  private readonly historyMs: number;

  constructor(
    opts: HistoryOptions = {},
    private readonly durability?: Durability,
    restored?: Restored,
  ) {
    this.historyRevisions = opts.historyRevisions ?? 10_000;
    this.historyMs = opts.historyMs ?? 5 * 60_000;
    if (restored) {
      for (const e of restored.entries) this.current.set(e.key, e);
      this.keys = [...this.current.keys()].sort();
      this.committed = restored.revision;
      this.compacted = restored.revision;
      this.nextRevision = restored.revision + 1;
    }
  }

  get revision(): number {
    return this.committed;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  get(key: string): StoredValue | undefined {
    const e = this.current.get(key);
    return e && out(e);
  }

  list(prefix: string, opts: ListOptions = {}): ListResult {
    let rev = this.committed;
    let after: string | undefined;
    if (opts.continue) {
      const t = decodeContinue(opts.continue);
      if (!t.start.startsWith(prefix)) throw new StoreError('InvalidContinue', 'continue key is not valid: key is outside the listed prefix');
      if (t.rv < this.compacted)
        throw new StoreError('Expired', `The provided continue parameter is too old to display a consistent list result (revision ${t.rv} is compacted)`);
      rev = Math.min(t.rv, this.committed);
      after = t.start;
    } else if (opts.revision !== undefined && opts.revision > 0) {
      if (opts.revision < this.compacted) throw new StoreError('Expired', `revision ${opts.revision} is compacted (oldest available: ${this.compacted})`);
      // A revision not yet reached is served at the latest one; the API server decides if that's an error.
      rev = Math.min(opts.revision, this.committed);
    }

    // The range to walk, in key order: the live keys, or the state rebuilt at an older revision.
    let keys: string[];
    let at: (i: number) => Entry;
    let start: number;
    let end: number;
    if (rev === this.committed) {
      keys = this.keys;
      at = (i) => this.current.get(keys[i])!;
      start = after !== undefined ? upperBound(keys, after) : lowerBound(keys, prefix);
      const pe = prefixEnd(prefix);
      end = pe ? lowerBound(keys, pe) : keys.length;
    } else {
      const entries = this.stateAt(prefix, rev);
      keys = entries.map((e) => e.key);
      at = (i) => entries[i];
      start = after !== undefined ? upperBound(keys, after) : 0;
      end = entries.length;
    }

    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const filter = opts.filter;
    const items: StoredValue[] = [];
    let i = start;
    for (; i < end && items.length < limit; i++) {
      const e = at(i);
      if (!filter || filter(e.value)) items.push(out(e));
    }
    const result: ListResult = { items, revision: rev };
    if (items.length >= limit && i < end) {
      // Only promise another page if one more item would match.
      let more = !filter;
      for (let j = i; !more && j < end; j++) more = filter!(at(j).value);
      if (more) {
        result.continue = encodeContinue({ rv: rev, start: items[items.length - 1].key });
        // Like upstream, the count is only known without a filter.
        if (!filter) result.remainingItemCount = end - i;
      }
    }
    return result;
  }

  /** Entries under prefix as of rev (compacted <= rev < committed), in key order. */
  private stateAt(prefix: string, rev: number): Entry[] {
    // The value of a key at rev is the `prev` of its first change after rev.
    const undone = new Map<string, Entry | undefined>();
    const base = this.history[this.historyHead]?.revision ?? this.committed + 1;
    for (let i = this.historyHead + Math.max(0, rev + 1 - base); i < this.history.length; i++) {
      const c = this.history[i];
      if (c.key.startsWith(prefix) && !undone.has(c.key)) undone.set(c.key, c.prev);
    }
    const lo = lowerBound(this.keys, prefix);
    const pe = prefixEnd(prefix);
    const hi = pe ? lowerBound(this.keys, pe) : this.keys.length;
    const res: Entry[] = [];
    for (let i = lo; i < hi; i++) {
      const k = this.keys[i];
      if (!undone.has(k)) res.push(this.current.get(k)!);
    }
    let extra = false;
    for (const e of undone.values()) {
      if (e) {
        res.push(e);
        extra = true;
      }
    }
    if (extra) res.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return res;
  }

  /** The latest accepted state of key, including writes not yet durable (for conflict checks). */
  private latest(key: string): Entry | undefined {
    const c = this.overlay.get(key);
    if (c) return c.type === 'DELETED' ? undefined : c.entry;
    return this.current.get(key);
  }

  private checkWritable(): void {
    if (this.broken) throw new StoreError('Closed', `store failed and refuses writes: ${String(this.broken)}`);
    if (this.closed) throw new StoreError('Closed', 'store is closed');
  }

  create(key: string, value: KubeObject): Promise<StoredValue> {
    try {
      this.checkWritable();
      if (this.latest(key)) throw new StoreError('AlreadyExists', `key ${JSON.stringify(key)} already exists`);
      const rev = this.nextRevision++;
      return this.submit({ revision: rev, type: 'ADDED', key, entry: makeEntry(key, value, rev, rev), ts: Date.now() });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The key's current entry for an update or delete: NotFound without one, Conflict at another revision than expected. */
  private writableCurrent(key: string, expectedRevision: number | undefined): Entry {
    this.checkWritable();
    const prev = this.latest(key);
    if (!prev) throw new StoreError('NotFound', `key ${JSON.stringify(key)} not found`);
    if (expectedRevision !== undefined && expectedRevision !== prev.modRevision) {
      throw new StoreError('Conflict', `key ${JSON.stringify(key)} is at revision ${prev.modRevision}, not ${expectedRevision}`);
    }
    return prev;
  }

  update(key: string, value: KubeObject, expectedRevision?: number): Promise<StoredValue> {
    try {
      const prev = this.writableCurrent(key, expectedRevision);
      const rev = this.nextRevision++;
      const entry = makeEntry(key, value, rev, prev.createRevision);
      return this.submit({ revision: rev, type: 'MODIFIED', key, entry, prev, ts: Date.now() });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  delete(key: string, expectedRevision?: number): Promise<StoredValue> {
    try {
      const prev = this.writableCurrent(key, expectedRevision);
      const rev = this.nextRevision++;
      return this.submit({ revision: rev, type: 'DELETED', key, entry: tombstone(prev, rev), prev, ts: Date.now() });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private submit(change: Change): Promise<StoredValue> {
    if (!this.durability) {
      this.apply(change);
      return Promise.resolve(out(change.entry));
    }
    this.overlay.set(change.key, change);
    return new Promise<StoredValue>((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        this.queuedAt = performance.now();
        // setImmediate, not a microtask: writers woken by the last batch get to join the next one.
        this.flushDone = new Promise<void>((done) => {
          const start = () => {
            this.commitNow = undefined;
            clearImmediate(timer);
            void this.flushLoop().finally(done);
          };
          const timer = setImmediate(start);
          this.commitNow = start;
        });
      } else if (this.commitNow && performance.now() - this.queuedAt >= EARLY_COMMIT_MS) {
        // Writers that do real work before they write (the API server's chain) all run in one turn of the
        // event loop: waiting for its end would leave the disk idle all that time, then the CPU idle during the
        // fsync. Past EARLY_COMMIT_MS the writes queued so far go to disk now and the rest join the next commit.
        this.commitNow();
      }
    });
  }

  /** Group commit: everything queued while the previous fsync ran goes out in one write + one fsync. */
  private async flushLoop(): Promise<void> {
    const d = this.durability!;
    try {
      while (this.queue.length && !this.broken) {
        const batch = this.queue;
        this.queue = [];
        try {
          await d.append(batch.map((p) => p.change));
        } catch (err) {
          this.fail(err, batch);
          return;
        }
        for (const p of batch) {
          this.apply(p.change);
          if (this.overlay.get(p.change.key) === p.change) this.overlay.delete(p.change.key);
        }
        for (const p of batch) p.resolve(out(p.change.entry));
        try {
          await d.afterCommit(this.committed, this.compacted, () => [...this.current.values()]);
        } catch (err) {
          // The log still holds everything: a failed snapshot costs disk, not data.
          log.warn('snapshot failed', { err: String(err) });
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private fail(err: unknown, batch: Pending[]): void {
    this.broken = err;
    log.error('write-ahead log failed; the store refuses further writes', { err: String(err) });
    const e = new StoreError('Closed', `store write failed: ${String(err)}`);
    for (const p of [...batch, ...this.queue]) p.reject(e);
    this.queue = [];
    this.overlay.clear();
  }

  /** Make a change visible: state, history, watchers. Changes arrive in revision order. */
  apply(change: Change): void {
    const { key } = change;
    // The superseded version lives on only in history, where its JSON is enough.
    change.prev?.release();
    if (change.type === 'DELETED') {
      this.current.delete(key);
      const i = lowerBound(this.keys, key);
      if (this.keys[i] === key) this.keys.splice(i, 1);
    } else {
      if (!this.current.has(key)) this.keys.splice(lowerBound(this.keys, key), 0, key);
      this.current.set(key, change.entry);
    }
    this.committed = change.revision;
    if (this.nextRevision <= change.revision) this.nextRevision = change.revision + 1;
    if (this.history.length === this.historyHead) this.compacted = change.revision - 1;
    this.history.push(change);
    this.trimHistory(change.ts);
    for (const [prefix, set] of this.watchers) {
      if (key.startsWith(prefix)) for (const w of set) w.push(change);
    }
  }

  private trimHistory(now: number): void {
    while (this.history.length - this.historyHead > this.historyRevisions && this.history[this.historyHead].ts <= now - this.historyMs) {
      this.compacted = this.history[this.historyHead].revision;
      this.historyHead++;
    }
    if (this.historyHead > 4096 && this.historyHead * 2 > this.history.length) {
      this.history = this.history.slice(this.historyHead);
      this.historyHead = 0;
    }
  }

  /** Replay a change read back from the log at open (before any watcher exists). */
  replay(rec: { revision: number; key: string; deleted: boolean; json: string; createRevision: number; ts: number }): void {
    const prev = this.current.get(rec.key);
    let change: Change;
    if (rec.deleted) {
      if (!prev) throw new Error(`log deletes missing key ${rec.key} at revision ${rec.revision}`);
      change = { revision: rec.revision, type: 'DELETED', key: rec.key, entry: tombstone(prev, rec.revision), prev, ts: rec.ts };
    } else {
      const entry = new Entry(rec.key, rec.json, rec.revision, rec.createRevision);
      change = { revision: rec.revision, type: prev ? 'MODIFIED' : 'ADDED', key: rec.key, entry, prev, ts: rec.ts };
    }
    this.apply(change);
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void): WatchHandle {
    if (fromRevision < this.compacted) {
      throw new StoreError('Expired', `too old resource version: ${fromRevision} (${this.compacted})`);
    }
    const w = new Watcher(prefix, fromRevision, onEvent);
    const base = this.history[this.historyHead]?.revision ?? this.committed + 1;
    for (let i = this.historyHead + Math.max(0, fromRevision + 1 - base); i < this.history.length; i++) {
      const c = this.history[i];
      if (c.key.startsWith(prefix)) w.push(c);
    }
    let set = this.watchers.get(prefix);
    if (!set) this.watchers.set(prefix, (set = new Set()));
    set.add(w);
    return {
      cancel: () => {
        w.cancelled = true;
        const s = this.watchers.get(prefix);
        if (s?.delete(w) && s.size === 0) this.watchers.delete(prefix);
      },
    };
  }

  settled(): Promise<void> {
    return this.flushDone.catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushDone;
    for (const set of this.watchers.values()) for (const w of set) w.cancelled = true;
    this.watchers.clear();
    await this.durability?.close();
  }
}

function tombstone(prev: Entry, rev: number): Entry {
  const v = JSON.parse(prev.json) as KubeObject;
  return new Entry(prev.key, JSON.stringify({ ...v, metadata: { ...v.metadata, resourceVersion: String(rev) } }), rev, prev.createRevision);
}
