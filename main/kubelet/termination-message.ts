// A container's termination message, read with upstream's bounds (pkg/kubelet/container/runtime.go): at most
// the last 4 KiB of its terminationMessagePath file; for FallbackToLogsOnError, at most the last 2 KiB of its
// last 80 log lines; and 12 KiB per pod in all, split evenly among its containers (status manager's
// normalizeStatus). A container cannot make the kubelet read, hold or report more.
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export const MAX_CONTAINER_TERMINATION_MESSAGE = 4 * 1024;
export const MAX_CONTAINER_TERMINATION_MESSAGE_LOG = 2 * 1024;
export const MAX_CONTAINER_TERMINATION_MESSAGE_LOG_LINES = 80;
export const MAX_POD_TERMINATION_MESSAGE = 12 * 1024;

/** The last `max` bytes of a file (upstream's tail.ReadAtMost); '' when it does not exist. */
export async function readTail(path: string, max: number): Promise<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, size - len);
    return utf8Tail(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** The last `max` bytes of a stream, holding no more than that (plus one chunk) while it flows. */
export async function streamTail(stream: Readable | NodeJS.ReadableStream, max: number): Promise<string> {
  let kept = Buffer.alloc(0);
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    kept = kept.length + b.length <= max ? Buffer.concat([kept, b]) : Buffer.concat([kept, b]).subarray(-max);
  }
  return utf8Tail(kept);
}

/** Each message cut to its share of the pod's budget (its first bytes, as upstream keeps). */
export function podMessageBudget(containerCount: number): number {
  return containerCount > 0 ? Math.floor(MAX_POD_TERMINATION_MESSAGE / containerCount) : MAX_POD_TERMINATION_MESSAGE;
}

/** The first `max` bytes of s, never ending in half a character. */
export function truncateUtf8(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--; // b[end] continues the character that starts before it
  return b.subarray(0, end).toString('utf8');
}

/** Bytes cut from the front may start inside a character: skip its continuation bytes. */
function utf8Tail(b: Buffer): string {
  let start = 0;
  while (start < b.length && start < 3 && (b[start] & 0xc0) === 0x80) start++;
  return b.subarray(start).toString('utf8');
}
