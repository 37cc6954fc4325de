// Our own slice writes the informer cache may not show yet (upstream's endpointSliceTracker): deciding before
// it does would create duplicates (generateName) or undo the writes.
import { isStatusError } from '../../api/errors';
import type { Informer } from '../../client/informer';
import { R, type Client } from '../../client/types';
import type { EndpointSlice, SlicePlan } from './endpointslice-decisions';

export class SliceTracker {
  /** per Service key: slice name -> resourceVersion written (null when deleted), and when */
  private written = new Map<string, Map<string, { rv: string | null; at: number }>>();

  constructor(
    private readonly inf: Informer<EndpointSlice>,
    private readonly giveUpMs = 10_000,
  ) {}

  remember(key: string, name: string, rv: string | null): void {
    let w = this.written.get(key);
    if (!w) this.written.set(key, (w = new Map()));
    w.set(name, { rv, at: Date.now() });
  }

  forget(key: string): void {
    this.written.delete(key);
  }

  cacheIsBehind(key: string, namespace: string): boolean {
    const w = this.written.get(key);
    if (!w) return false;
    for (const [name, { rv, at }] of w) {
      const cached = this.inf.get(`${namespace}/${name}`);
      // a watch past our write has shown it even if the slice is gone since; a write unseen for long is given up on
      const caughtUp =
        rv === null ? !cached : (!!cached && Number(cached.metadata.resourceVersion) >= Number(rv)) || Number(this.inf.lastSyncResourceVersion) >= Number(rv);
      if (!caughtUp && Date.now() - at < this.giveUpMs) return true;
      w.delete(name);
    }
    this.written.delete(key);
    return false;
  }

  /** Carries out a plan in the order upstream does (deletes, updates, creates), remembering each write. */
  async apply(key: string, plan: SlicePlan, client: Client, namespace: string | undefined): Promise<void> {
    for (const s of plan.delete) {
      await client.delete(R.endpointslices, s.metadata.name!, { namespace }).catch((e) => {
        if (!isStatusError(e, 'NotFound')) throw e;
      });
      this.remember(key, s.metadata.name!, null);
    }
    for (const s of plan.update) {
      const out = await client.update<EndpointSlice>(R.endpointslices, s, { namespace });
      this.remember(key, out.metadata.name!, out.metadata.resourceVersion!);
    }
    for (const s of plan.create) {
      const out = await client.create<EndpointSlice>(R.endpointslices, s, { namespace });
      this.remember(key, out.metadata.name!, out.metadata.resourceVersion!);
    }
  }
}
