// Chunks -> lines (a chunk may end mid-line), and search highlighting. Pure.
export class LineBuffer {
  lines: string[] = [];
  version = 0;
  private partial = '';
  /** Bounded so an endless follow can't eat the renderer's memory. */
  constructor(private readonly max = 200_000) {}

  push(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(p.endsWith('\r') ? p.slice(0, -1) : p);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
    this.version++;
  }

  /** The stream ended: a last line without newline is still a line. */
  flush(): void {
    if (this.partial) this.lines.push(this.partial);
    this.partial = '';
    this.version++;
  }

  clear(): void {
    this.lines.length = 0;
    this.partial = '';
    this.version++;
  }
}

export function splitMatches(line: string, q: string): { text: string; hit: boolean }[] {
  if (!q) return [{ text: line, hit: false }];
  const out: { text: string; hit: boolean }[] = [];
  const lower = line.toLowerCase();
  const needle = q.toLowerCase();
  let i = 0;
  for (;;) {
    const j = lower.indexOf(needle, i);
    if (j < 0) break;
    if (j > i) out.push({ text: line.slice(i, j), hit: false });
    out.push({ text: line.slice(j, j + needle.length), hit: true });
    i = j + needle.length;
  }
  if (i < line.length) out.push({ text: line.slice(i), hit: false });
  return out.length ? out : [{ text: line, hit: false }];
}
