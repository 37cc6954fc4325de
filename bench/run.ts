// `npm run bench [-- --quick] [-- NAME ...]`: runs every bench/*.bench.ts (each exports
// `run(opts) => BenchResult[]`), prints one table and writes bench/results.json.
// Every ratio is value / baseline, both measured in this same run.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setLogSink } from '../main/log';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

export interface BenchOptions {
  quick: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

export function printTable(results: BenchResult[]): void {
  const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(n >= 10 ? 1 : 3));
  const rows = results.map((r) => [r.name, fmt(r.value), r.unit, fmt(r.baseline), r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`]);
  const head = ['benchmark', 'value', 'unit', 'baseline', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  setLogSink(() => {});
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
      all.push(...results.map((r) => ({ ...r, ratio: r.ratio ?? (r.baseline ? r.value / r.baseline : undefined) })));
      console.error(`bench: ${f} done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    } catch (err) {
      failed++;
      console.error(`bench: ${f} failed: ${(err as Error).stack ?? err}`);
    }
  }
  printTable(all);
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  writeFileSync(join(here, 'results.json'), JSON.stringify(all, null, 2) + '\n');
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
