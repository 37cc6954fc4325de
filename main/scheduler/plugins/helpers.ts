// Shared by score plugins: upstream's helper.DefaultNormalizeScore, and toleration matching.
import type { Taint, Toleration } from 'kubernetes-types/core/v1';
import { MaxNodeScore, type NodeScore } from '../types';

/** Scale to 0..max by the highest score (integer division, as upstream); reverse flips it. */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = MaxNodeScore): void {
  let top = 0;
  for (const s of scores) if (s.score > top) top = s.score;
  if (top === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / top);
    if (reverse) v = max - v;
    s.score = v;
  }
}

/** upstream's Toleration.ToleratesTaint */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export const tolerated = (tolerations: Toleration[] | undefined, taint: Taint) => (tolerations ?? []).some((t) => toleratesTaint(t, taint));

export const taintString = (t: Taint) => `{${t.key}: ${t.value ?? ''}}`;
