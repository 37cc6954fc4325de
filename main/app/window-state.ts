// Window bounds remembered between runs (a small JSON file in the app's data folder).
import { readFileSync, writeFileSync } from 'node:fs';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

const DEFAULT: WindowState = { width: 1380, height: 880 };

export function loadWindowState(file: string, screens: { x: number; y: number; width: number; height: number }[]): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as WindowState;
    if (!(s.width >= 640 && s.height >= 480)) return DEFAULT;
    // forget a position on a display that is gone
    const visible = s.x === undefined || s.y === undefined || screens.some((d) => s.x! >= d.x - 50 && s.y! >= d.y - 50 && s.x! < d.x + d.width && s.y! < d.y + d.height);
    return visible ? s : { width: s.width, height: s.height, maximized: s.maximized };
  } catch {
    return DEFAULT;
  }
}

export function saveWindowState(file: string, s: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(s));
  } catch {}
}
