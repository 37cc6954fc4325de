// What the server serves (aggregated discovery) and the schemas of its kinds (OpenAPI v3), read once per connection.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { bridge } from '../bridge';
import { setDiscovered, kinds, type KindDef } from '../lib/kinds';
import type { OpenApiDoc } from '../lib/schema';

export const useDiscoveryStore = defineStore('discovery', () => {
  const loaded = ref(false);
  const error = ref<string | undefined>();
  let loading: Promise<void> | undefined;

  /** Reads discovery; again after a failure (the API may not serve yet), so call it whenever the lab's status changes. */
  function load(): Promise<void> {
    if (loaded.value) return Promise.resolve();
    loading ??= bridge()
      .api.discovery()
      .then((resources) => {
        setDiscovered(resources);
        loaded.value = true;
        error.value = undefined;
      })
      .catch((e: Error) => {
        error.value = e.message;
      })
      .finally(() => (loading = undefined));
    return loading;
  }

  // one OpenAPI document per group version, shared by every editor of its kinds
  const docs = new Map<string, Promise<OpenApiDoc | undefined>>();
  function openapi(k: KindDef): Promise<OpenApiDoc | undefined> {
    const key = `${k.ref.group}/${k.ref.version}`;
    let p = docs.get(key);
    if (!p) {
      p = bridge()
        .api.openapi({ group: k.ref.group, version: k.ref.version })
        .then((d) => d as OpenApiDoc)
        .catch(() => {
          docs.delete(key);
          return undefined;
        });
      docs.set(key, p);
    }
    return p;
  }

  return { loaded, error, load, openapi, kinds };
});
