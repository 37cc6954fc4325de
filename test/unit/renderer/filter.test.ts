import { describe, expect, it } from 'vitest';
import { naturalKey, sortBy } from '../../../renderer/lib/filter';

describe('natural order', () => {
  it.each([
    ['numbers inside names', ['web-10', 'web-2', 'db'], ['db', 'web-2', 'web-10']],
    ['zero-padded names', ['pod-0999', 'pod-0010', 'pod-0100'], ['pod-0010', 'pod-0100', 'pod-0999']],
    ['case folded', ['Running', 'pending', 'Completed'], ['Completed', 'pending', 'Running']],
    ['ages as kubectl prints them', ['10m', '9m', '100s'], ['9m', '10m', '100s']],
    ['ip addresses', ['10.0.0.10', '10.0.0.9', '10.0.1.1'], ['10.0.0.9', '10.0.0.10', '10.0.1.1']],
  ] as const)('%s', (_n, input, want) => {
    expect(sortBy([...input], (s) => s, 1)).toEqual(want);
    expect(sortBy([...input], (s) => s, -1)).toEqual([...want].reverse());
  });

  it('sorts numbers as numbers and keeps equal keys in their order', () => {
    expect(
      sortBy(
        [
          { n: 10, id: 'a' },
          { n: 9, id: 'b' },
          { n: 10, id: 'c' },
        ],
        (o) => o.n,
        1,
      ).map((o) => o.id),
    ).toEqual(['b', 'a', 'c']);
  });

  it('pads digit runs so plain comparison is natural', () => {
    expect(naturalKey('Web-2') < naturalKey('web-10')).toBe(true);
  });
});
