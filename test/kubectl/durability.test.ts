// `kill -9` of `kubelab serve` during a burst of kubectl creates, then a restart on the same data dir:
// every create kubectl reported is there, nothing is half-written, and revisions continue.
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, type Serve } from '../fixtures/serve';

describe('kubectl creates survive kill -9', () => {
  let serve: Serve | undefined;
  afterAll(async () => {
    await serve?.stop();
  });

  it('keeps every reported create across a crash, and the revision keeps growing', async () => {
    serve = await startServe({ virtualNodes: 1 });
    const first = serve;
    const reported: string[] = [];
    let maxRevision = 0;
    let crashed = false;
    const worker = async (w: number) => {
      for (let i = 0; !crashed; i++) {
        const name = `burst-${w}-${i}`;
        const r = await first.kubectl(['create', 'configmap', name, `--from-literal=n=${i}`, '-o', 'jsonpath={.metadata.resourceVersion}']);
        if (r.code === 0) {
          reported.push(name);
          maxRevision = Math.max(maxRevision, Number(r.stdout));
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    await expect.poll(() => reported.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(12);
    first.process.kill('SIGKILL');
    crashed = true;
    await Promise.all(workers);
    await new Promise<void>((r) => (first.process.exitCode !== null || first.process.signalCode !== null ? r() : first.process.once('exit', () => r())));

    serve = await startServe({ dataDir: first.dataDir, virtualNodes: 1 });
    const names = await serve.kubectl(['get', 'configmaps', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data.n}{"\\n"}{end}']);
    expect(names.code, names.stderr).toBe(0);
    const stored = new Map(
      names.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('=') as [string, string]),
    );
    for (const name of reported) expect(stored.has(name), `${name} was reported created`).toBe(true);
    for (const [name, n] of stored) if (name.startsWith('burst-')) expect(n).toBe(name.split('-')[2]);
    const after = await serve.kubectl(['create', 'configmap', 'after-restart', '-o', 'jsonpath={.metadata.resourceVersion}']);
    expect(after.code, after.stderr).toBe(0);
    expect(Number(after.stdout)).toBeGreaterThan(maxRevision);
    await serve.stop();
    const { rm } = await import('node:fs/promises');
    await rm(first.dataDir, { recursive: true, force: true });
    serve = undefined;
  });

  it("one lab per data dir: a second is refused naming the first one's pid; after kill -9 of the first, the next starts at once", async () => {
    const noDocker = { DOCKER_HOST: 'unix:///nonexistent/kubelab-no-docker.sock', DOCKER_CONTEXT: '' };
    const first = await startServe({ env: noDocker });
    serve = first;
    const second = await startServe({ dataDir: first.dataDir, env: noDocker }).then(
      (s) => s,
      (e: Error) => e,
    );
    if (!(second instanceof Error)) await second.stop({ keepDataDir: true });
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toContain(`kubelab serve: the store in ${first.dataDir}/store is in use by process ${first.process.pid}`);
    // the first lab never noticed
    expect((await first.kubectl(['get', 'namespaces', 'default', '-o', 'name'])).stdout.trim()).toBe('namespace/default');

    first.process.kill('SIGKILL');
    await new Promise<void>((r) => (first.process.exitCode !== null || first.process.signalCode !== null ? r() : first.process.once('exit', () => r())));
    serve = await startServe({ dataDir: first.dataDir, env: noDocker });
    expect(serve.logs()).not.toContain('waiting for the process holding the store');
    expect((await serve.kubectl(['get', 'namespaces', 'default', '-o', 'name'])).stdout.trim()).toBe('namespace/default');
    await serve.stop();
    const { rm } = await import('node:fs/promises');
    await rm(first.dataDir, { recursive: true, force: true });
    serve = undefined;
  });
});
