// Connections into a pod's network namespace through the engine's Docker API: `/pause dial HOST PORT TIMEOUT_MS`
// (resources/sandbox/pause.c) runs as a non-TTY exec in the pod's sandbox, its stdin/stdout are the connection.
// This is the one path that works on every engine (Docker Desktop, colima, rootless, remote): the lab never needs
// a route to the pod's IP, only the engine's socket.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type Docker from 'dockerode';

export type DialErrorKind = 'refused' | 'timeout' | 'unreachable' | 'lookup' | 'other';

/** A failed dial, with the text Go's net package would give (the kubelet's probe messages quote it). */
export class DialError extends Error {
  readonly code: string;
  constructor(
    readonly kind: DialErrorKind,
    readonly host: string,
    readonly port: number,
    detail: string,
  ) {
    super(`dial tcp ${host.includes(':') ? `[${host}]` : host}:${port}: ${dialErrorText(kind, detail)}`);
    this.name = 'DialError';
    // the codes node's net module uses, so callers that map socket errors need no second table
    this.code = { refused: 'ECONNREFUSED', timeout: 'ETIMEDOUT', unreachable: 'EHOSTUNREACH', lookup: 'ENOTFOUND', other: 'EIO' }[kind];
  }
}

function dialErrorText(kind: DialErrorKind, detail: string): string {
  switch (kind) {
    case 'refused':
      return 'connect: connection refused';
    case 'timeout':
      return 'i/o timeout';
    case 'unreachable':
      return `connect: ${detail.toLowerCase()}`;
    case 'lookup':
      return 'lookup: no such host';
    default:
      return detail;
  }
}

