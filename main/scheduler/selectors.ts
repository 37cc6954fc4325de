// The words the scheduler uses to explain a selector mismatch; the matching itself is main/api/selectors.ts.
import type { NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1';
import type { LabelSelectorRequirement } from 'kubernetes-types/meta/v1';

export type Labels = Record<string, string>;

export function describeRequirement(r: NodeSelectorRequirement | LabelSelectorRequirement): string {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return vals.length === 1 ? `${r.key}=${vals[0]}` : `${r.key} in (${vals.join(', ')})`;
    case 'NotIn':
      return vals.length === 1 ? `${r.key}!=${vals[0]}` : `${r.key} notin (${vals.join(', ')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Gt':
      return `${r.key}>${vals[0] ?? ''}`;
    case 'Lt':
      return `${r.key}<${vals[0] ?? ''}`;
    default:
      return `${r.key} ${r.operator}`;
  }
}

export function describeTerm(term: NodeSelectorTerm): string {
  return [...(term.matchExpressions ?? []), ...(term.matchFields ?? [])].map(describeRequirement).join(', ');
}
