// Private files (keys, certificates, tokens, kubeconfig) written so a crash leaves the old file or the new one,
// never half of one, and no other user can read them at any moment: a fresh temp file created mode 0600,
// written, fsync'd, renamed over the target, then the directory fsync'd so the rename itself survives.
import { closeSync, fsyncSync, openSync, promises as fsp, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const PRIVATE = 0o600;
let seq = 0;
const tempName = (path: string) => `${path}.tmp-${process.pid}-${++seq}`;

export async function writeFileAtomic(path: string, data: string | Buffer, mode = PRIVATE): Promise<void> {
  const tmp = tempName(path);
  try {
    // 'wx': a new file, so `mode` applies from its first byte (an existing one would keep its own)
    const fh = await fsp.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  const dir = await fsp.open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export function writeFileAtomicSync(path: string, data: string | Buffer, mode = PRIVATE): void {
  const tmp = tempName(path);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
