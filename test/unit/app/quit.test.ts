import { describe, expect, it } from 'vitest';
import { quitSequence, type QuitDeps } from '../../../main/app/quit';
import { FakeApp } from './fake-electron';

/** A before-quit event that records whether it was prevented. */
const quitEvent = () => {
  const e = { prevented: false, preventDefault: () => void (e.prevented = true) };
  return e;
};

function deps(over: Partial<QuitDeps> = {}) {
  const steps: string[] = [];
  const app = new FakeApp();
  const d: QuitDeps = {
    app: { quit: () => (steps.push('quit'), app.quit()) },
    closeConnections: () => void steps.push('close connections'),
    stopCluster: async () => void steps.push('stop cluster'),
    log: { error: (m) => void steps.push(`log ${m}`) },
    ...over,
  };
  return { d, steps, app };
}

describe('quitSequence', () => {
  it('the first quit is held: connections close, the cluster stops, then the app quits for real', async () => {
    const { d, steps, app } = deps();
    const q = quitSequence(d);
    const first = quitEvent();
    q.onBeforeQuit(first);
    expect(first.prevented).toBe(true);
    await q.done;
    expect(steps).toEqual(['close connections', 'stop cluster', 'quit']);
    // the app.quit() it calls comes back through before-quit, which now lets it through
    const again = quitEvent();
    q.onBeforeQuit(again);
    expect(again.prevented).toBe(false);
    expect(app.quits).toBe(1);
    expect(q.phase).toBe('stopped');
  });

  it('a second quit while stopping is held too and does not stop the cluster twice', async () => {
    let release!: () => void;
    let stops = 0;
    const { d, app } = deps({ stopCluster: () => new Promise<void>((r) => (stops++, (release = r))) });
    const q = quitSequence(d);
    q.onBeforeQuit(quitEvent());
    const second = quitEvent();
    q.onBeforeQuit(second);
    expect(second.prevented).toBe(true);
    expect(q.phase).toBe('stopping');
    await Promise.resolve();
    release();
    await q.done;
    expect(stops).toBe(1);
    expect(app.quits).toBe(1);
  });

  it('a stop that throws is logged and the app still quits', async () => {
    const { d, steps, app } = deps({ stopCluster: async () => Promise.reject(new Error('store: disk full')) });
    const q = quitSequence(d);
    q.onBeforeQuit(quitEvent());
    await q.done;
    expect(steps).toEqual(['close connections', 'log stopping the lab failed; quitting anyway', 'quit']);
    expect(app.quits).toBe(1);
  });

  it('a quit during start waits for the start to settle before stopping (no stage starts after the stop)', async () => {
    let started!: () => void;
    const start = new Promise<void>((r) => (started = r)).then(() => void steps.push('started'));
    const { d, steps } = deps({ starting: () => start });
    const q = quitSequence(d);
    q.onBeforeQuit(quitEvent());
    await Promise.resolve();
    expect(steps).toEqual(['close connections']);
    started();
    await q.done;
    expect(steps).toEqual(['close connections', 'started', 'stop cluster', 'quit']);
  });

  it('a start that never settles (an engine that hangs) delays the quit only so long, then the lab stops anyway', async () => {
    const { d, steps } = deps({ starting: () => new Promise(() => {}), startWaitMs: 20 });
    const q = quitSequence(d);
    q.onBeforeQuit(quitEvent());
    await q.done;
    expect(steps).toEqual(['close connections', 'stop cluster', 'quit']);
  });

  it('a start that failed does not keep the app from quitting', async () => {
    const { d, steps } = deps({ starting: () => Promise.reject(new Error('no Docker')) });
    const q = quitSequence(d);
    q.onBeforeQuit(quitEvent());
    await q.done;
    expect(steps).toEqual(['close connections', 'stop cluster', 'quit']);
  });
});
