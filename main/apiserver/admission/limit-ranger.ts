// LimitRanger: fill in a namespace's default requests and limits, then refuse pods outside min/max,
// with upstream's annotation and messages.
import type { KubeObject } from '../../api/object';
import { addQuantity, compareQuantity, formatQuantity, isQuantity, parseQuantity, toMilli, type Quantity } from '../../api/quantity';
import { R } from '../../client/types';
import { forbidden, isPod } from './forbidden';
import { NamespacedLister } from './lister';
import type { AdmissionAttributes, AdmissionPlugin } from './types';

type Obj = Record<string, any>;
type ResourceList = Record<string, string | number>;

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

const fmt = (q: string | number | Quantity) => formatQuantity(q);

/** Defaults of every Container item, merged the way upstream's defaultContainerResourceRequirements does. */
function containerDefaults(ranges: KubeObject[]): { limits: ResourceList; requests: ResourceList } {
  const limits: ResourceList = {};
  const requests: ResourceList = {};
  for (const lr of ranges) {
    for (const item of ((lr.spec as Obj | undefined)?.limits ?? []) as Obj[]) {
      if (item.type !== 'Container') continue;
      for (const [k, v] of Object.entries((item.default ?? {}) as ResourceList)) limits[k] = v;
      for (const [k, v] of Object.entries((item.defaultRequest ?? {}) as ResourceList)) requests[k] = v;
    }
  }
  return { limits, requests };
}

