// Private files are replaced whole (old or new, never half) and are never readable by others.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../../main/atomic-file';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubelab-atomic-'));
  dirs.push(d);
  return d;
}

describe.each([
  { name: 'writeFileAtomic', write: writeFileAtomic },
  { name: 'writeFileAtomicSync', write: async (p: string, d: string) => writeFileAtomicSync(p, d) },
])('$name', ({ write }) => {
  it('creates the file mode 0600 even under umask 0, and replaces an older one (0644) whole', async () => {
    const dir = tempDir();
    const old = process.umask(0);
    try {
      await write(join(dir, 'new.key'), 'secret\n');
      writeFileSync(join(dir, 'old.key'), 'old contents that are longer\n', { mode: 0o644 });
      await write(join(dir, 'old.key'), 'new\n');
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, 'new.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'old.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'old.key'), 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['new.key', 'old.key']);
  });

  it('a write that fails leaves the old file as it was and no temp file behind', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'keep'), 'x');
    await expect(write(join(dir, 'target'), 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readFileSync(join(dir, 'target', 'keep'), 'utf8')).toBe('x');
  });
});
