import { describe, expect, it } from 'vitest';
import { MAX_STEPS, mergeSteps } from '../../../main/trace/recorder';
import type { TraceStep } from '../../../main/trace/types';

const step = (start: string, action: string, outcome: TraceStep['outcome'] = 'success'): TraceStep => ({
  component: 'kubelet',
  action,
  start,
  outcome,
  message: action,
});

describe('mergeSteps', () => {
  const cases: Array<{ name: string; existing: TraceStep[]; added: TraceStep[]; want: string[] }> = [
    { name: 'appends in time order', existing: [step('2026-01-01T00:00:00.000Z', 'a')], added: [step('2026-01-01T00:00:01.000Z', 'b')], want: ['a', 'b'] },
    {
      name: 'a late-reported earlier step goes before',
      existing: [step('2026-01-01T00:00:02.000Z', 'b')],
      added: [step('2026-01-01T00:00:01.000Z', 'a')],
      want: ['a', 'b'],
    },
    {
      name: 'equal times keep arrival order',
      existing: [step('2026-01-01T00:00:00.000Z', 'a')],
      added: [step('2026-01-01T00:00:00.000Z', 'b')],
      want: ['a', 'b'],
    },
  ];
  it.each(cases)('$name', ({ existing, added, want }) => {
    expect(mergeSteps(existing, added).steps.map((s) => s.action)).toEqual(want);
  });

  it('stays bounded, dropping info steps first', () => {
    const many = Array.from({ length: MAX_STEPS + 5 }, (_, i) =>
      step(new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), `s${i}`, i % 2 ? 'info' : 'success'),
    );
    const { steps, dropped } = mergeSteps([], many);
    expect(steps).toHaveLength(MAX_STEPS);
    expect(dropped).toBe(5);
    expect(steps.filter((s) => s.outcome === 'success')).toHaveLength(Math.ceil((MAX_STEPS + 5) / 2));
  });
});
