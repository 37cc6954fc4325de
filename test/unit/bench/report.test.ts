import { describe, expect, it } from 'vitest';
import { atLeast, atMost, formatTable, goalMet, ratioOf, toRow, type BenchResult } from '../../../bench/report';

const r = (over: Partial<BenchResult>): BenchResult => ({ name: 'm', value: 10, unit: 'ms', ...over });

describe('bench report: ratios', () => {
  it('is lab / baseline when the bench gives none', () => {
    expect(ratioOf(r({ value: 30, baseline: 20 }))).toBe(1.5);
  });
  it('keeps a ratio the bench computed itself', () => {
    expect(ratioOf(r({ value: 30, baseline: 20, ratio: 0.25 }))).toBe(0.25);
  });
  it('has none without a baseline, or with a baseline of 0', () => {
    expect(ratioOf(r({}))).toBeUndefined();
    expect(ratioOf(r({ baseline: 0 }))).toBeUndefined();
  });
});

describe('bench report: goals', () => {
  it('an upper bound on the ratio is met at and below it, not above', () => {
    expect(goalMet(r({ value: 15, baseline: 10, goal: atMost(1.5) }))).toBe(true);
    expect(goalMet(r({ value: 14, baseline: 10, goal: atMost(1.5) }))).toBe(true);
    expect(goalMet(r({ value: 16, baseline: 10, goal: atMost(1.5) }))).toBe(false);
  });
  it('a lower bound on the ratio is met at and above it, not below', () => {
    expect(goalMet(r({ value: 5, baseline: 10, goal: atLeast(0.5) }))).toBe(true);
    expect(goalMet(r({ value: 4.9, baseline: 10, goal: atLeast(0.5) }))).toBe(false);
  });
  it('a goal on the value ignores the baseline', () => {
    expect(goalMet(r({ value: 199, unit: 'MiB', baseline: 1, goal: atMost(200, 'value') }))).toBe(true);
    expect(goalMet(r({ value: 201, unit: 'MiB', baseline: 1000, goal: atMost(200, 'value') }))).toBe(false);
    expect(goalMet(r({ value: 3100, unit: 'pods/s', goal: atLeast(3000, 'value') }))).toBe(true);
    expect(goalMet(r({ value: 2999, unit: 'pods/s', goal: atLeast(3000, 'value') }))).toBe(false);
  });
  it('is neither met nor missed without a goal, or when the figure it is on was not measured', () => {
    expect(goalMet(r({ value: 1 }))).toBeUndefined();
    expect(goalMet(r({ value: 1, goal: atMost(1.5) }))).toBeUndefined();
    expect(goalMet(r({ value: Number.NaN, goal: atMost(17, 'value') }))).toBeUndefined();
  });
});

describe('bench report: rows and table', () => {
  it('a row carries measure, lab, unit, baseline, ratio, goal and met, null where they do not apply', () => {
    expect(toRow(r({ name: 'cold start', value: 600, baseline: 300, goal: atMost(1.5) }))).toEqual({
      measure: 'cold start',
      lab: 600,
      unit: 'ms',
      baseline: 300,
      ratio: 2,
      goal: '<= 1.5x',
      met: 'no',
    });
    expect(toRow(r({ name: 'rss', value: 150, unit: 'MiB', goal: atMost(200, 'value') }))).toEqual({
      measure: 'rss',
      lab: 150,
      unit: 'MiB',
      baseline: null,
      ratio: null,
      goal: '<= 200 MiB',
      met: 'yes',
    });
    expect(toRow(r({ name: 'p50' }))).toEqual({ measure: 'p50', lab: 10, unit: 'ms', baseline: null, ratio: null, goal: null, met: null });
  });
  it('prints every column, with one line per result', () => {
    const lines = formatTable([r({ name: 'creates', value: 900, unit: 'creates/s', baseline: 1000, goal: atLeast(0.5) })]);
    expect(lines[0].split(/\s{2,}/)).toEqual(['measure', 'lab', 'unit', 'baseline', 'ratio', 'goal', 'met']);
    expect(lines[2].split(/\s{2,}/)).toEqual(['creates', '900', 'creates/s', '1000', '0.90x', '>= 0.5x', 'yes']);
    expect(lines).toHaveLength(3);
  });
});
