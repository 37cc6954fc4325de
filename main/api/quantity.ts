// Kubernetes resource quantities (`100m`, `1.5Gi`, `2e3`), parsed exactly as rationals of BigInts,
// so that requests, limits and quota sums never drift through floating point. No node imports: the UI reuses it.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value = num / den, den > 0, reduced */
  num: bigint;
  den: bigint;
  format: QuantityFormat;
}

export const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const binary: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a || 1n;
};

function make(num: bigint, den: bigint, format: QuantityFormat): Quantity {
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return { num: num / g, den: den / g, format };
}

const pow10 = (e: number) => 10n ** BigInt(e);

/** Parse a quantity; throws Error(QUANTITY_ERROR) when malformed. Numbers are accepted as JSON may carry them. */
export function parseQuantity(input: string | number): Quantity {
  const s = typeof input === 'number' ? String(input) : input.trim();
  const m = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/.exec(s);
  if (!m || s === '') throw new Error(QUANTITY_ERROR);
  const [, sign, digits, suffix, exp] = m;
  const [whole, frac = ''] = digits.split('.');
  let num = BigInt((whole || '0') + frac);
  let den = pow10(frac.length);
  if (sign === '-') num = -num;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix && suffix in binary) {
    num *= binary[suffix];
    format = 'BinarySI';
  } else if (suffix) {
    const e = decimal[suffix];
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  } else if (exp !== undefined) {
    const e = Number(exp);
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
    format = 'DecimalExponent';
  }
  return make(num, den, format);
}

export function isQuantity(input: unknown): boolean {
  if (typeof input !== 'string' && typeof input !== 'number') return false;
  try {
    parseQuantity(input);
    return true;
  } catch {
    return false;
  }
}

const ceilDiv = (a: bigint, b: bigint) => {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
};

/** Value in thousandths, rounded up as upstream's MilliValue (cpu: millicores). */
export function toMilli(q: Quantity | string | number): bigint {
  const v = typeof q === 'object' ? q : parseQuantity(q);
  return ceilDiv(v.num * 1000n, v.den);
}

/** Integer value, rounded up as upstream's Value (memory: bytes, pods: count). */
export function toValue(q: Quantity | string | number): bigint {
  const v = typeof q === 'object' ? q : parseQuantity(q);
  return ceilDiv(v.num, v.den);
}

export function compareQuantity(a: Quantity | string | number, b: Quantity | string | number): number {
  const x = typeof a === 'object' ? a : parseQuantity(a);
  const y = typeof b === 'object' ? b : parseQuantity(b);
  const d = x.num * y.den - y.num * x.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function addQuantity(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = typeof a === 'object' ? a : parseQuantity(a);
  const y = typeof b === 'object' ? b : parseQuantity(b);
  return make(x.num * y.den + y.num * x.den, x.den * y.den, x.format);
}

export function subQuantity(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const y = typeof b === 'object' ? b : parseQuantity(b);
  return addQuantity(a, { ...y, num: -y.num });
}

/** Canonical string as upstream prints it: `100m`, `1500m`, `2k`, `1Gi`, `1536Mi`, `1e3`. */
export function formatQuantity(q: Quantity | string | number): string {
  const v = typeof q === 'object' ? q : parseQuantity(q);
  if (v.num === 0n) return '0';
  const neg = v.num < 0n;
  const num = neg ? -v.num : v.num;
  const sign = neg ? '-' : '';
  if (v.format === 'BinarySI' && v.den === 1n && num >= 1024n) {
    const units: [string, bigint][] = [
      ['Ei', binary.Ei],
      ['Pi', binary.Pi],
      ['Ti', binary.Ti],
      ['Gi', binary.Gi],
      ['Mi', binary.Mi],
      ['Ki', binary.Ki],
    ];
    for (const [u, f] of units) if (num % f === 0n) return `${sign}${num / f}${u}`;
  }
  // Decimal: find the largest exponent (multiple of 3) giving an integer mantissa; below nano round up.
  let exp = -9;
  let mant = ceilDiv(num * pow10(9), v.den);
  while (exp < 18 && mant % 1000n === 0n) {
    mant /= 1000n;
    exp += 3;
  }
  if (v.format === 'DecimalExponent') return `${sign}${mant}${exp === 0 ? '' : `e${exp}`}`;
  const suffix = Object.entries(decimal).find(([, e]) => e === exp)![0];
  return `${sign}${mant}${suffix}`;
}

/** Millicores as a quantity string: 1500 -> `1500m`, 2000 -> `2`. */
export const formatMilli = (milli: bigint | number) => formatQuantity(make(BigInt(milli), 1000n, 'DecimalSI'));
