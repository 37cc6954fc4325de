import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WINDOW, loadWindowState, restoreWindowState, saveWindowState } from '../../../main/app/window-state';

const laptop = { x: 0, y: 0, width: 1920, height: 1080 };
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1440 };

describe('restoreWindowState', () => {
  it.each([
    ['nothing saved', undefined, [laptop], DEFAULT_WINDOW],
    ['garbage', 'not json', [laptop], DEFAULT_WINDOW],
    ['too small to use', { x: 10, y: 10, width: 200, height: 100 }, [laptop], DEFAULT_WINDOW],
    ['not numbers', { x: 10, y: 10, width: '1200', height: 800 }, [laptop], DEFAULT_WINDOW],
    ['size without a position (centered)', { width: 1200, height: 800 }, [laptop], { width: 1200, height: 800 }],
    ['on the laptop', { x: 100, y: 50, width: 1200, height: 800 }, [laptop], { x: 100, y: 50, width: 1200, height: 800 }],
    ['on the second monitor', { x: 2200, y: 100, width: 1600, height: 1000 }, [laptop, rightMonitor], { x: 2200, y: 100, width: 1600, height: 1000 }],
    ['on a monitor unplugged since: centered, same size', { x: 2200, y: 100, width: 1600, height: 1000 }, [laptop], { width: 1600, height: 1000 }],
    ['title bar above every display', { x: 100, y: -500, width: 1200, height: 800 }, [laptop], { width: 1200, height: 800 }],
    ['only a sliver on screen', { x: 1900, y: 100, width: 1200, height: 800 }, [laptop], { width: 1200, height: 800 }],
    ['partly off the left edge but grabbable', { x: -600, y: 100, width: 1200, height: 800 }, [laptop], { x: -600, y: 100, width: 1200, height: 800 }],
    ['bigger than its display now: shrunk to it', { x: 0, y: 0, width: 2500, height: 1400 }, [laptop], { x: 0, y: 0, width: 1920, height: 1080 }],
    ['maximized', { x: 0, y: 0, width: 1200, height: 800, maximized: true }, [laptop], { x: 0, y: 0, width: 1200, height: 800, maximized: true }],
    ['maximized on a gone monitor', { x: 2200, y: 0, width: 1200, height: 800, maximized: true }, [laptop], { width: 1200, height: 800, maximized: true }],
    ['no displays reported', { x: 100, y: 100, width: 1200, height: 800 }, [], { width: 1200, height: 800 }],
  ])('%s', (_what, saved, displays, expected) => {
    expect(restoreWindowState(saved, displays)).toEqual(expected);
  });
});

describe('window state file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('what was saved on close is what the next start opens with', () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelab-window-'));
    const file = join(dir, 'window-state.json');
    expect(loadWindowState(file, [laptop])).toEqual(DEFAULT_WINDOW);
    saveWindowState(file, { x: 40, y: 30, width: 1300, height: 850, maximized: true });
    expect(loadWindowState(file, [laptop])).toEqual({ x: 40, y: 30, width: 1300, height: 850, maximized: true });
    writeFileSync(file, '{"width": 13');
    expect(loadWindowState(file, [laptop])).toEqual(DEFAULT_WINDOW);
  });

  it('a folder that cannot be written does not throw (the window still closes)', () => {
    expect(() => saveWindowState('/proc/kubelab-nope/window-state.json', DEFAULT_WINDOW)).not.toThrow();
  });
});
