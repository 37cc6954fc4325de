// Label selectors (all operators) and field selectors, parsed as upstream's
// k8s.io/apimachinery labels.Parse and fields.ParseSelector, with upstream's error messages.
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
      throw errors.badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
    }
    skipWs();
    if (negate) {
      reqs.push({ key, operator: '!', values: [] });
    } else if (i >= src.length || src[i] === ',') {
      reqs.push({ key, operator: 'exists', values: [] });
    } else if (src.startsWith('==', i) || src.startsWith('!=', i) || src[i] === '=' || src[i] === '>' || src[i] === '<') {
      let op: LabelOperator;
      if (src.startsWith('==', i)) { op = '=='; i += 2; }
      else if (src.startsWith('!=', i)) { op = '!='; i += 2; }
      else if (src[i] === '=') { op = '='; i += 1; }
      else if (src[i] === '>') { op = 'gt'; i += 1; }
      else { op = 'lt'; i += 1; }
      const value = readToken();
      if (!valueRe.test(value) || value.length > 63) {
        throw errors.badRequest(`unable to parse requirement: values[0][${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
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
      const values = src.slice(i, close).split(',').map((v) => v.trim()).filter((v, _, a) => v !== '' || a.length === 1);
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

export function matchesRequirement(r: LabelRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
      return has && /^-?\d+$/.test(v!) && Number(v) > Number(r.values[0]);
    case 'lt':
      return has && /^-?\d+$/.test(v!) && Number(v) < Number(r.values[0]);
  }
}

export function matchesLabels(reqs: LabelRequirement[], labels: Labels): boolean {
  return reqs.every((r) => matchesRequirement(r, labels));
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as requirements; an empty selector matches everything. */
export function fromLabelSelector(sel: LabelSelector | undefined | null): LabelRequirement[] {
  if (!sel) return [];
  const reqs: LabelRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
    if (!op) throw errors.badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  return reqs;
}

/** Does a metav1.LabelSelector select these labels? A null selector selects nothing, as upstream. */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!sel) return false;
  return matchesLabels(fromLabelSelector(sel), labels);
}

/** The string form (`app=web,tier in (a,b)`) of a LabelSelector, for `?labelSelector=` and Scale status. */
export function labelSelectorString(sel: LabelSelector | undefined | null): string {
  return requirementsString(fromLabelSelector(sel));
}

export function requirementsString(reqs: LabelRequirement[]): string {
  return reqs
    .map((r) => {
      switch (r.operator) {
        case 'exists': return r.key;
        case '!': return `!${r.key}`;
        case 'in':
        case 'notin': return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
        case 'gt': return `${r.key}>${r.values[0]}`;
        case 'lt': return `${r.key}<${r.values[0]}`;
        default: return `${r.key}${r.operator === '==' ? '=' : r.operator}${r.values[0]}`;
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
    if (src[i] === '\\' && i + 1 < src.length) { cur += src[i + 1]; i++; }
    else if (src[i] === ',') { terms.push(cur); cur = ''; }
    else cur += src[i];
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
