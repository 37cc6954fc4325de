// What every bench returns and how results are printed: shared by bench/run.ts and the benches
// (which cannot import the runner itself: its top-level await would deadlock the import cycle).

/** A target from issue 17: on the ratio (lab / baseline, same run) or on the lab value itself, in its unit. */
export interface Goal {
  on: 'ratio' | 'value';
  op: '<=' | '>=';
  target: number;
}

export interface BenchResult {
  /** the measure: what was measured, and against what */
  name: string;
  /** the lab's figure */
  value: number;
  unit: string;
  /** what the value is compared with, measured in the same run and in the same unit (absent when there is none) */
  baseline?: number;
  ratio?: number;
  goal?: Goal;
}

/** One row of the printed table and of bench/results.json: every column present, null where it does not apply. */
export interface ResultRow {
  measure: string;
  lab: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  goal: string | null;
  met: 'yes' | 'no' | null;
}

export interface BenchOptions {
  quick: boolean;
}

export const atMost = (target: number, on: Goal['on'] = 'ratio'): Goal => ({ on, op: '<=', target });
export const atLeast = (target: number, on: Goal['on'] = 'ratio'): Goal => ({ on, op: '>=', target });

/** The p-th percentile (nearest rank) of xs. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const finite = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);

/** lab / baseline unless the bench gave its own ratio; undefined without a usable baseline. */
export function ratioOf(r: BenchResult): number | undefined {
  if (finite(r.ratio)) return r.ratio;
  if (!finite(r.baseline) || r.baseline === 0 || !finite(r.value)) return undefined;
  return r.value / r.baseline;
}

/** Whether r reaches its goal; undefined when it has none, or when the figure the goal is on could not be measured. */
export function goalMet(r: BenchResult): boolean | undefined {
  if (!r.goal) return undefined;
  const x = r.goal.on === 'ratio' ? ratioOf(r) : r.value;
  if (!finite(x)) return undefined;
  return r.goal.op === '<=' ? x <= r.goal.target : x >= r.goal.target;
}

export function describeGoal(g: Goal, unit: string): string {
  const op = g.op === '<=' ? '<=' : '>=';
  return g.on === 'ratio' ? `${op} ${g.target}x` : `${op} ${g.target} ${unit}`;
}

export function toRow(r: BenchResult): ResultRow {
  const ratio = ratioOf(r);
  const met = goalMet(r);
  return {
    measure: r.name,
    lab: r.value,
    unit: r.unit,
    baseline: finite(r.baseline) ? r.baseline : null,
    ratio: ratio ?? null,
    goal: r.goal ? describeGoal(r.goal, r.unit) : null,
    met: met === undefined ? null : met ? 'yes' : 'no',
  };
}

const fmt = (n: number | null) => (n === null || Number.isNaN(n) ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(Math.abs(n) >= 10 ? 1 : 3));

/** The table as lines of text: measure, lab, unit, baseline, ratio, goal, met. */
export function formatTable(results: BenchResult[]): string[] {
  const rows = results
    .map(toRow)
    .map((r) => [r.measure, fmt(r.lab), r.unit, fmt(r.baseline), r.ratio === null ? '' : `${r.ratio.toFixed(2)}x`, r.goal ?? '', r.met ?? '']);
  const head = ['measure', 'lab', 'unit', 'baseline', 'ratio', 'goal', 'met'];
  const left = new Set([0, 2, 5, 6]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function printTable(results: BenchResult[]): void {
  for (const l of formatTable(results)) console.log(l);
}
