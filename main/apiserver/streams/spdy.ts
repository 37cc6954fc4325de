// One SPDY/3.1 session core, shared by the API server's pods/portforward handler (which accepts the peer's
// streams) and the bridge's port-forward client (which opens them): frame splitting and writing, the
// per-direction zlib header contexts (with the spec's dictionary), the ordered send queue, stream bookkeeping,
// and SYN_STREAM/SYN_REPLY/HEADERS/RST_STREAM/PING/GOAWAY handling.
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary';

// the SPDY/3 header-compression dictionary, the spec's bytes (the framing around it is ours, below)
export { SPDY_DICTIONARY };

export const FRAME = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
export const FLAG_FIN = 0x01;
export const RST_CANCEL = 5;
/** the largest DATA payload we send at once */
const MAX_DATA = 16 * 1024;
/** bytes queued toward kubectl above which we stop reading from the pod (spdystream has no flow control to do it) */
const HIGH_WATER = 1024 * 1024;

export interface SpdyFrame {
  control: boolean;
  /** control frames: the frame type */
  type: number;
  /** data frames: the stream id */
  streamId: number;
  flags: number;
  data: Buffer;
}

/** Splits a byte stream into SPDY/3 frames; returns the frames and the unconsumed rest. */
export function splitFrames(buf: Buffer): { frames: SpdyFrame[]; rest: Buffer } {
  const frames: SpdyFrame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const len = buf.readUIntBE(off + 5, 3);
    if (buf.length - off < 8 + len) break;
    const control = (buf[off] & 0x80) !== 0;
    const word = buf.readUInt32BE(off) & 0x7fffffff;
    frames.push({
      control,
      type: control ? buf.readUInt16BE(off + 2) : 0,
      streamId: control ? 0 : word,
      flags: buf[off + 4],
      data: buf.subarray(off + 8, off + 8 + len),
    });
    off += 8 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0); // control bit + version 3
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** A SPDY/3 name/value block (before compression). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const kb = Buffer.from(k.toLowerCase());
    const vb = Buffer.from(v);
    parts.push(u32(kb.length), kb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 4;
  const n = block.readUInt32BE(0);
  for (let i = 0; i < n; i++) {
    const kl = block.readUInt32BE(off);
    off += 4;
    const k = block.subarray(off, off + kl).toString();
    off += kl;
    const vl = block.readUInt32BE(off);
    off += 4;
    out[k.toLowerCase()] = block
      .subarray(off, off + vl)
      .toString()
      .split('\0')[0];
    off += vl;
  }
  return out;
}

/** Runs one chunk through a stateful zlib stream and returns what a sync flush yields (SPDY shares one context per direction). */
export function zlibPass(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (d: Buffer) => chunks.push(d);
    z.on('data', onData);
    z.once('error', reject);
    z.write(input);
    z.flush(zc.Z_SYNC_FLUSH, () => {
      z.off('data', onData);
      z.off('error', reject);
      resolve(Buffer.concat(chunks));
    });
  });
}

export interface Wire {
  write(b: Buffer): void;
  close(): void;
  /** bytes written but not yet sent */
  buffered(): number;
}

export interface SpdyStream {
  id: number;
  headers: Record<string, string>;
  /** peer sent FIN */
  remoteClosed: boolean;
  /** we sent FIN */
  localClosed: boolean;
  onData?: (d: Buffer) => void;
  onEnd?: () => void;
  onReset?: () => void;
}

export interface SpdySessionOptions {
  /** the id of the first stream this side opens: 1 for a client, 2 for a server (SPDY's odd/even ids) */
  firstStreamId?: number;
  /** a stream the peer opened (after our SYN_REPLY); without it the peer's streams are not accepted */
  onStream?: (s: SpdyStream) => void;
  /** called once when the session ends, with why */
  onClose?: (reason: string) => void;
  /** a frame that could not be read; the session closes after it */
  onBadFrame?: (e: Error) => void;
  /** the close reason when the peer sends GOAWAY */
  goawayReason?: string;
}

/** A SPDY/3.1 session over a wire: opens and accepts streams, echoes pings, carries data in order. */
export class SpdySession {
  private rest = Buffer.alloc(0);
  private readonly inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  private readonly deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  readonly streams = new Map<number, SpdyStream>();
  private nextId: number;
  closed = false;
  /** data bytes queued but not yet handed to the wire */
  private queued = 0;

  constructor(
    private readonly wire: Wire,
    private readonly opts: SpdySessionOptions = {},
  ) {
    this.nextId = opts.firstStreamId ?? 1;
  }

