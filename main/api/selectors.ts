// Label selectors (all operators) and field selectors, parsed as upstream's
// k8s.io/apimachinery labels.Parse and fields.ParseSelector, with upstream's error messages. The one
// implementation of selector matching: the API server, controllers, scheduler and renderer all use it.
import type { NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { errors } from './errors';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export type Labels = Record<string, string> | undefined;

const keyRe = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Parse `a=b,c!=d,e in (x,y),f notin (z),g,!h` into requirements; throws 400 BadRequest. */
export function parseLabelSelector(s: string | undefined): LabelRequirement[] {
  const src = (s ?? '').trim();
  if (!src) return [];
  const reqs: LabelRequirement[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw errors.badRequest(`unable to parse requirement: ${why}`);
  };
  const skipWs = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const readToken = () => {
    skipWs();
    const start = i;
    while (i < src.length && !/[\s,()=!<>]/.test(src[i])) i++;
    return src.slice(start, i);
  };
  while (i < src.length) {
    skipWs();
    let negate = false;
    if (src[i] === '!') {
      negate = true;
      i++;
    }
    const key = readToken();
    if (!key) fail(`found '${src[i] ?? ''}', expected: identifier`);
    if (!keyRe.test(key) || key.length > 316) {
      throw errors.badRequest(
        `unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      );
    }
    skipWs();
    if (negate) {
      reqs.push({ key, operator: '!', values: [] });
    } else if (i >= src.length || src[i] === ',') {
      reqs.push({ key, operator: 'exists', values: [] });
    } else if (src.startsWith('==', i) || src.startsWith('!=', i) || src[i] === '=' || src[i] === '>' || src[i] === '<') {
      let op: LabelOperator;
      if (src.startsWith('==', i)) {
        op = '==';
        i += 2;
      } else if (src.startsWith('!=', i)) {
        op = '!=';
        i += 2;
      } else if (src[i] === '=') {
        op = '=';
        i += 1;
      } else if (src[i] === '>') {
        op = 'gt';
        i += 1;
      } else {
        op = 'lt';
        i += 1;
      }
      const value = readToken();
      if (!valueRe.test(value) || value.length > 63) {
        throw errors.badRequest(
          `unable to parse requirement: values[0][${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        );
      }
      if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      reqs.push({ key, operator: op, values: [value] });
    } else {
      const word = readToken();
      if (word !== 'in' && word !== 'notin') fail(`found '${word}', expected: '=', '!=', '==', 'in', notin'`);
      skipWs();
      if (src[i] !== '(') fail(`found '${src[i] ?? ''}', expected: '('`);
      i++;
      const close = src.indexOf(')', i);
      if (close < 0) fail(`found '', expected: ')'`);
      const values = src
        .slice(i, close)
        .split(',')
        .map((v) => v.trim())
        .filter((v, _, a) => v !== '' || a.length === 1);
      i = close + 1;
      reqs.push({ key, operator: word as 'in' | 'notin', values });
    }
    skipWs();
    if (i < src.length) {
      if (src[i] !== ',') fail(`found '${src[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return reqs;
}

function isInt64(s: string | undefined): s is string {
  return s !== undefined && /^[+-]?\d+$/.test(s) && BigInt(s) <= 9223372036854775807n && BigInt(s) >= -9223372036854775808n;
}

/** labels.Requirement.Matches: one operator, key and values against a label set (Gt/Lt compare int64 exactly). */
function requirementMatches(op: LabelOperator, key: string, values: readonly string[], labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key);
  const v = has ? labels![key] : undefined;
  switch (op) {
    case '=':
    case '==':
    case 'in':
      return has && values.includes(v!);
    case '!=':
    case 'notin':
      return !has || !values.includes(v!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt':
      if (!has || values.length !== 1 || !isInt64(v) || !isInt64(values[0])) return false;
      return op === 'gt' ? BigInt(v) > BigInt(values[0]) : BigInt(v) < BigInt(values[0]);
  }
}

export function matchesRequirement(r: LabelRequirement, labels: Labels): boolean {
  return requirementMatches(r.operator, r.key, r.values, labels);
}

export function matchesLabels(reqs: LabelRequirement[], labels: Labels): boolean {
  return reqs.every((r) => matchesRequirement(r, labels));
}

/** metav1.LabelSelectorOperator -> requirement operator (a LabelSelector knows no Gt/Lt). */
const labelSelectorOps: Record<string, LabelOperator | undefined> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
/** v1.NodeSelectorOperator -> requirement operator (nodeaffinity.nodeSelectorRequirementsAsSelector). */
const nodeSelectorOps: Record<string, LabelOperator | undefined> = { ...labelSelectorOps, Gt: 'gt', Lt: 'lt' };

/** A metav1.LabelSelector (matchLabels + matchExpressions) as requirements; an empty selector gives none (matches everything). */
export function fromLabelSelector(sel: LabelSelector | undefined | null): LabelRequirement[] {
  if (!sel) return [];
  const reqs: LabelRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = labelSelectorOps[e.operator];
    if (!op) throw errors.badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  return reqs;
}

/**
 * Does a metav1.LabelSelector select these labels? As upstream's LabelSelectorAsSelector: a nil selector selects
 * nothing, an empty one (`{}`) everything, one with an unknown operator nothing (upstream's conversion error).
 * Callers that need another rule for nil or empty say so by using one of the functions below.
 */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!sel) return false;
  if (sel.matchLabels) for (const k in sel.matchLabels) if (!requirementMatches('=', k, [sel.matchLabels[k]], labels)) return false;
  for (const e of sel.matchExpressions ?? []) {
    const op = labelSelectorOps[e.operator];
    if (!op || !requirementMatches(op, e.key, e.values ?? [], labels)) return false;
  }
  return true;
}

/** A selector with neither matchLabels nor matchExpressions (or none at all). */
export function selectorIsEmpty(sel: LabelSelector | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * Which controllers own a pod by selector (the listers' GetPodReplicaSets, GetPodJobs, GetPodDaemonSets,
 * GetDeploymentsForReplicaSet): "if a controller with a nil or empty selector creeps in, it should match nothing,
 * not everything". Validation refuses such a selector for apps/v1 kinds; this guards what it does not see.
 */
export function controllerSelectorMatches(sel: LabelSelector | undefined | null, labels: Labels): boolean {
  return !selectorIsEmpty(sel) && labelSelectorMatches(sel, labels);
}

/** labels.SelectorFromSet (a pod's spec.nodeSelector): every pair must match; an empty or missing set matches everything. */
export function setSelectorMatches(set: Record<string, string> | undefined | null, labels: Labels): boolean {
  if (set) for (const k in set) if (!requirementMatches('=', k, [set[k]], labels)) return false;
  return true;
}

/**
 * A Service's spec.selector: a Service without one selects no pods (its Endpoints are written by hand, and the
 * endpoints and endpointslice controllers skip it). `selector: {}` counts as none, as upstream, where omitempty
 * stores an empty map as nil.
 */
export function serviceSelectorMatches(sel: Record<string, string> | undefined | null, labels: Labels): boolean {
  return serviceHasSelector(sel) && setSelectorMatches(sel, labels);
}

export function serviceHasSelector(sel: Record<string, string> | undefined | null): sel is Record<string, string> {
  return !!sel && Object.keys(sel).length > 0;
}

/** One v1.NodeSelectorRequirement (In, NotIn, Exists, DoesNotExist, Gt, Lt) against node labels or fields. */
export function nodeSelectorRequirementMatches(values: Labels, r: NodeSelectorRequirement): boolean {
  const op = nodeSelectorOps[r.operator];
  return !!op && requirementMatches(op, r.key, r.values ?? [], values);
}

/**
 * nodeaffinity's term match: all matchExpressions on the node's labels and all matchFields (only `metadata.name`
 * is a field) must match; a term with neither matches nothing.
 */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, labels: Labels, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!nodeSelectorRequirementMatches(labels ?? {}, r)) return false;
  for (const r of fields) if (r.key !== 'metadata.name' || !nodeSelectorRequirementMatches({ 'metadata.name': nodeName }, r)) return false;
  return true;
}

/** A NodeSelector's terms are ORed; no terms match nothing. */
export function nodeSelectorTermsMatch(terms: NodeSelectorTerm[], labels: Labels, nodeName: string): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, labels, nodeName));
}

/** The string form (`app=web,tier in (a,b)`) of a LabelSelector, for `?labelSelector=` and Scale status. */
export function labelSelectorString(sel: LabelSelector | undefined | null): string {
  return requirementsString(fromLabelSelector(sel));
}

/**
 * The `?labelSelector=` string of a workload's spec.selector (a LabelSelector) or of a Service's (a plain map, as
 * labels.SelectorFromSet): what selects its pods; '' for none. A LabelSelector with an unknown operator is a 400.
 */
export function specSelectorString(sel: LabelSelector | Record<string, string> | undefined | null): string {
  if (!sel || typeof sel !== 'object') return '';
  if ('matchLabels' in sel || 'matchExpressions' in sel) return labelSelectorString(sel as LabelSelector);
  return requirementsString(Object.entries(sel as Record<string, string>).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

export function requirementsString(reqs: LabelRequirement[]): string {
  return reqs
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
        default:
          return `${r.key}${r.operator === '==' ? '=' : r.operator}${r.values[0]}`;
      }
    })
    .join(',');
}

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** Parse `metadata.name=x,spec.nodeName!=` (with `\,` escapes, as upstream). Throws 400 on a malformed term. */
export function parseFieldSelector(s: string | undefined): FieldRequirement[] {
  const src = (s ?? '').trim();
  if (!src) return [];
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\\' && i + 1 < src.length) {
      cur += src[i + 1];
      i++;
    } else if (src[i] === ',') {
      terms.push(cur);
      cur = '';
    } else cur += src[i];
  }
  terms.push(cur);
  return terms.map((t) => {
    for (const op of ['!=', '==', '='] as const) {
      const i = t.indexOf(op);
      if (i >= 0) return { field: t.slice(0, i).trim(), operator: op === '!=' ? '!=' : '=', value: t.slice(i + op.length).trim() };
    }
    throw errors.badRequest(`invalid selector: '${src}'; can't understand '${t}'`);
  });
}

export function matchesFields(reqs: FieldRequirement[], fields: Record<string, string>): boolean {
  return reqs.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
}
