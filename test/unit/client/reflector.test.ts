// The one list/watch/relist loop (client/reflector.ts) the informer and the UI bridge share, against a scripted
// fake client: what it lists and watches from, when it relists, how it retries.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { errors } from '../../../main/api/errors';
import type { ApiWatch, ApiWatchEvent } from '../../../main/apiserver/types';
import { Reflector } from '../../../main/client/reflector';
import { R, type Client } from '../../../main/client/types';

const cm = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'default', resourceVersion: rv } });

/** A client whose lists and watches follow a script; it records what was asked. */
class ScriptedClient implements Pick<Client, 'list' | 'watch'> {
  readonly calls: string[] = [];
  lists: Array<(() => { items: KubeObject[]; rv: string }) | Error> = [];
  /** each watch: the events to send, then whether it ends (true) or stays open */
  watches: Array<{ events: ApiWatchEvent[]; end: boolean }> = [];
  private waiters: Array<() => void> = [];

  async list<T extends KubeObject>(): Promise<never> {
    const next = this.lists.shift();
    this.calls.push('list');
    this.notify();
    if (!next) throw new Error('no more lists scripted');
    if (next instanceof Error) throw next;
    const { items, rv } = next();
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: rv }, items: items as T[] } as never;
  }

  async watch(_t: unknown, opts: { resourceVersion?: string }, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch> {
    this.calls.push(`watch@${opts.resourceVersion}`);
    this.notify();
    const next = this.watches.shift() ?? { events: [], end: false };
    let stop!: () => void;
    const done = new Promise<void>((r) => (stop = r));
    queueMicrotask(() => {
      for (const ev of next.events) onEvent(ev);
      if (next.end) stop();
    });
    return { stop, done };
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** resolves once the calls include `n` entries */
  async until(n: number): Promise<string[]> {
    while (this.calls.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.calls.slice(0, n);
  }
}

function run(client: ScriptedClient, retryDelayMs = 1) {
  const seen: string[] = [];
  const r = new Reflector(
    client,
    R.configmaps,
    { namespace: 'default', retryDelayMs },
    {
      replace: (items, rv) => seen.push(`replace ${items.map((i) => i.metadata.name).join(',')} @${rv}`),
      event: (ev) => seen.push(`${ev.type} ${ev.object.metadata.name}`),
      watchEnded: () => seen.push('ended'),
      error: (e) => seen.push(`error ${(e as Error).message}`),
    },
  );
  void r.run();
  return { r, seen };
}

describe('Reflector', () => {
  it('lists, watches from the list version, and watches again from the last event or bookmark when a watch ends', async () => {
    const c = new ScriptedClient();
    c.lists.push(() => ({ items: [cm('a', '5')], rv: '7' }));
    c.watches.push({
      events: [
        { type: 'ADDED', object: cm('b', '8') },
        { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } },
      ],
      end: true,
    });
    c.watches.push({ events: [{ type: 'DELETED', object: cm('a', '10') }], end: false });
    const { r, seen } = run(c);
    expect(await c.until(3)).toEqual(['list', 'watch@7', 'watch@9']);
    await Promise.resolve();
    expect(seen).toEqual(['replace a @7', 'ADDED b', 'ended', 'DELETED a']);
    expect(r.resourceVersion).toBe('10');
    r.stop();
  });

  it('relists when the version has expired (an ERROR event, 410)', async () => {
    const c = new ScriptedClient();
    c.lists.push(
      () => ({ items: [], rv: '3' }),
      () => ({ items: [cm('x', '40')], rv: '41' }),
    );
    c.watches.push({ events: [{ type: 'ERROR', object: errors.expired('too old resource version: 3 (20)').toStatus() as unknown as KubeObject }], end: true });
    const { r, seen } = run(c);
    expect(await c.until(4)).toEqual(['list', 'watch@3', 'list', 'watch@41']);
    expect(seen).toEqual(['replace  @3', 'ended', 'replace x @41']);
    r.stop();
  });

  it('reports a failed list and retries after a backoff that doubles', async () => {
    const c = new ScriptedClient();
    c.lists.push(new Error('connection refused'), new Error('connection refused'), () => ({ items: [], rv: '1' }));
    const { r, seen } = run(c, 20);
    const t0 = Date.now();
    expect(await c.until(4)).toEqual(['list', 'list', 'list', 'watch@1']);
    // 20 ms, then 40 ms
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    expect(seen).toEqual(['error connection refused', 'error connection refused', 'replace  @1']);
    r.stop();
  });

  it('stops a pending backoff and an open watch', async () => {
    const c = new ScriptedClient();
    c.lists.push(new Error('down'));
    const { r } = run(c, 60_000);
    await c.until(1);
    const t0 = Date.now();
    r.stop();
    await new Promise((res) => setTimeout(res, 20));
    expect(c.calls).toEqual(['list']);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
