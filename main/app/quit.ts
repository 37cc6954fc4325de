// Quitting: close the bridge connections, stop the control plane (containers keep running; the next start adopts
// them), then quit. Electron's before-quit fires again on every quit request, so this is a small state machine.

export interface QuitDeps {
  app: { quit(): void };
  closeConnections(): void;
  /** the start in progress, if any: stopping midway would race its next stage */
  starting?(): Promise<unknown> | undefined;
  /** how long a quit waits for that start before stopping anyway (a start stuck on an engine must not block quit) */
  startWaitMs?: number;
  stopCluster(): Promise<void>;
  log: { error(msg: string, fields?: Record<string, unknown>): void };
}

export type QuitPhase = 'running' | 'stopping' | 'stopped';

/** The before-quit handler: the first quit stops the lab then quits; more quits while stopping wait for it. */
export function quitSequence(d: QuitDeps): { onBeforeQuit(e: { preventDefault(): void }): void; readonly phase: QuitPhase; done?: Promise<void> } {
  let phase: QuitPhase = 'running';
  const state = {
    done: undefined as Promise<void> | undefined,
    get phase() {
      return phase;
    },
    onBeforeQuit(e: { preventDefault(): void }) {
      if (phase === 'stopped') return;
      e.preventDefault();
      if (phase === 'stopping') return;
      phase = 'stopping';
      state.done = (async () => {
        try {
          d.closeConnections();
          const start = d.starting?.();
          if (start) {
            let timer: ReturnType<typeof setTimeout> | undefined;
            const waited = new Promise<void>((r) => (timer = setTimeout(r, d.startWaitMs ?? 20_000)));
            await Promise.race([start.catch(() => undefined), waited]);
            clearTimeout(timer);
          }
          await d.stopCluster();
        } catch (err) {
          d.log.error('stopping the lab failed; quitting anyway', { error: String(err) });
        } finally {
          phase = 'stopped';
          d.app.quit();
        }
      })();
    },
  };
  return state;
}
