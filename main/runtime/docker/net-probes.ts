// httpGet, tcpSocket and grpc probes over a dialer: the engine-API tunnel into the pod's network namespace
// (pod-dialer.ts) or, where the lab reaches pod IPs, a direct TCP connection. Messages are the kubelet's
// (pkg/probe/http, pkg/probe/tcp, pkg/probe/grpc).
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ProbeAction, ProbeResult } from '../types';

/** Opens a TCP connection to host:port; rejects with an error whose message is Go's `dial tcp ...: ...`. */
export type Dialer = (host: string, port: number, timeoutMs: number) => Promise<Duplex>;

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** A TCP connection from this process, with Go's messages for failures. */
export const directDial: Dialer = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error(`dial tcp ${hostPort(host, port)}: i/o timeout`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const text = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.code === 'EHOSTUNREACH' ? 'connect: no route to host' : e.message;
      reject(Object.assign(new Error(`dial tcp ${hostPort(host, port)}: ${text}`), { code: e.code }));
    });
  });

const KUBE_PROBE_AGENT = 'kube-probe/1.32';

/** Probes a pod's port through `dial`: httpGet, tcpSocket and grpc (exec probes run in the container). */
export async function probeNetwork(podIP: string | undefined, action: ProbeAction, timeoutMs: number, dial: Dialer = directDial): Promise<ProbeResult> {
  if ('httpGet' in action) return httpProbe(podIP, action.httpGet, timeoutMs, dial);
  if ('tcpSocket' in action) {
    const host = action.tcpSocket.host || podIP;
    if (!host) return { ok: false, message: 'pod has no IP yet' };
    try {
      (await dial(host, action.tcpSocket.port, timeoutMs)).destroy();
      return { ok: true };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  }
  if ('grpc' in action) {
    if (!podIP) return { ok: false, message: 'pod has no IP yet' };
    return grpcProbe(podIP, action.grpc.port, action.grpc.service ?? '', timeoutMs, dial);
  }
  return { ok: false, message: 'exec probes run in the container' };
}

type HttpGet = Extract<ProbeAction, { httpGet: unknown }>['httpGet'];

async function httpProbe(podIP: string | undefined, g: HttpGet, timeoutMs: number, dial: Dialer): Promise<ProbeResult> {
  const host = g.host || podIP;
  if (!host) return { ok: false, message: 'pod has no IP yet' };
  const https = (g.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const path = g.path?.startsWith('/') ? g.path : `/${g.path ?? ''}`;
  const url = `${https ? 'https' : 'http'}://${hostPort(host, g.port)}${path}`;
  const deadline = `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  const started = Date.now();
  let conn: Duplex;
  try {
    conn = await dial(host, g.port, timeoutMs);
  } catch (e) {
    const err = e as Error & { code?: string };
    return { ok: false, message: err.code === 'ETIMEDOUT' && Date.now() - started >= timeoutMs ? deadline : `Get "${url}": ${err.message}` };
  }
  const left = Math.max(1, timeoutMs - (Date.now() - started));
  const headers: Record<string, string> = { 'User-Agent': KUBE_PROBE_AGENT, Accept: '*/*' };
  for (const h of g.headers ?? []) headers[h.name] = h.value;
  // the kubelet does not verify a pod's certificate
  const socket = https ? tls.connect({ socket: conn as net.Socket, rejectUnauthorized: false, servername: net.isIP(host) ? undefined : host }) : conn;
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, message: deadline }), left);
    const req = http.request({ host, port: g.port, path, method: 'GET', headers, createConnection: () => socket as net.Socket }, (res) => {
      const status = res.statusCode ?? 0;
      // the body is read (and dropped) as the kubelet does, up to its 10 KiB limit
      let read = 0;
      res.on('data', (d: Buffer) => {
        read += d.length;
        if (read > 10 * 1024) res.destroy();
      });
      const done = () => finish(status >= 200 && status < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${status}` });
      res.on('end', done);
      res.on('close', done);
    });
    req.on('error', (e) => finish({ ok: false, message: `Get "${url}": ${e.message}` }));
    req.end();
  });
}

