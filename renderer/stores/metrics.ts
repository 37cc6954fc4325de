// Usage history for the charts: while a page shows a pod's or node's usage, it is read from main at the metrics
// server's own pace (one in-memory read per resolution period), and kept here per object.
import { defineStore } from 'pinia';
import { onBeforeUnmount, shallowRef, watch, type ShallowRef } from 'vue';
import type { UsageSeriesInfo } from '../../main/bridge/contract';
import { bridge } from '../bridge';

export interface UsageView {
  series: ShallowRef<UsageSeriesInfo | undefined>;
  error: ShallowRef<string | undefined>;
}

export const useMetricsStore = defineStore('metrics', () => {
  /** Follows the usage of the object `key()` names while the calling component lives. */
  function follow(key: () => { kind: 'Pod' | 'Node'; name: string; namespace?: string } | undefined): UsageView {
    const series = shallowRef<UsageSeriesInfo | undefined>();
    const error = shallowRef<string | undefined>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gen = 0;
    const read = async (g: number) => {
      const k = key();
      if (!k || g !== gen) return;
      let next = 5000;
      try {
        const s = await bridge().metrics.series(k);
        if (g !== gen) return;
        series.value = s;
        error.value = s.unavailable;
        if (s.intervalMs > 0) next = s.intervalMs;
      } catch (e) {
        if (g === gen) error.value = (e as Error).message;
      }
      if (g === gen) timer = setTimeout(() => void read(g), next);
    };
    watch(
      () => JSON.stringify(key() ?? null),
      () => {
        clearTimeout(timer);
        series.value = undefined;
        void read(++gen);
      },
      { immediate: true },
    );
    onBeforeUnmount(() => {
      gen++;
      clearTimeout(timer);
    });
    return { series, error };
  }
  return { follow };
});
