// One live object (or a filtered set) out of the shared caches, released with the component.
import { computed, onBeforeUnmount, shallowRef, watch, type ComputedRef, type ShallowRef } from 'vue';
import type { KubeObject } from '../../main/api/object';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { ResourceRef, ResourceTable } from '../../main/bridge/contract';
import { bridge } from '../bridge';
import { useResourcesStore, type ResourceCache } from '../stores/resources';
import type { KindDef } from './kinds';
import type { Live } from './objects';

type Kind = { metadata?: ObjectMeta };

/** A resource type's live objects as their kind: `useObjects<Pod>(R.pods)`; without T, untyped KubeObjects. */
export function useObjects<T extends Kind = KubeObject>(
  ref: ResourceRef,
): { all: ComputedRef<Live<T>[]>; synced: ComputedRef<boolean>; byKey(k: string): Live<T> | undefined } {
  const sub = useResourcesStore().watch<Live<T>>(ref);
  onBeforeUnmount(sub.release);
  const all = computed(() => [...sub.cache.items.value.values()]);
  return {
    all,
    synced: computed(() => sub.cache.synced.value),
    byKey: (k: string) => sub.cache.items.value.get(k),
  };
}

export function useObject<T extends Kind = KubeObject>(
  ref: ResourceRef,
  namespace: () => string | undefined,
  name: () => string,
): { obj: ComputedRef<Live<T> | undefined>; synced: ComputedRef<boolean> } {
  const o = useObjects<T>(ref);
  return { obj: computed(() => o.byKey(`${namespace() ?? ''}/${name()}`)), synced: o.synced };
}

/** The live cache of a view's kind; the router reuses a view from one kind to another (the palette jumps so), so it follows the kind's watch. */
export function useKindCache(def: ComputedRef<KindDef>, onKindChange?: (d: KindDef) => void): ShallowRef<ResourceCache> {
  const res = useResourcesStore();
  let sub = res.watch(def.value.ref);
  const cache = shallowRef(sub.cache);
  watch(def, (d) => {
    sub.release();
    sub = res.watch(d.ref);
    cache.value = sub.cache;
    onKindChange?.(d);
  });
  onBeforeUnmount(() => sub.release());
  return cache;
}

/**
 * The server's Table for a kind without hand-made columns, read again whenever its objects change (one request in
 * flight, the latest change wins), so the cells stay those `kubectl get` would print now.
 */
export function useServerTable(def: ComputedRef<KindDef>, cache: ShallowRef<ResourceCache>): ShallowRef<ResourceTable | undefined> {
  const table = shallowRef<ResourceTable | undefined>();
  let inFlight = false;
  let again = false;
  let gen = 0;
  async function load() {
    if (def.value.columns) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const my = gen;
    try {
      const t = await bridge().api.table({ ref: def.value.ref });
      if (my === gen) table.value = t;
    } catch {
      // the list shows names and ages from the watch meanwhile
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        void load();
      }
    }
  }
  watch(def, () => {
    gen++;
    table.value = undefined;
    void load();
  });
  watch(
    () => cache.value.items.value,
    () => void load(),
    { immediate: true },
  );
  return table;
}