/** grpc.health.v1.HealthCheckResponse.ServingStatus names. */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest{service} as protobuf (field 1, length-delimited), framed as one gRPC message. */
export function grpcHealthRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  const varint: number[] = [];
  for (let n = s.length; ; n >>>= 7) {
    if (n < 0x80) {
      varint.push(n);
      break;
    }
    varint.push((n & 0x7f) | 0x80);
  }
  const body = s.length ? Buffer.concat([Buffer.from([0x0a, ...varint]), s]) : Buffer.alloc(0);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** HealthCheckResponse.status (field 1, varint) from one gRPC message; 0 (UNKNOWN) when absent. */
export function grpcHealthStatus(frame: Buffer): number {
  const msg = frame.subarray(5, 5 + frame.readUInt32BE(1));
  for (let i = 0; i < msg.length;) {
    const key = msg[i++];
    let v = 0;
    let shift = 0;
    if ((key & 7) === 0) {
      for (;;) {
        const b = msg[i++];
        v += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(b & 0x80)) break;
      }
      if (key >> 3 === 1) return v;
    } else if ((key & 7) === 2) {
      let len = 0;
      for (;;) {
        const b = msg[i++];
        len += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(b & 0x80)) break;
      }
      i += len;
    } else return 0;
  }
  return 0;
}

const goDuration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

async function grpcProbe(host: string, port: number, service: string, timeoutMs: number, dial: Dialer): Promise<ProbeResult> {
  const addr = hostPort(host, port);
  const started = Date.now();
  let conn: Duplex;
  try {
    conn = await dial(host, port, timeoutMs);
  } catch (e) {
    if (Date.now() - started >= timeoutMs)
      return { ok: false, message: `timeout: failed to connect service "${addr}" within ${goDuration(timeoutMs)}: context deadline exceeded` };
    return { ok: false, message: `error: failed to connect service at "${addr}": ${(e as Error).message}` };
  }
  return new Promise<ProbeResult>((resolve) => {
    const session = http2.connect(`http://${addr}`, { createConnection: () => conn as net.Socket });
    let settled = false;
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      conn.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ ok: false, message: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` }),
      Math.max(1, timeoutMs - (Date.now() - started)),
    );
    session.on('error', (e) => finish({ ok: false, message: `error: health rpc probe failed: ${e.message}` }));
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': KUBE_PROBE_AGENT,
    });
    const chunks: Buffer[] = [];
    let headerStatus: string | undefined;
    let headerMessage: string | undefined;
    req.on('response', (h) => {
      headerStatus = h['grpc-status'] as string | undefined;
      headerMessage = h['grpc-message'] as string | undefined;
    });
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('trailers', (t) => {
      headerStatus = (t['grpc-status'] as string | undefined) ?? headerStatus;
      headerMessage = (t['grpc-message'] as string | undefined) ?? headerMessage;
    });
    req.on('error', (e) => finish({ ok: false, message: `error: health rpc probe failed: ${e.message}` }));
    req.on('end', () => {
      const code = Number(headerStatus ?? 2);
      const text = decodeURIComponent(headerMessage ?? '');
      if (code === 12) return finish({ ok: false, message: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${text}` });
      if (code === 4) return finish({ ok: false, message: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` });
      const names = [
        'OK',
        'Canceled',
        'Unknown',
        'InvalidArgument',
        'DeadlineExceeded',
        'NotFound',
        'AlreadyExists',
        'PermissionDenied',
        'ResourceExhausted',
        'FailedPrecondition',
        'Aborted',
        'OutOfRange',
        'Unimplemented',
        'Internal',
        'Unavailable',
        'DataLoss',
        'Unauthenticated',
      ];
      if (code !== 0) return finish({ ok: false, message: `error: health rpc probe failed: rpc error: code = ${names[code] ?? code} desc = ${text}` });
      const body = Buffer.concat(chunks);
      const status = body.length >= 5 ? grpcHealthStatus(body) : 0;
      if (status !== 1) return finish({ ok: false, message: `service unhealthy (responded with "${SERVING_STATUS[status] ?? status}")` });
      finish({ ok: true, message: 'service healthy' });
    });
    req.end(grpcHealthRequest(service));
  });
}