  feed(chunk: Buffer): void {
    const { frames, rest } = splitFrames(this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk);
    this.rest = Buffer.from(rest);
    for (const f of frames)
      this.inbound = this.inbound
        .then(() => this.handle(f))
        .catch((e) => {
          const err = e instanceof Error ? e : new Error(String(e));
          this.opts.onBadFrame?.(err);
          this.close(`bad SPDY frame: ${err.message}`);
        });
  }

  private async handle(f: SpdyFrame): Promise<void> {
    if (this.closed) return;
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return;
      if (f.data.length) s.onData?.(f.data);
      if (f.flags & FLAG_FIN) this.remoteFin(s);
      return;
    }
    switch (f.type) {
      case FRAME.synStream: {
        const id = f.data.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await zlibPass(this.inflate, f.data.subarray(10)));
        if (!this.opts.onStream) return;
        const s: SpdyStream = { id, headers, remoteClosed: false, localClosed: false };
        this.streams.set(id, s);
        await this.send(async () => {
          const body = Buffer.alloc(4);
          body.writeUInt32BE(id);
          return controlFrame(FRAME.synReply, 0, Buffer.concat([body, await zlibPass(this.deflate, encodeHeaderBlock({}))]));
        });
        this.opts.onStream(s);
        if (f.flags & FLAG_FIN) this.remoteFin(s);
        return;
      }
      case FRAME.synReply:
      case FRAME.headers:
        // keep the shared decompression context in step even though the headers are not needed
        await zlibPass(this.inflate, f.data.subarray(4));
        return;
      case FRAME.rstStream: {
        const s = this.streams.get(f.data.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          this.streams.delete(s.id);
          s.onReset?.();
        }
        return;
      }
      case FRAME.ping:
        await this.send(async () => controlFrame(FRAME.ping, 0, Buffer.from(f.data)));
        return;
      case FRAME.goaway:
        this.close(this.opts.goawayReason ?? 'the peer ended the session');
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: kubectl's spdystream does no flow control, so neither do we
        return;
    }
  }

  private remoteFin(s: SpdyStream): void {
    if (s.remoteClosed) return;
    s.remoteClosed = true;
    s.onEnd?.();
    if (s.localClosed) this.streams.delete(s.id);
  }

  /** Queues a frame; frames leave in the order they were queued, whatever their compression takes. */
  private send(build: () => Promise<Buffer>): Promise<void> {
    const next = this.outbound.then(async () => {
      if (this.closed) return;
      this.wire.write(await build());
    });
    this.outbound = next.catch(() => {});
    return next;
  }

  /** Opens a stream of ours (SYN_STREAM); `fin` closes our side at once. */
  open(headers: Record<string, string>, fin: boolean): SpdyStream {
    const id = this.nextId;
    this.nextId += 2;
    const s: SpdyStream = { id, headers, remoteClosed: false, localClosed: fin };
    this.streams.set(id, s);
    void this.send(async () => {
      const head = Buffer.alloc(10);
      head.writeUInt32BE(id, 0);
      head.writeUInt32BE(0, 4); // associated stream
      return controlFrame(FRAME.synStream, fin ? FLAG_FIN : 0, Buffer.concat([head, await zlibPass(this.deflate, encodeHeaderBlock(headers))]));
    });
    return s;
  }

  write(s: SpdyStream, data: Buffer): void {
    if (s.localClosed || this.closed) return;
    for (let off = 0; off < data.length; off += MAX_DATA) {
      const part = data.subarray(off, off + MAX_DATA);
      this.queued += part.length;
      void this.send(async () => {
        this.queued -= part.length;
        return dataFrame(s.id, 0, part);
      });
    }
  }

  /** True while more than HIGH_WATER bytes wait to reach the peer. */
  congested(): boolean {
    return !this.closed && this.queued + this.wire.buffered() > HIGH_WATER;
  }

  /** Sends `data` if given, then FIN. */
  end(s: SpdyStream, data?: Buffer): void {
    if (s.localClosed) return;
    if (data?.length) this.write(s, data);
    s.localClosed = true;
    void this.send(async () => dataFrame(s.id, FLAG_FIN, Buffer.alloc(0)));
    if (s.remoteClosed) this.streams.delete(s.id);
  }

  reset(s: SpdyStream): void {
    s.localClosed = true;
    this.streams.delete(s.id);
    const body = Buffer.alloc(8);
    body.writeUInt32BE(s.id, 0);
    body.writeUInt32BE(RST_CANCEL, 4);
    void this.send(async () => controlFrame(FRAME.rstStream, 0, body));
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onReset?.();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.wire.close();
    this.opts.onClose?.(reason);
  }
}
