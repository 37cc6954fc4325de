import { describe, expect, it } from 'vitest';
import { findMatches, LineBuffer, stepMatch } from '../../../renderer/lib/log-lines';

describe('log search', () => {
  it.each([
    ['no query', ['a', 'b'], '', []],
    ['case-insensitive', ['Error here', 'fine', 'an error'], 'ERROR', [0, 2]],
    ['substring of a number is a match', ['line 5', 'line 50', 'line 500'], 'line 50', [1, 2]],
    ['nothing found', ['a'], 'zzz', []],
  ] as const)('%s', (_n, lines, q, want) => {
    expect(findMatches([...lines], q)).toEqual(want);
  });

  it.each([
    ['first match going forward', 3, -1, 1, 0],
    ['last match going back', 3, -1, -1, 2],
    ['next', 3, 0, 1, 1],
    ['wraps forward', 3, 2, 1, 0],
    ['wraps back', 3, 0, -1, 2],
    ['no matches', 0, -1, 1, -1],
  ] as const)('step: %s', (_n, count, current, dir, want) => {
    expect(stepMatch(count, current, dir)).toBe(want);
  });
});

describe('log buffer bounds', () => {
  it('drops the oldest lines in steps and counts them, so line numbers stay those of the stream', () => {
    const b = new LineBuffer(100);
    b.push(Array.from({ length: 150 }, (_, i) => `l${i + 1}\n`).join(''));
    expect(b.lines.length).toBeLessThanOrEqual(100);
    expect(b.lines[0]).toBe(`l${b.dropped + 1}`);
    expect(b.lines.at(-1)).toBe('l150');
  });

  it('downloads every kept line, newline-terminated', () => {
    const b = new LineBuffer();
    b.push('a\nb\n');
    expect(b.text()).toBe('a\nb\n');
    b.clear();
    expect(b.text()).toBe('');
    expect(b.dropped).toBe(0);
  });
});
