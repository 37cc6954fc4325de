// What every bench returns and how results are printed: shared by bench/run.ts and the benches
// (which cannot import the runner itself: its top-level await would deadlock the import cycle).
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** what the value is compared with, in the same unit (absent when there is none) */
  baseline?: number;
  ratio?: number;
}

export interface BenchOptions {
  quick: boolean;
}

/** The p-th percentile (nearest rank) of xs. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

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
