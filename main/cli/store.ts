// `kubelab store repair`: rebuilds a damaged store from every record that still reads, keeping a copy first.
import { resolve } from 'node:path';
import { repairStore, StoreLockedError } from '../store/wal';
import { defaultDataDir, UsageError } from './args';

export const storeUsage = `Usage: kubelab store repair [--data-dir DIR]

Repairs the store of a lab that refuses to start because its write-ahead log or snapshot is damaged
(a disk error, an edit by hand; a crash in the middle of a write is recovered at start, no repair needed).
It first copies the store as it is to <data-dir>/store.orig-<time>, then rebuilds it from every record
that still reads and drops only what does not, and says how many records it kept and dropped and where
the damage was. A store that reads whole is left as it is. The lab must not be running.

Flags:
  --data-dir DIR   the lab's data dir (default: ${defaultDataDir()})
  -h, --help       show this help
`;

export function parseStoreArgs(argv: string[], cwd = process.cwd()): { command?: 'repair'; dataDir: string; help: boolean } {
  let dataDir: string | undefined;
  let command: 'repair' | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--data-dir' || arg.startsWith('--data-dir=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!value) throw new UsageError('--data-dir needs a value');
      dataDir = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown flag ${arg} (see kubelab store --help)`);
    else if (!command && arg === 'repair') command = arg;
    else throw new UsageError(`unknown store command "${arg}" (see kubelab store --help)`);
  }
  if (!command && !help) throw new UsageError('which store command? (kubelab store repair --data-dir DIR)');
  return { command, dataDir: resolve(cwd, dataDir ?? defaultDataDir()), help };
}

export async function storeCommand(argv: string[]): Promise<number> {
  let opts: ReturnType<typeof parseStoreArgs>;
  try {
    opts = parseStoreArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`kubelab store: ${err.message}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(storeUsage);
    return 0;
  }
  try {
    const r = await repairStore(opts.dataDir);
    const kept = `${r.kept} log record(s)${r.snapshotEntries ? ` after a snapshot of ${r.snapshotEntries} object(s)` : ''}`;
    if (!r.backup) {
      process.stdout.write(
        `kubelab store repair: the store in ${opts.dataDir} reads whole (${kept}, revision ${r.revision}); nothing to repair, nothing changed\n`,
      );
      return 0;
    }
    const lines = [
      `kubelab store repair: the store in ${opts.dataDir} was damaged:`,
      ...r.damage.map((d) => `  ${d.file} byte offset ${d.offset}: ${d.problem} (${d.bytes} bytes)`),
      ...r.missing.map((m) => `  revision${m.from === m.to ? ` ${m.from} is` : `s ${m.from} to ${m.to} are`} not in the log`),
      `kept ${kept}, dropped ${r.dropped} unreadable or out-of-sequence record(s); the store is now at revision ${r.revision}`,
      `the store as it was is kept in ${r.backup}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  } catch (err) {
    process.stderr.write(`kubelab store repair: ${err instanceof StoreLockedError ? err.message : String((err as Error).message ?? err)}\n`);
    return 1;
  }
}
