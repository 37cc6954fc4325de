// Logs and exec as kubectl does them: HTTPS GET pods/log and a v5.channel.k8s.io WebSocket on pods/exec,
// so the UI's streams go through the API server's authentication, authorization and stream handler.
import { request } from 'node:https';
import WebSocket from 'ws';
import type { ExecOptions, LogOptions } from './contract';
import type { ExecCallbacks, ExecHandle, LogHandle } from './server';

export interface ApiEndpoint {
  /** https://127.0.0.1:PORT */
  url: string;
  /** bearer token (the lab's admin token, or a kubeconfig user's token or exec credential) */
  token?: string;
  /** CA certificate (PEM) the serving cert chains to; absent: the system's CAs */
  ca?: string;
  /** client certificate and key (PEM), for kubeconfig users that authenticate by certificate */
  cert?: string;
  key?: string;
  /** kubeconfig's insecure-skip-tls-verify */
  insecureSkipTLSVerify?: boolean;
  /** kubeconfig's username and password (basic auth) */
  basic?: { username: string; password: string };
}

/** The TLS and header options every request to an API endpoint carries (node:https and ws take the same). */
export function endpointOptions(api: ApiEndpoint): { headers: Record<string, string>; ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean } {
  return {
    headers: {
      ...(api.token
        ? { Authorization: `Bearer ${api.token}` }
        : api.basic
          ? { Authorization: `Basic ${Buffer.from(`${api.basic.username}:${api.basic.password}`).toString('base64')}` }
          : {}),
      'User-Agent': 'kubelab-ui',
    },
    ...(api.ca ? { ca: api.ca } : {}),
    ...(api.cert ? { cert: api.cert } : {}),
    ...(api.key ? { key: api.key } : {}),
    rejectUnauthorized: !api.insecureSkipTLSVerify,
  };
}

const podPath = (ns: string, pod: string, sub: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/${sub}`;

export function statusError(code: number, body: string): Error {
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string; code?: number };
    if (s.message) return Object.assign(new Error(s.message), { status: s.code ?? code, reason: s.reason });
  } catch {}
  return Object.assign(new Error(body.trim() || `HTTP ${code}`), { status: code });
}

export function streamLogs(api: ApiEndpoint, o: LogOptions, onChunk: (c: string) => void, onEnd: (e?: unknown) => void): Promise<LogHandle> {
  const q = new URLSearchParams();
  if (o.container) q.set('container', o.container);
  if (o.follow) q.set('follow', 'true');
  if (o.previous) q.set('previous', 'true');
  if (o.timestamps) q.set('timestamps', 'true');
  if (o.tailLines !== undefined && o.tailLines >= 0) q.set('tailLines', String(o.tailLines));
  const url = new URL(`${podPath(o.namespace, o.pod, 'log')}?${q}`, api.url);
  return new Promise((resolve, reject) => {
    let ended = false;
    const end = (e?: unknown) => {
      if (ended) return;
      ended = true;
      onEnd(e);
    };
    const req = request(url, endpointOptions(api), (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d: string) => (body += d));
        res.on('end', () => reject(statusError(res.statusCode ?? 500, body)));
        return;
      }
      // a follow brings one chunk per log line: gathered for 16 ms, 100k lines are tens of bridge messages, not 100k
      let pending = '';
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flush = () => {
        clearTimeout(timer);
        timer = undefined;
        if (pending && !ended) onChunk(pending);
        pending = '';
      };
      resolve({
        stop: () => {
          ended = true;
          clearTimeout(timer);
          req.destroy();
        },
      });
      res.on('data', (d: string) => {
        if (ended) return;
        pending += d;
        if (pending.length >= 256 * 1024) flush();
        else timer ??= setTimeout(flush, 16);
      });
      res.on('end', () => {
        flush();
        end();
      });
      res.on('error', (e) => {
        flush();
        end(e);
      });
    });
    req.on('error', (e) => (ended ? undefined : reject(e)));
    req.end();
  });
}

const CH = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 };

/** Exit code from the Status on channel 3: Success -> 0, NonZeroExitCode -> its ExitCode cause. */
export function exitCodeOf(statusJson: string): { code: number; message?: string } {
  try {
    const s = JSON.parse(statusJson) as { status?: string; message?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } };
    if (s.status === 'Success') return { code: 0 };
    const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
    if (cause?.message && /^\d+$/.test(cause.message)) return { code: Number(cause.message), message: s.message };
    return { code: 1, message: s.message };
  } catch {
    return { code: 1, message: statusJson };
  }
}

export function startExec(api: ApiEndpoint, o: ExecOptions & { command: string[] }, cb: ExecCallbacks): Promise<ExecHandle> {
  const q = new URLSearchParams();
  for (const c of o.command) q.append('command', c);
  if (o.container) q.set('container', o.container);
  q.set('stdin', 'true');
  q.set('stdout', 'true');
  const tty = o.tty !== false;
  q.set('stderr', tty ? 'false' : 'true');
  if (tty) q.set('tty', 'true');
  const url = new URL(`${podPath(o.namespace, o.pod, 'exec')}?${q}`, api.url.replace(/^http/, 'ws'));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], endpointOptions(api));
    let opened = false;
    let exited = false;
    const exit = (code: number, message?: string) => {
      if (exited) return;
      exited = true;
      cb.onExit(code, message);
    };
    const decoder = { out: new TextDecoder(), err: new TextDecoder() };
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => reject(statusError(res.statusCode ?? 500, body)));
    });
    ws.on('open', () => {
      opened = true;
      const send = (ch: number, data: Buffer | string) => {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
      };
      if (o.cols && o.rows) send(CH.resize, JSON.stringify({ Width: o.cols, Height: o.rows }));
      resolve({
        write: (d) => send(CH.stdin, d),
        resize: (cols, rows) => send(CH.resize, JSON.stringify({ Width: cols, Height: rows })),
        close: () => {
          send(CH.close, Buffer.from([CH.stdin]));
          ws.close(1000);
        },
      });
    });
    ws.on('message', (data: Buffer) => {
      const ch = data[0];
      const payload = data.subarray(1);
      if (ch === CH.stdout) cb.onData(decoder.out.decode(payload, { stream: true }), 'stdout');
      else if (ch === CH.stderr) cb.onData(decoder.err.decode(payload, { stream: true }), 'stderr');
      else if (ch === CH.error) {
        const r = exitCodeOf(payload.toString('utf8'));
        exit(r.code, r.message);
      }
    });
    ws.on('close', () => (opened ? exit(0) : undefined));
    ws.on('error', (e) => (opened ? exit(1, e.message) : reject(e)));
  });
}
