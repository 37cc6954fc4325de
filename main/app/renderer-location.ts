// Where the window's page and preload are, and which URLs are "ours": the dev server's origin, or files under the
// packaged renderer folder. Electron-free, so the rules are unit-tested.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Paths relative to out/main (the main bundle's folder), as electron-vite lays out out/. */
export const PRELOAD_FROM_MAIN = '../preload/index.cjs';
export const RENDERER_INDEX_FROM_MAIN = '../renderer/index.html';

export interface AppFiles {
  preload: string;
  rendererIndex: string;
}

export function appFiles(mainDir: string): AppFiles {
  return { preload: join(mainDir, PRELOAD_FROM_MAIN), rendererIndex: join(mainDir, RENDERER_INDEX_FROM_MAIN) };
}

export interface RendererLocation {
  /** what the window loads */
  url: string;
  /** true only for our own page: same origin as the dev server, or a file inside the renderer folder */
  isOurs(url: string): boolean;
}

const parse = (url: string): URL | undefined => {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
};

/** The dev server (ELECTRON_RENDERER_URL) when set and not packaged, else the built index.html. */
export function rendererLocation(opts: { devUrl?: string; isPackaged: boolean; rendererIndex: string }): RendererLocation {
  const dev = !opts.isPackaged && opts.devUrl ? parse(opts.devUrl) : undefined;
  if (dev && (dev.protocol === 'http:' || dev.protocol === 'https:')) {
    // an origin compare, not a prefix: http://localhost:5173.evil.com shares the prefix, not the origin
    return { url: dev.href, isOurs: (url) => parse(url)?.origin === dev.origin };
  }
  const index = pathToFileURL(opts.rendererIndex);
  const folder = new URL('.', index).href;
  return {
    url: index.href,
    isOurs(url) {
      const u = parse(url);
      // URL parsing resolves ../ and %2e%2e; the folder ends in '/', so renderer-evil/ never matches renderer/
      return !!u && u.protocol === 'file:' && !u.host && u.href.startsWith(folder);
    },
  };
}
