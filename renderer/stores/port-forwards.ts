// Port-forwards of the lab (they live in main and outlive a page): the list pushed by main, start and stop.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PortForwardInfo, PortForwardStart } from '../../main/bridge/contract';
import { bridge } from '../bridge';
import { i18n } from '../i18n';
import { useUiStore } from './ui';

const t = (k: string, v?: Record<string, unknown>) => i18n.global.t(k, v ?? {});

export const usePortForwardsStore = defineStore('portForwards', () => {
  const all = ref<PortForwardInfo[]>([]);
  let started = false;

  function init() {
    if (started) return;
    started = true;
    const b = bridge();
    b.portForwards.onChange((list) => (all.value = list));
    void b.portForwards.list().then(
      (list) => (all.value = list),
      () => undefined,
    );
  }

  /** Starts a forward; resolves to it, or undefined after an error toast (the Status message kubectl would print). */
  async function start(a: PortForwardStart): Promise<PortForwardInfo | undefined> {
    init();
    const ui = useUiStore();
    try {
      const f = await bridge().portForwards.start(a);
      if (!all.value.some((x) => x.id === f.id)) all.value = [...all.value, f];
      ui.did({ verb: 'portForward', kind: f.kind, name: f.name, namespace: f.namespace, port: f.port, localPort: f.localPort, pod: f.pod });
      ui.toast('ok', t('portForward.started', { url: f.url, target: `${f.kind.toLowerCase()}/${f.name}`, port: f.port }));
      return f;
    } catch (e) {
      ui.error(e);
    }
  }

  async function stop(id: string): Promise<void> {
    try {
      await bridge().portForwards.stop(id);
      all.value = all.value.filter((f) => f.id !== id);
    } catch (e) {
      useUiStore().error(e);
    }
  }

  return { all, init, start, stop };
});
