// The store, in the role of etcd: one global revision, optimistic concurrency, paged lists at a
// revision, watch from a revision inside a history window, durable before a write resolves.
//
// On-disk format (openStore(dir)): everything lives in <dir>/store/ (dir mode 0700, files 0600).
//   wal-<first revision, 16 digits>.log   log segments; a segment holds records of consecutive revisions
//   snapshot-<revision, 16 digits>.snap   the whole state as of that revision
//   *.tmp                                 a snapshot being written; removed at open
//   LOCK                                  locked (an OS file lock, gone with its process, kill -9 included) by the
//                                         process that has the store open, and holding its pid for whoever is refused
// Both kinds of file are a sequence of records: [u32 LE payload length][u32 LE CRC32 of payload][payload],
// payload being UTF-8 JSON. Log records: {"r":rev,"o":"put","k":key,"c":createRev,"t":ms,"v":value}
// or {"r":rev,"o":"del","k":key,"t":ms}. A snapshot starts with {"snapshot":1,"revision":R,"count":N}
// followed by N records {"k":key,"c":createRev,"m":modRev,"v":value}.
// A write resolves only after its record is fsync'd; writes arriving during an fsync share the next one
// (group commit). At open: newest snapshot, then log records after its revision (segments the snapshot
// covers are not read; the next compaction deletes them). Unreadable bytes at the very end of the last
// segment, with nothing readable after them, are a torn tail (a crash during an append that was never
// acknowledged): the file is truncated there. Any other damage (a bad record with readable ones after it,
// in an earlier segment, or a whole record out of revision sequence) refuses the open with the file and
// byte offset, changing nothing; `kubelab store repair` (repairStore) then rebuilds the store from every
// readable record after copying it aside. When the live segment passes
// `snapshotBytes`, a new segment starts and a snapshot is written (temp file, fsync, rename, fsync dir);
// older segments and snapshots are then deleted.
import { RevisionedStore, type HistoryOptions } from './revisioned-store';
import { WriteAheadLog, type WalOptions } from './wal';
import type { Store } from './types';

export type { Store, StoredValue, StoreEvent, ListOptions, ListResult, WatchHandle, StoreErrorCode } from './types';
export { StoreError } from './types';

export type StoreOptions = HistoryOptions & WalOptions;

/** A store with no disk: for unit tests and the simulated lab. Writes resolve at once. */
export function memoryStore(opts: HistoryOptions = {}): Store {
  return new RevisionedStore(opts);
}

/** Open (or create) the durable store under <dir>/store/, replaying what a previous run left. */
export async function openStore(dir: string, opts: StoreOptions = {}): Promise<Store> {
  const { wal, restored, records } = await WriteAheadLog.open(dir, opts);
  const store = new RevisionedStore(opts, wal, restored);
  for (const r of records) store.replay(r);
  return store;
}
