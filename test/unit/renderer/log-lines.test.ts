import { describe, expect, it } from 'vitest';
import { LineBuffer, findMatches, plain, stepMatch, styledRuns } from '../../../renderer/lib/log-lines';

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

describe('several streams in one buffer, ANSI colours', () => {
  it("keeps each source's partial line apart and tags its lines with the source and prefix", () => {
    const b = new LineBuffer();
    b.push('a1\na', 0, '[pod/p/a] ');
    b.push('b1\n', 1, '[pod/p/b] ');
    b.push('2\n', 0, '[pod/p/a] ');
    expect(b.lines).toEqual(['[pod/p/a] a1', '[pod/p/b] b1', '[pod/p/a] a2']);
    expect(b.srcs).toEqual([0, 1, 0]);
    b.push('tail', 1, '[pod/p/b] ');
    b.flush(1, '[pod/p/b] ');
    expect(b.lines.at(-1)).toBe('[pod/p/b] tail');
  });
  it('drops sources together with their lines when trimming', () => {
    const b = new LineBuffer(10);
    for (let i = 0; i < 12; i++) b.push(`${i}\n`, i % 2);
    expect(b.srcs).toHaveLength(b.lines.length);
    expect(b.srcs[0]).toBe(Number(b.lines[0]) % 2);
  });
  it('renders SGR colours as runs and searches the text a terminal shows', () => {
    const line = '\x1b[31mred\x1b[0m and \x1b[1;32mbold green\x1b[0m';
    expect(plain(line)).toBe('red and bold green');
    expect(findMatches([line], 'd and b')).toEqual([0]);
    const runs = styledRuns(line, 'green');
    expect(runs.map((r) => r.text).join('')).toBe('red and bold green');
    expect(runs[0]).toMatchObject({ text: 'red', cls: 'ansi-red-fg' });
    expect(runs.find((r) => r.hit)).toMatchObject({ text: 'green', cls: expect.stringContaining('ansi-green-fg') });
    expect(runs.find((r) => r.hit)?.cls).toContain('ansi-bold');
    expect(styledRuns('\x1b[38;2;10;20;30mtrue\x1b[0m', '')[0].style).toBe('color: rgb(10, 20, 30)');
    expect(styledRuns('\x1b[38;5;196mx', '')[0].style).toBe('color: rgb(255, 0, 0)');
    expect(styledRuns('\x1b[38;5;9mx', '')[0].cls).toBe('ansi-bright-red-fg');
    expect(styledRuns('plain text', 'q')).toEqual([{ text: 'plain text', hit: false }]);
  });
});
