// Window bounds remembered between runs (a small JSON file in the app's data folder).
import { readFileSync, writeFileSync } from 'node:fs';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** absent: Electron centers the window */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1380, height: 880 };
const MIN = { width: 640, height: 480 };
/** How much of the title bar must be on a display to grab it: a window you cannot drag back is lost. */
const GRAB = { width: 100, height: 16, titleBar: 32 };

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** The state to open with: the saved one if sane, its position only if its title bar is on a display now. */
export function restoreWindowState(saved: unknown, displays: Rect[]): WindowState {
  const s = saved as Partial<WindowState> | null;
  if (!s || typeof s !== 'object' || !num(s.width) || !num(s.height) || s.width < MIN.width || s.height < MIN.height) return { ...DEFAULT_WINDOW };
  const maximized = s.maximized === true ? { maximized: true } : {};
  const size = { width: Math.round(s.width), height: Math.round(s.height) };
  if (!num(s.x) || !num(s.y)) return { ...size, ...maximized };
  const titleBar = { x: s.x, y: s.y, width: size.width, height: GRAB.titleBar };
  const home = displays.find((d) => {
    const o = overlap(titleBar, d);
    return o.width >= GRAB.width && o.height >= GRAB.height;
  });
  // a display unplugged since: centered on the primary one instead
  if (!home) return { ...size, ...maximized };
  return { x: Math.round(s.x), y: Math.round(s.y), width: Math.min(size.width, home.width), height: Math.min(size.height, home.height), ...maximized };
}

export function loadWindowState(file: string, displays: Rect[]): WindowState {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    saved = undefined;
  }
  return restoreWindowState(saved, displays);
}

export function saveWindowState(file: string, s: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(s));
  } catch {}
}
