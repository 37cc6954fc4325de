// DefaultTolerationSeconds: pods tolerate a not-ready or unreachable node for 300 s before eviction.
import type { AdmissionAttributes, AdmissionPlugin } from './types';
import { isPod } from './forbidden';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

type Toleration = { key?: string; operator?: string; effect?: string; tolerationSeconds?: number; value?: string };

export function defaultTolerationSeconds(seconds = DEFAULT_TOLERATION_SECONDS): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    async admit(a: AdmissionAttributes) {
      if (a.operation !== 'CREATE' || !isPod(a) || !a.object) return;
      const spec = (a.object.spec ??= {}) as { tolerations?: Toleration[] };
      const tols = spec.tolerations ?? [];
      const tolerates = (key: string) => tols.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
      const added: string[] = [];
      for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
        if (tolerates(key)) continue;
        tols.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
        added.push(key);
      }
      if (added.length) {
        spec.tolerations = tols;
        a.note(`added NoExecute tolerations for ${added.join(' and ')} (${seconds}s)`);
      }
    },
  };
}
