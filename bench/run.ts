// `npm run bench [-- --quick] [-- NAME ...]`: runs every bench/*.bench.ts (each exports
// `run(opts) => BenchResult[]`), prints one table (measure, lab, unit, baseline, ratio, goal, met) and writes
// the same rows to bench/results.json. Every ratio is lab / baseline, both measured in this same run; goals are
// issue 17's.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setLogSink } from '../main/log';
import { printTable, toRow, type BenchOptions, type BenchResult } from './report';

export type { BenchOptions, BenchResult, ResultRow } from './report';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  setLogSink(() => {});
  const runStarted = Date.now();
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  const all: BenchResult[] = [];
  let failed = 0;
  for (const f of files) {
    const started = Date.now();
    console.error(`bench: ${f} ...`);
    try {
      const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: (o: BenchOptions) => Promise<BenchResult[]> };
      const results = await mod.run({ quick });
      all.push(...results);
      console.error(`bench: ${f} done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    } catch (err) {
      failed++;
      console.error(`bench: ${f} failed: ${(err as Error).stack ?? err}`);
    }
  }
  printTable(all);
  console.log(
    `\n${all.length} results, ${all.filter((r) => toRow(r).met === 'yes').length} goals met of ${all.filter((r) => r.goal).length}; ${((Date.now() - runStarted) / 1000).toFixed(0)} s in all`,
  );
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  writeFileSync(join(here, 'results.json'), JSON.stringify(all.map(toRow), null, 2) + '\n');
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
