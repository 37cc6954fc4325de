// Label and node selector matching as upstream's labels.Selector and nodeaffinity helpers,
// plus the words the lab uses to explain a mismatch.
import type { NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1';
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1';

export type Labels = Record<string, string>;

function matchRequirement(labels: Labels, r: LabelSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(labels[r.key]);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(labels[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/** metav1.LabelSelector: nil matches nothing, {} matches everything (upstream's LabelSelectorAsSelector). */
export function matchesLabelSelector(sel: LabelSelector | null | undefined, labels: Labels | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) if (!matchRequirement(l, r)) return false;
  return true;
}

function parseInt64(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  return Number(s);
}

/** One NodeSelectorRequirement against labels (matchExpressions) or fields (matchFields: metadata.name). */
export function matchNodeRequirement(values: Labels, r: NodeSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, r.key);
  const v = values[r.key];
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(v);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || (r.values ?? []).length !== 1) return false;
      const a = parseInt64(v);
      const b = parseInt64(r.values![0]);
      if (a === undefined || b === undefined) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields match; an empty term matches nothing. */
export function matchNodeSelectorTerm(term: NodeSelectorTerm, labels: Labels, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!matchNodeRequirement(labels, r)) return false;
  for (const r of fields) if (r.key !== 'metadata.name' || !matchNodeRequirement({ 'metadata.name': nodeName }, r)) return false;
  return true;
}

/** Terms are ORed. */
export function matchNodeSelectorTerms(terms: NodeSelectorTerm[], labels: Labels, nodeName: string): boolean {
  return terms.some((t) => matchNodeSelectorTerm(t, labels, nodeName));
}

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
