// One live object (or a filtered set) out of the shared caches, released with the component.
import { computed, onBeforeUnmount, type ComputedRef } from 'vue';
import type { KubeObject } from '../../main/api/object';
import type { ResourceRef } from '../../main/bridge/contract';
import { useResourcesStore } from '../stores/resources';

export function useObjects(ref: ResourceRef): { all: ComputedRef<KubeObject[]>; synced: ComputedRef<boolean>; byKey(k: string): KubeObject | undefined } {
  const sub = useResourcesStore().watch(ref);
  onBeforeUnmount(sub.release);
  const all = computed(() => [...sub.cache.items.value.values()]);
  return {
    all,
    synced: computed(() => sub.cache.synced.value),
    byKey: (k: string) => sub.cache.items.value.get(k),
  };
}

export function useObject(ref: ResourceRef, namespace: () => string | undefined, name: () => string): { obj: ComputedRef<KubeObject | undefined>; synced: ComputedRef<boolean> } {
  const o = useObjects(ref);
  return { obj: computed(() => o.byKey(`${namespace() ?? ''}/${name()}`)), synced: o.synced };
}
