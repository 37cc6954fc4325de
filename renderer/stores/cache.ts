// The pure part of the resource store: fold watch events into a keyed cache (tested by table).
import type { KubeObject } from '../../main/api/object';
import type { BridgeWatchEvent } from '../../main/bridge/contract';

export const cacheKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** Applies a batch; a resync batch replaces the whole cache. Returns whether anything changed. */
export function applyWatchEvents(cache: Map<string, KubeObject>, events: BridgeWatchEvent[], resync: boolean): boolean {
  let changed = resync && cache.size > 0;
  if (resync) cache.clear();
  for (const ev of events) {
    const k = cacheKey(ev.object);
    if (ev.type === 'DELETED') {
      changed = cache.delete(k) || changed;
    } else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
      const prev = cache.get(k);
      // an older resourceVersion arriving late must not undo a newer one
      if (prev && ev.type === 'MODIFIED' && olderThan(ev.object, prev)) continue;
      cache.set(k, ev.object);
      changed = true;
    }
  }
  return changed;
}

function olderThan(a: KubeObject, b: KubeObject): boolean {
  const x = Number(a.metadata.resourceVersion);
  const y = Number(b.metadata.resourceVersion);
  return Number.isFinite(x) && Number.isFinite(y) && x < y;
}

/** Runs fn at most once per scheduled slot however often it is requested (schedule: the next animation frame). */
export function coalesce(fn: () => void, schedule: (cb: () => void) => void = nextFrame): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    schedule(() => {
      queued = false;
      fn();
    });
  };
}

const nextFrame = (cb: () => void) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => cb());
  else setTimeout(cb, 16);
};
