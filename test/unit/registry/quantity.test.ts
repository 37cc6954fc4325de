import { describe, expect, it } from 'vitest';
import { addQuantity, compareQuantity, formatQuantity, parseQuantity, QUANTITY_ERROR, toMilli, toValue } from '../../../main/api/quantity';

describe('quantity', () => {
  it.each([
    ['100m', 100n, 1n],
    ['1', 1000n, 1n],
    ['1.5', 1500n, 2n],
    ['0.1', 100n, 1n],
    ['2k', 2_000_000n, 2000n],
    ['1Ki', 1_024_000n, 1024n],
    ['128Mi', 134_217_728_000n, 134_217_728n],
    ['1Gi', 1_073_741_824_000n, 1_073_741_824n],
    ['1M', 1_000_000_000n, 1_000_000n],
    ['1G', 1_000_000_000_000n, 1_000_000_000n],
    ['1e3', 1_000_000n, 1000n],
    ['1E-3', 1n, 1n],
    ['500u', 1n, 1n],
    ['-1', -1000n, -1n],
    [2, 2000n, 2n],
    ['.5', 500n, 1n],
  ])('%s -> %s milli, %s value', (input, milli, value) => {
    expect(toMilli(input)).toBe(milli);
    expect(toValue(input)).toBe(value);
  });

  it.each([['abc'], ['1.2.3'], ['1Kb'], [''], ['1 m'], ['m']])('refuses %s', (input) => {
    expect(() => parseQuantity(input)).toThrow(QUANTITY_ERROR);
  });

  it.each([
    ['100m', '100m'],
    ['1.5', '1500m'],
    ['1000', '1k'],
    ['1Gi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['0', '0'],
    ['1e3', '1e3'],
    ['500Ki', '500Ki'],
  ])('formats %s as %s', (input, out) => {
    expect(formatQuantity(input)).toBe(out);
  });

  it('compares and adds exactly', () => {
    expect(compareQuantity('1', '1000m')).toBe(0);
    expect(compareQuantity('1Gi', '1G')).toBe(1);
    expect(compareQuantity('0.1', '100m')).toBe(0);
    expect(toMilli(addQuantity('0.1', '0.2'))).toBe(300n);
    expect(toValue(addQuantity('1Gi', '512Mi'))).toBe(1_610_612_736n);
  });
});
