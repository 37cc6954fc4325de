// The UI for a browser (`kubelab serve`): the built renderer from out/renderer on 127.0.0.1, behind the UI token.
// The token is accepted once in `?token=` and then kept in an HttpOnly SameSite=Strict cookie, which serves the
// files. The cookie is no credential for the bridge: WebSocket upgrades on /bridge go to the bridge handler,
// which takes pages of this origin only and wants the token in their first frame (see main/bridge/ws.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { logger } from '../log';

const log = logger('ui-server');

export const UI_COOKIE = 'kubelab_ui';
export const BRIDGE_PATH = '/bridge';
/** GET: `{"token"}` for the bridge, to the UI's own pages only */
export const UI_TOKEN_PATH = '/ui-token';

/** Handles an upgrade on /bridge; returns false if it did not take the socket. */
export type BridgeUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean | void;

export interface UiServerOptions {
  token: string;
  /** folder of the built renderer (index.html + assets) */
  root: string;
  port: number;
  bridge?: BridgeUpgradeHandler;
}

export interface UiServer {
  port: number;
  /** http://127.0.0.1:PORT/?token=... */
  url: string;
  setBridgeHandler(fn: BridgeUpgradeHandler | undefined): void;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function same(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Only our own host names: a page on another site resolving to 127.0.0.1 (DNS rebinding) is refused. */
function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Vue's :style bindings and CodeMirror write inline styles
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Shown when out/renderer has not been built yet, so the UI still says what it is and what to do. */
const notBuiltPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kubelab</title></head>
<body><h1>kubelab</h1><p>The UI has not been built. Run <code>npm run build:ui</code> (or <code>npm start</code>) and reload.</p>
<p>The API is up: use the kubeconfig that <code>kubelab serve</code> printed with kubectl.</p></body></html>`;

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const root = resolve(opts.root);
  let bridge = opts.bridge;
  let port = opts.port;

  const headers = (res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    // the token rides in the first URL; never send it on as a Referer
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const refuse = (res: ServerResponse, code: number, message: string) => {
    headers(res);
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(message + '\n');
  };

  // The token for the bridge's first frame, to a page of this origin that lost it (a new tab): the browser lets
  // only same-origin script read this response, so a pod's page on another 127.0.0.1 port cannot, cookie or not.
  const sendToken = (req: IncomingMessage, res: ServerResponse) => {
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    if ((site !== undefined && site !== 'same-origin') || (origin !== undefined && origin !== `http://${req.headers.host}`)) {
      log.warn('refused the UI token to another origin', { site, origin });
      return refuse(res, 403, 'Forbidden');
    }
    headers(res);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ token: opts.token }));
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return refuse(res, 400, 'Bad Request');
    }
    const file = normalize(join(root, rel));
    if (file !== root && !file.startsWith(root + sep)) return refuse(res, 403, 'Forbidden');
    let target = file;
    let info = await stat(target).catch(() => undefined);
    if (info?.isDirectory()) {
      target = join(target, 'index.html');
      info = await stat(target).catch(() => undefined);
    }
    // the renderer routes in the browser: unknown paths without an extension get index.html
    if (!info && !extname(rel)) {
      target = join(root, 'index.html');
      info = await stat(target).catch(() => undefined);
    }
    headers(res);
    if (!info) {
      if (target === join(root, 'index.html') && !existsSync(root + sep + 'index.html')) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        return res.end(req.method === 'HEAD' ? undefined : notBuiltPage);
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('Not Found\n');
    }
    const isHtml = extname(target) === '.html';
    res.writeHead(200, {
      'Content-Type': types[extname(target)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      // hashed assets may be cached; the page itself never is
      'Cache-Control': isHtml ? 'no-store' : 'private, max-age=3600',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(target)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server: Server = createServer((req, res) => {
    if (!hostAllowed(req, port)) return refuse(res, 403, 'Forbidden: unexpected Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method Not Allowed');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const given = url.searchParams.get('token');
    if (same(given, opts.token)) {
      res.setHeader('Set-Cookie', `${UI_COOKIE}=${encodeURIComponent(opts.token)}; Path=/; HttpOnly; SameSite=Strict`);
    } else if (!same(cookie(req, UI_COOKIE), opts.token)) {
      log.debug('refused a request without the UI token', { path: url.pathname });
      return refuse(res, 401, 'Unauthorized: open the URL that `kubelab serve` printed (it carries the UI token).');
    }
    if (url.pathname === UI_TOKEN_PATH) return sendToken(req, res);
    serveFile(req, res, url.pathname).catch((err) => {
      log.error('serving a file failed', { path: url.pathname, error: String(err) });
      if (!res.headersSent) refuse(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const reject = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (!hostAllowed(req, port)) return reject('403 Forbidden');
    if (url.pathname !== BRIDGE_PATH || !bridge) return reject('404 Not Found');
    // no credential here, cookie or URL: the bridge wants the token in its first frame, from a page of our origin
    if (bridge(req, socket, head) === false) reject('404 Not Found');
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;
  log.info('serving the UI', { url: `http://127.0.0.1:${port}/`, root: existsSync(root) ? root : `${root} (not built)` });

  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(opts.token)}`,
    setBridgeHandler(fn) {
      bridge = fn;
    },
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}