/** Parses pause's one stderr line for a failed dial ("dial-error refused: Connection refused"). */
export function parseDialError(line: string): { kind: DialErrorKind; detail: string } | undefined {
  const m = /^dial-error (\w+): ?(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const kind = (['refused', 'timeout', 'unreachable', 'lookup'] as const).find((k) => k === m[1]) ?? 'other';
  return { kind, detail: m[2] };
}

/** Extra time over the connect timeout for creating and starting the exec itself. */
const EXEC_SLACK_MS = 3000;

/** A started `/pause dial -` exec waiting for its target line: its hijacked stream. */
async function startDialer(docker: Docker, sandboxId: string, cmd: string[]): Promise<Duplex> {
  const exec = await docker.getContainer(sandboxId).exec({ Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false });
  return (await exec.start({ hijack: true, stdin: true, Tty: false })) as unknown as Duplex;
}

/** How long a dialer started ahead of need waits for a connection before it is ended. */
const SPARE_IDLE_MS = 30_000;

/**
 * One dialer per sandbox started ahead of need, so a connection costs a line on an open stream instead of an exec
 * (create, start, a new process): probes every period and port-forward connections find one waiting.
 */
export class SpareDialers {
  private spares = new Map<string, { stream: Promise<Duplex>; timer: NodeJS.Timeout }>();

  constructor(private readonly docker: Docker) {}

  /** The sandbox's waiting dialer (or a new one), and another started for the next connection. */
  take(sandboxId: string): Promise<Duplex> {
    const spare = this.spares.get(sandboxId);
    this.spares.delete(sandboxId);
    if (spare) clearTimeout(spare.timer);
    this.refill(sandboxId);
    if (!spare) return startDialer(this.docker, sandboxId, ['/pause', 'dial', '-']);
    return spare.stream.then(
      (s) => {
        if (s.destroyed || !s.writable) return startDialer(this.docker, sandboxId, ['/pause', 'dial', '-']);
        (s as Partial<Socket>).ref?.();
        return s;
      },
      () => startDialer(this.docker, sandboxId, ['/pause', 'dial', '-']),
    );
  }

  private refill(sandboxId: string): void {
    const stream = startDialer(this.docker, sandboxId, ['/pause', 'dial', '-']);
    const timer = setTimeout(() => this.forget(sandboxId), SPARE_IDLE_MS);
    timer.unref?.();
    this.spares.set(sandboxId, { stream, timer });
    stream.then(
      (s) => {
        // a waiting dialer does not keep this process alive
        (s as Partial<Socket>).unref?.();
        s.once('close', () => this.spares.get(sandboxId)?.stream === stream && this.forget(sandboxId));
      },
      () => {
        if (this.spares.get(sandboxId)?.stream === stream) this.forget(sandboxId);
      },
    );
  }

  /** Ends the sandbox's waiting dialer (stdin EOF: it exits without connecting). */
  forget(sandboxId: string): void {
    const spare = this.spares.get(sandboxId);
    if (!spare) return;
    this.spares.delete(sandboxId);
    clearTimeout(spare.timer);
    void spare.stream.then(
      (s) => s.end(),
      () => undefined,
    );
  }

  close(): void {
    for (const id of [...this.spares.keys()]) this.forget(id);
  }
}

/**
 * Opens a TCP connection to host:port from inside the network namespace of container `sandboxId` (a kubelab
 * pause sandbox). Resolves once connected with a Duplex: writes go to the peer, end() half-closes (the peer sees
 * EOF and may still answer), the readable side ends when the peer closes. Rejects with a DialError.
 * With `spares`, a dialer started ahead of need is used and the target sent to it as a line.
 */
export async function dialInContainer(
  docker: Docker,
  sandboxId: string,
  host: string,
  port: number,
  timeoutMs: number,
  spares?: SpareDialers,
): Promise<Duplex> {
  const ms = String(Math.max(1, Math.round(timeoutMs)));
  let socket: Duplex;
  if (spares) {
    socket = await spares.take(sandboxId);
    socket.write(`${host} ${port} ${ms}\n`);
  } else {
    socket = await startDialer(docker, sandboxId, ['/pause', 'dial', host, String(port), ms]);
  }
  return new Promise<Duplex>((resolve, reject) => {
    let connected = false;
    let stderr = '';
    let pending: Buffer = Buffer.alloc(0);
    const conn = new TunnelStream(socket);
    const fail = (err: Error) => {
      if (connected) return;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new DialError('timeout', host, port, 'i/o timeout')), timeoutMs + EXEC_SLACK_MS);
    const onStderr = (text: string) => {
      stderr += text;
      if (connected) return;
      for (const line of stderr.split('\n').slice(0, -1)) {
        if (line === 'connected') {
          connected = true;
          clearTimeout(timer);
          resolve(conn);
          return;
        }
        const e = parseDialError(line);
        if (e) return fail(new DialError(e.kind, host, port, e.detail));
      }
    };
    // Docker's stream multiplexing: [type, 0, 0, 0, len32be] + payload; 1 stdout, 2 stderr
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const len = pending.readUInt32BE(4);
        if (pending.length < 8 + len) break;
        const type = pending[0];
        const payload = pending.subarray(8, 8 + len);
        pending = pending.subarray(8 + len);
        if (type === 1) {
          if (!conn.push(payload)) socket.pause();
        } else if (type === 2) onStderr(payload.toString('utf8'));
      }
    });
    socket.on('end', () => {
      conn.push(null);
      if (!connected) fail(new DialError('other', host, port, stderr.trim() || 'the sandbox cannot dial (its pause image has no dial mode)'));
    });
    socket.on('error', (err) => (connected ? conn.destroy(err) : fail(err)));
    socket.on('close', () => {
      if (!connected) return fail(new DialError('other', host, port, stderr.trim() || 'the exec ended before connecting'));
      // the connection is over (pause exits when the peer closes): close the stream once its data has been read,
      // as a socket closes, even if the writer never ended its side
      conn.push(null);
      if (conn.readableEnded) conn.destroy();
      else conn.once('end', () => conn.destroy());
    });
  });
}

/** The exec's hijacked socket seen as the connection itself (stdout frames in, raw stdin out). */
class TunnelStream extends Duplex {
  constructor(private readonly socket: Duplex) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    // half-close the hijacked connection: Docker closes the process's stdin, pause shuts down the socket's write side
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  /** net.Socket's name for it, so code written for sockets (node:http) can use this. */
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}
