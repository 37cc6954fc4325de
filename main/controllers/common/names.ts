// Names as upstream makes them: 5 random chars from an alphabet without vowels or confusable digits.
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphanums[Math.floor(Math.random() * alphanums.length)];
  return s;
}

/** upstream rand.SafeEncodeString: each byte mapped into the alphabet, so hashes never spell words. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

/** `<base>-<5 chars>`, the base cut so the whole fits in 63 characters (upstream's generateName). */
export function generateName(base: string): string {
  const prefix = base.length > 57 ? base.slice(0, 57) : base;
  return `${prefix}-${randomSuffix()}`;
}

/** FNV-1a, 32 bit, over UTF-8 bytes. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with keys sorted and null/undefined fields dropped, so equal objects hash equal (Go sees null as absent). */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJSON(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