function mergeContainer(c: Obj, defaults: { limits: ResourceList; requests: ResourceList }, prefix: string, notes: string[]) {
  c.resources ??= {};
  // what pod defaulting would already have done upstream before admission: requests follow explicit limits
  for (const [k, v] of Object.entries((c.resources.limits ?? {}) as ResourceList)) {
    c.resources.requests ??= {};
    if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    c.resources.limits ??= {};
    if (c.resources.limits[k] === undefined) {
      c.resources.limits[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    c.resources.requests ??= {};
    if (c.resources.requests[k] === undefined) {
      c.resources.requests[k] = v;
      setRequests.push(k);
    }
  }
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
}

const cmp = (a: string | number, b: string | number) => compareQuantity(a, b);

function minConstraint(type: string, r: string, enforced: string | number, req: ResourceList, lim: ResourceList): string | undefined {
  if (req[r] === undefined) return `minimum ${r} usage per ${type} is ${fmt(enforced)}.  No request is specified`;
  if (cmp(req[r], enforced) < 0) return `minimum ${r} usage per ${type} is ${fmt(enforced)}, but request is ${fmt(req[r])}`;
  if (lim[r] !== undefined && cmp(lim[r], enforced) < 0) return `minimum ${r} usage per ${type} is ${fmt(enforced)}, but limit is ${fmt(lim[r])}`;
  return undefined;
}

function maxConstraint(type: string, r: string, enforced: string | number, req: ResourceList, lim: ResourceList): string | undefined {
  if (lim[r] === undefined) return `maximum ${r} usage per ${type} is ${fmt(enforced)}. No limit is specified`;
  if (cmp(lim[r], enforced) > 0) return `maximum ${r} usage per ${type} is ${fmt(enforced)}, but limit is ${fmt(lim[r])}`;
  if (req[r] !== undefined && cmp(req[r], enforced) > 0) return `maximum ${r} usage per ${type} is ${fmt(enforced)}, but request is ${fmt(req[r])}`;
  return undefined;
}

function ratioConstraint(type: string, r: string, enforced: string | number, req: ResourceList, lim: ResourceList): string | undefined {
  const reqM = req[r] !== undefined ? toMilli(req[r]) : 0n;
  const limM = lim[r] !== undefined ? toMilli(lim[r]) : 0n;
  if (req[r] === undefined || reqM === 0n)
    return `${r} max limit to request ratio per ${type} is ${fmt(enforced)}, but no request is specified or request is 0`;
  if (lim[r] === undefined || limM === 0n) return `${r} max limit to request ratio per ${type} is ${fmt(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(limM) / Number(reqM);
  if (ratio * 1000 > Number(toMilli(enforced)))
    return `${r} max limit to request ratio per ${type} is ${fmt(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

/** Pod-level requests/limits: the sum over containers, or the largest init container if larger. */
function podTotals(spec: Obj, kind: 'requests' | 'limits'): ResourceList {
  const sum: Record<string, Quantity> = {};
  for (const c of (spec.containers ?? []) as Obj[]) {
    for (const [k, v] of Object.entries((c.resources?.[kind] ?? {}) as ResourceList))
      if (isQuantity(v)) sum[k] = sum[k] ? addQuantity(sum[k], v) : parseQuantity(v);
  }
  for (const c of (spec.initContainers ?? []) as Obj[]) {
    for (const [k, v] of Object.entries((c.resources?.[kind] ?? {}) as ResourceList)) {
      if (isQuantity(v) && (!sum[k] || compareQuantity(v, sum[k]) > 0)) sum[k] = parseQuantity(v);
    }
  }
  return Object.fromEntries(Object.entries(sum).map(([k, q]) => [k, formatQuantity(q)]));
}

export function validatePodLimits(pod: KubeObject, ranges: KubeObject[]): string[] {
  const errs: string[] = [];
  const spec = (pod.spec ?? {}) as Obj;
  const check = (type: string, item: Obj, req: ResourceList, lim: ResourceList) => {
    for (const r of Object.keys(item.min ?? {}).sort()) {
      const e = minConstraint(type, r, item.min[r], req, lim);
      if (e) errs.push(e);
    }
    for (const r of Object.keys(item.max ?? {}).sort()) {
      const e = maxConstraint(type, r, item.max[r], req, lim);
      if (e) errs.push(e);
    }
    for (const r of Object.keys(item.maxLimitRequestRatio ?? {}).sort()) {
      const e = ratioConstraint(type, r, item.maxLimitRequestRatio[r], req, lim);
      if (e) errs.push(e);
    }
  };
  for (const lr of ranges) {
    for (const item of ((lr.spec as Obj | undefined)?.limits ?? []) as Obj[]) {
      if (item.type === 'Container') {
        for (const c of [...((spec.containers ?? []) as Obj[]), ...((spec.initContainers ?? []) as Obj[])]) {
          check('Container', item, c.resources?.requests ?? {}, c.resources?.limits ?? {});
        }
      } else if (item.type === 'Pod') {
        check('Pod', item, podTotals(spec, 'requests'), podTotals(spec, 'limits'));
      }
    }
  }
  return errs;
}

export function limitRanger(): AdmissionPlugin & { lister?: NamespacedLister } {
  let lister: NamespacedLister | undefined;
  const rangesOf = (a: AdmissionAttributes) => (lister ??= new NamespacedLister(a.client, R.limitranges)).list(a.namespace);
  return {
    name: 'LimitRanger',
    get lister() {
      return lister;
    },
    stop() {
      lister?.stop();
    },
    async admit(a: AdmissionAttributes) {
      // containers cannot change after create, so only creates are defaulted and checked
      if (a.operation !== 'CREATE' || !isPod(a) || !a.object) return;
      const ranges = await rangesOf(a);
      if (!ranges.length) return;
      const defaults = containerDefaults(ranges);
      const spec = (a.object.spec ??= {}) as Obj;
      const notes: string[] = [];
      for (const c of (spec.containers ?? []) as Obj[]) mergeContainer(c, defaults, 'container', notes);
      for (const c of (spec.initContainers ?? []) as Obj[]) mergeContainer(c, defaults, 'init container', notes);
      if (notes.length) {
        const md = a.object.metadata as Obj;
        md.annotations = { ...(md.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
        a.note(`set ${notes.join('; ')}`);
      }
    },
    async validate(a: AdmissionAttributes) {
      if (a.operation !== 'CREATE' || !isPod(a) || !a.object) return;
      const ranges = await rangesOf(a);
      const errs = validatePodLimits(a.object, ranges);
      if (errs.length) throw forbidden(a, errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    },
  };
}
