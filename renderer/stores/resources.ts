// Live caches of API objects, one watch per resource type shared by every view that needs it.
import { defineStore } from 'pinia';
import { shallowRef, triggerRef, ref, type ShallowRef } from 'vue';
import type { KubeObject } from '../../main/api/object';
import type { ResourceRef } from '../../main/bridge/contract';
import { bridge } from '../bridge';
import type { AnyObject } from '../lib/objects';
import { applyWatchEvents, coalesce } from './cache';

/** One resource type's live objects by `namespace/name`; T is its kind (Live<Pod>) where the caller knows it. */
export interface ResourceCache<T extends AnyObject = KubeObject> {
  items: ShallowRef<Map<string, T>>;
  synced: ShallowRef<boolean>;
  error: ShallowRef<string | undefined>;
}

const refKey = (r: ResourceRef) => `${r.group}/${r.version}/${r.resource}`;

export const useResourcesStore = defineStore('resources', () => {
  const caches = new Map<string, ResourceCache & { users: number; stop?: Promise<() => Promise<void>>; idle?: ReturnType<typeof setTimeout> }>();
  const tick = ref(0);

  /**
   * Subscribes to a resource type (cluster-wide) and returns its live cache; release with the returned function.
   * T names the kind the objects are (`watch<Live<Pod>>(R.pods)`): the wire carries them untyped.
   */
  function watch<T extends AnyObject = KubeObject>(r: ResourceRef): { cache: ResourceCache<T>; release: () => void } {
    const k = refKey(r);
    let c = caches.get(k);
    if (!c) {
      const entry = {
        items: shallowRef(new Map<string, KubeObject>()),
        synced: shallowRef(false),
        error: shallowRef<string | undefined>(undefined),
        users: 0,
      } as ResourceCache & { users: number; stop?: Promise<() => Promise<void>>; idle?: ReturnType<typeof setTimeout> };
      // events fold into the map as they come; views re-render once per frame, so a thousand pods churning stay smooth
      let changed = false;
      const publish = coalesce(() => {
        if (changed) triggerRef(entry.items);
        changed = false;
        entry.synced.value = true;
        entry.error.value = undefined;
        tick.value++;
      });
      entry.stop = bridge().watch(
        { ref: r },
        {
          onEvents(events, resync) {
            changed = applyWatchEvents(entry.items.value, events, resync) || resync || changed;
            publish();
          },
          onError(e) {
            entry.error.value = e.message;
          },
        },
      );
      entry.stop.catch((e: Error) => (entry.error.value = e.message));
      caches.set(k, entry);
      c = entry;
    }
    const cc = c;
    cc.users++;
    if (cc.idle) clearTimeout(cc.idle);
    cc.idle = undefined;
    let released = false;
    return {
      cache: cc as unknown as ResourceCache<T>,
      release() {
        if (released) return;
        released = true;
        cc.users--;
        // keep a watch a little after its last view leaves: navigating back is then instant
        if (cc.users === 0) {
          cc.idle = setTimeout(() => {
            if (cc.users > 0) return;
            caches.delete(k);
            cc.stop?.then((s) => s()).catch(() => {});
          }, 30_000);
        }
      },
    };
  }

  return { watch, tick };
});
