// Chunks -> lines (a chunk may end mid-line), one buffer for several streams (each line tagged with its source, as
// `kubectl logs --prefix` does), search matches and highlighting, ANSI colours as styled runs. Pure.
import Anser from 'anser';

export class LineBuffer {
  lines: string[] = [];
  /** the source (stream) index of each line, parallel to lines */
  srcs: number[] = [];
  version = 0;
  /** lines dropped from the front to stay bounded, so line numbers stay those of the stream */
  dropped = 0;
  private partials = new Map<number, string>();
  /** Bounded so an endless follow can't eat the renderer's memory. */
  constructor(private readonly max = 200_000) {}

  /** A chunk of source `src`; `prefix` goes before each of its lines (`[pod/web/nginx] `). */
  push(chunk: string, src = 0, prefix = ''): void {
    const text = (this.partials.get(src) ?? '') + chunk;
    const parts = text.split('\n');
    this.partials.set(src, parts.pop() ?? '');
    for (const p of parts) {
      const line = p.endsWith('\r') ? p.slice(0, -1) : p;
      this.lines.push(prefix ? prefix + line : line);
      this.srcs.push(src);
    }
    // trim in steps of a tenth so a long follow does not shift the whole array on every chunk
    if (this.lines.length > this.max) {
      const cut = Math.min(this.lines.length - this.max + Math.floor(this.max / 10), this.lines.length - 1);
      this.lines.splice(0, cut);
      this.srcs.splice(0, cut);
      this.dropped += cut;
    }
    this.version++;
  }

  /** A stream ended: its last line without newline is still a line. */
  flush(src = 0, prefix = ''): void {
    const rest = this.partials.get(src);
    if (rest) {
      this.lines.push(prefix + rest);
      this.srcs.push(src);
    }
    this.partials.delete(src);
    this.version++;
  }

  clear(): void {
    this.lines.length = 0;
    this.srcs.length = 0;
    this.partials.clear();
    this.dropped = 0;
    this.version++;
  }

  /** All lines as a file's text (what download saves). */
  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }
}

// CSI sequences (colours, cursor moves) and OSC titles: what a terminal would not print
// eslint-disable-next-line no-control-regex -- escape sequences are what this matches
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
/** The line as a terminal shows it, without escape sequences. */
export const plain = (line: string) => (line.includes('\x1b') ? line.replace(ANSI, '') : line);

/** Indexes of the lines containing q (case-insensitive, escape sequences ignored), in order. */
export function findMatches(lines: readonly string[], q: string): number[] {
  const out: number[] = [];
  if (!q) return out;
  const needle = q.toLowerCase();
  for (let i = 0; i < lines.length; i++) if (plain(lines[i]).toLowerCase().includes(needle)) out.push(i);
  return out;
}

export interface StyledRun {
  text: string;
  hit: boolean;
  /** anser's class names (ansi-red-fg, ansi-bright-green-fg, ansi-bold) */
  cls?: string;
  /** 256-colour and true-colour runs */
  style?: string;
}

/** xterm's 256-colour palette above the 16 named ones: a 6x6x6 cube, then 24 greys. */
function palette256(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `${v}, ${v}, ${v}`;
  }
  const i = n - 16;
  const step = (x: number) => (x ? 55 + x * 40 : 0);
  return `${step(Math.floor(i / 36))}, ${step(Math.floor(i / 6) % 6)}, ${step(i % 6)}`;
}

/** anser's colour of one side: a class for the 16 named colours (themed in CSS), an rgb() style for the others. */
function side(name: string | null, truecolor: string | null, which: 'fg' | 'bg'): { cls?: string; style?: string } {
  if (!name) return {};
  const prop = which === 'fg' ? 'color' : 'background-color';
  if (name === 'ansi-truecolor' && truecolor) return { style: `${prop}: rgb(${truecolor})` };
  const pal = /^ansi-palette-(\d+)$/.exec(name);
  if (pal) {
    const n = Number(pal[1]);
    return n < 16 ? { cls: `${NAMED[n]}-${which}` } : { style: `${prop}: rgb(${palette256(n)})` };
  }
  return { cls: `${name}-${which}` };
}
const COLORS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const NAMED = [...COLORS.map((c) => `ansi-${c}`), ...COLORS.map((c) => `ansi-bright-${c}`)];

/** A line as styled runs: its ANSI colours (SGR) and the search's matches, for a row of the log view. */
export function styledRuns(line: string, q: string): StyledRun[] {
  if (!line.includes('\x1b')) return splitMatches(line, q);
  const out: StyledRun[] = [];
  for (const e of Anser.ansiToJson(line, { use_classes: true, remove_empty: true })) {
    const fg = side(e.fg, e.fg_truecolor, 'fg');
    const bg = side(e.bg, e.bg_truecolor, 'bg');
    const cls = [fg.cls, bg.cls, ...e.decorations.map((d) => `ansi-${d}`)].filter(Boolean).join(' ');
    const style = [fg.style, bg.style].filter(Boolean).join('; ');
    for (const r of splitMatches(e.content, q)) out.push({ ...r, ...(cls ? { cls } : {}), ...(style ? { style } : {}) });
  }
  return out.length ? out : [{ text: '', hit: false }];
}

/** One colour per source, readable on the log view's dark background. */
export const SOURCE_COLORS = ['#7aa2f7', '#9ece6a', '#e0af68', '#bb9af7', '#7dcfff', '#f7768e', '#73daca', '#ff9e64'];

/** `kubectl logs --prefix`: `[pod/NAME/CONTAINER] ` */
export const sourcePrefix = (pod: string, container: string) => `[pod/${pod}/${container}] `;

/** Which match to show next: the position in matches after (dir 1) or before (dir -1) the current one, wrapping around. */
export function stepMatch(count: number, current: number, dir: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return dir === 1 ? 0 : count - 1;
  return (current + dir + count) % count;
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
