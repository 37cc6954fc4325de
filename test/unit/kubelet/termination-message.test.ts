// Termination messages are read with upstream's bounds: a container cannot make the kubelet read or report more.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { generatePodStatus } from '../../../main/kubelet/pod-status';
import { podMessageBudget, readTail, streamTail, truncateUtf8 } from '../../../main/kubelet/termination-message';
import type { ContainerStatus } from '../../../main/runtime/types';

const dir = mkdtempSync(join(tmpdir(), 'kubelab-tm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readTail', () => {
  it.each([
    { name: 'a short message whole', content: 'goodbye\n', max: 4096, want: 'goodbye\n' },
    { name: 'a 1 MiB file: its last 4096 bytes', content: 'a'.repeat(1 << 20) + 'END', max: 4096, want: 'a'.repeat(4093) + 'END' },
    { name: 'an empty file', content: '', max: 4096, want: '' },
    { name: 'a cut inside a character skips its rest', content: 'x'.repeat(10) + 'é'.repeat(3), max: 5, want: 'éé' },
  ])('$name', async ({ content, max, want }) => {
    const f = join(dir, `t-${Math.random()}`);
    writeFileSync(f, content);
    expect(await readTail(f, max)).toBe(want);
  });

  it('a file that does not exist reads as no message', async () => {
    expect(await readTail(join(dir, 'missing'), 4096)).toBe('');
  });
});

describe('streamTail', () => {
  it('keeps only the last bytes of a long stream, whatever the chunking', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}\n`);
    const tail = await streamTail(Readable.from(lines.map((l) => Buffer.from(l))), 2048);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(2048);
    expect(lines.join('').endsWith(tail)).toBe(true);
    expect(tail.endsWith('line 4999\n')).toBe(true);
  });

  it('one chunk far above the bound is cut to its end', async () => {
    expect(await streamTail(Readable.from([Buffer.from('b'.repeat(100_000) + 'tail')]), 8)).toBe('bbbbtail');
  });
});

describe('truncateUtf8 and the pod budget', () => {
  it.each([
    { s: 'hello', max: 10, want: 'hello' },
    { s: 'hello', max: 3, want: 'hel' },
    { s: 'ünï', max: 4, want: 'ün' }, // ü is 2 bytes, n 1, ï 2: it would not fit whole
    { s: '✓✓', max: 4, want: '✓' },
  ])('truncateUtf8($s, $max)', ({ s, max, want }) => expect(truncateUtf8(s, max)).toBe(want));

  it.each([
    { containers: 1, budget: 12288 },
    { containers: 3, budget: 4096 },
    { containers: 4, budget: 3072 },
    { containers: 0, budget: 12288 },
  ])('$containers container(s): $budget bytes each', ({ containers, budget }) => expect(podMessageBudget(containers)).toBe(budget));

  it('a pod of one init and three app containers reports at most 12 KiB of messages, 3 KiB each', () => {
    const names = ['init', 'a', 'b', 'c'];
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'default', uid: 'u1' },
      spec: { initContainers: [{ name: 'init', image: 'x' }], containers: names.slice(1).map((name) => ({ name, image: 'x' })) },
    };
    const containers: ContainerStatus[] = names.map(
      (name, i) =>
        ({
          id: `c${i}`,
          name,
          pod: { uid: 'u1', name: 'p', namespace: 'default' },
          image: 'x',
          imageID: '',
          state: 'exited',
          exitCode: 1,
          restartCount: 0,
          startedAt: '2024-01-01T00:00:00Z',
          finishedAt: '2024-01-01T00:00:01Z',
          labels: {},
        }) as unknown as ContainerStatus,
    );
    const messages = new Map(names.map((_, i) => [`c${i}`, String(i).repeat(4096)]));
    const status = generatePodStatus({ pod, containers, terminationMessages: messages, now: '2024-01-01T00:00:02Z' });
    const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].map((s) => s.state?.terminated?.message ?? '');
    expect(all.map((m) => m.length)).toEqual([3072, 3072, 3072, 3072]);
    expect(all.reduce((n, m) => n + Buffer.byteLength(m), 0)).toBeLessThanOrEqual(12 * 1024);
    expect(all[1]).toBe('1'.repeat(3072)); // the first bytes, as upstream keeps
  });
});
