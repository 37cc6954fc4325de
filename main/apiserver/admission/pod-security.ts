// PodSecurity: upstream's Pod Security admission. Each namespace's labels (pod-security.kubernetes.io/enforce,
// audit, warn, each with an optional -version) choose a level; pods that violate the enforce level are refused
// with upstream's message, the warn level comes back as `Warning:` lines in kubectl, and workload templates
// (Deployments, Jobs, ...) are checked for warn and audit only, as upstream. The lab has no audit log: an audit
// violation goes to the server's log and, for a pod, to its flow view.
// The lab's own default: a namespace created without an enforce label gets `enforce: baseline` written on it,
// so users see the level and change it with `kubectl label`.
import type { Namespace, Pod, PodSpec } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { StatusError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { R } from '../../client/types';
import { logger } from '../../log';
import { forbidden } from './forbidden';
import { requestNamespace } from './namespace-object';
import {
  aggregate,
  compareLevels,
  DEFAULT_POLICY,
  evaluatePod,
  forbiddenDetail,
  forbiddenReason,
  LABEL_PREFIX,
  levelVersionString,
  policyFromLabels,
  sameLevelVersion,
  versionString,
  type Aggregate,
  type LabelError,
  type LevelVersion,
  type Policy,
} from './pod-security-policy';
import type { AdmissionAttributes, AdmissionPlugin } from './types';

const log = logger('apiserver');

export const ENFORCE_LABEL = `${LABEL_PREFIX}enforce`;

export { DEFAULT_POLICY } from './pod-security-policy';

/** The label a namespace created without one is given. */
export const DEFAULT_ENFORCE_LEVEL = 'baseline';

/** Pod subresources that cannot change what runs (upstream's ignoredPodSubresources). */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** Upstream's namespaceMaxPodsToCheck: how many existing pods a tightened enforce level is tried on. */
const MAX_PODS_TO_CHECK = 3000;

type Obj = Record<string, unknown>;

/** The pod template of a workload (upstream's DefaultPodSpecExtractor), or undefined for other resources. */
export function podTemplateOf(a: Pick<AdmissionAttributes, 'group' | 'resource'>, obj: KubeObject): { meta?: ObjectMeta; spec?: PodSpec } | undefined {
  const spec = obj.spec as Obj | undefined;
  const tpl = (t: unknown) => ({ meta: (t as Obj | undefined)?.metadata as ObjectMeta | undefined, spec: (t as Obj | undefined)?.spec as PodSpec | undefined });
  const key = `${a.group}/${a.resource}`;
  switch (key) {
    case '/replicationcontrollers':
    case 'apps/replicasets':
    case 'apps/deployments':
    case 'apps/statefulsets':
    case 'apps/daemonsets':
    case 'batch/jobs':
      return tpl(spec?.template);
    case 'batch/cronjobs':
      return tpl(((spec?.jobTemplate as Obj | undefined)?.spec as Obj | undefined)?.template);
    case '/podtemplates':
      return tpl((obj as Obj).template);
    default:
      return undefined;
  }
}

function invalidLabels(a: AdmissionAttributes, errs: LabelError[]): StatusError {
  const parts = errs.map((e) => `${e.field}: Invalid value: ${JSON.stringify(e.value)}: ${e.message}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${a.resource} ${JSON.stringify(a.name)} is invalid: ${list}`, {
    name: a.name,
    kind: a.resource,
    causes: errs.map((e) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(e.value)}: ${e.message}`, field: e.field })),
  });
}

/** upstream's isSignificantPodUpdate: only a change of what runs is evaluated again. */
function significantPodUpdate(pod: Pod, old: Pod): boolean {
  const seccompKey = 'seccomp.security.alpha.kubernetes.io/pod';
  if (pod.metadata?.annotations?.[seccompKey] !== old.metadata?.annotations?.[seccompKey]) return true;
  const c = pod.spec?.containers ?? [];
  const oc = old.spec?.containers ?? [];
  const i = pod.spec?.initContainers ?? [];
  const oi = old.spec?.initContainers ?? [];
  if (c.length !== oc.length || i.length !== oi.length) return true;
  const annotation = (p: Pod, name: string) => p.metadata?.annotations?.[`container.seccomp.security.alpha.kubernetes.io/${name}`];
  const changed = (x: { name: string; image?: string }, y: { image?: string } | undefined) =>
    !y || x.image !== y.image || annotation(pod, x.name) !== annotation(old, x.name);
  if (c.some((x, n) => changed(x, oc[n])) || i.some((x, n) => changed(x, oi[n]))) return true;
  const oe = old.spec?.ephemeralContainers ?? [];
  return (pod.spec?.ephemeralContainers ?? []).some((e) =>
    changed(
      e,
      oe.find((o) => o.name === e.name),
    ),
  );
}

export function podSecurity(defaults: Policy = DEFAULT_POLICY): AdmissionPlugin {
  const namespacePolicy = async (a: AdmissionAttributes): Promise<{ policy: Policy; errors: LabelError[] } | undefined> => {
    const ns = (await requestNamespace(a)) as (Namespace & KubeObject) | undefined;
    return ns ? policyFromLabels(ns.metadata?.labels, defaults) : undefined;
  };

  const results = (lv: LevelVersion, meta: ObjectMeta | undefined, spec: PodSpec, cache: Array<[LevelVersion, Aggregate]>): Aggregate => {
    const hit = cache.find(([k]) => sameLevelVersion(k, lv));
    if (hit) return hit[1];
    const r = aggregate(evaluatePod(lv, meta, spec));
    cache.push([lv, r]);
    return r;
  };

  /** upstream's EvaluatePod: enforce (pods only), then audit, then warn unless refused */
  const evaluate = (a: AdmissionAttributes, policy: Policy, labelErrors: LabelError[], meta: ObjectMeta | undefined, spec: PodSpec, enforce: boolean) => {
    const cache: Array<[LevelVersion, Aggregate]> = [];
    if (labelErrors.length)
      log.warn('PodSecurity: failed to parse the namespace labels', {
        namespace: a.namespace,
        errors: labelErrors.map((e) => `${e.field}: ${e.message}`).join('; '),
      });
    if (enforce) {
      const r = results(policy.enforce, meta, spec, cache);
      if (!r.allowed) throw forbidden(a, `violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${forbiddenDetail(r)}`);
    }
    const audit = results(policy.audit, meta, spec, cache);
    if (!audit.allowed) {
      const msg = `would violate PodSecurity ${JSON.stringify(levelVersionString(policy.audit))}: ${forbiddenDetail(audit)}`;
      // pod-security.kubernetes.io/audit-violations, had the lab an audit log
      log.info('PodSecurity audit', {
        resource: a.resource,
        namespace: a.namespace,
        name: a.name,
        user: a.user.username,
        'pod-security.kubernetes.io/audit-violations': msg,
      });
      a.note(`audit: ${msg}`);
    }
    const warn = results(policy.warn, meta, spec, cache);
    if (!warn.allowed) a.warn(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${forbiddenDetail(warn)}`);
  };

  /** upstream's EvaluatePodsInNamespace: what a tightened enforce level would refuse among the running pods */
  const existingPods = async (a: AdmissionAttributes, namespace: string, enforce: LevelVersion): Promise<string[]> => {
    let pods: Pod[];
    try {
      pods = (await a.client.list<Pod & KubeObject>(R.pods, { namespace })).items;
    } catch {
      return ['failed to list pods while checking new PodSecurity enforce level'];
    }
    pods.sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
    const warnings: string[] = [];
    const total = pods.length;
    const checked = pods.slice(0, MAX_PODS_TO_CHECK);
    const byWarning = new Map<string, { first: string; count: number }>();
    for (const p of checked) {
      const r = aggregate(evaluatePod(enforce, p.metadata, p.spec ?? { containers: [] }));
      if (r.allowed) continue;
      const w = forbiddenReason(r);
      const seen = byWarning.get(w);
      if (!seen) byWarning.set(w, { first: p.metadata?.name ?? '', count: 1 });
      else seen.count++;
    }
    if (checked.length < total) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${total} existing pods`);
    if (byWarning.size)
      warnings.push(
        `existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`,
      );
    const decorated = [...byWarning].map(([w, c]) => {
      if (c.count === 1) return `${c.first}: ${w}`;
      if (c.count === 2) return `${c.first} (and 1 other pod): ${w}`;
      return `${c.first} (and ${c.count - 1} other pods): ${w}`;
    });
    return [...warnings, ...decorated.sort()];
  };

  const validateNamespace = async (a: AdmissionAttributes) => {
    if (a.subresource) return;
    const ns = a.object as Namespace | undefined;
    if (!ns) return;
    const next = policyFromLabels(ns.metadata?.labels, defaults);
    if (a.operation === 'CREATE') {
      if (next.errors.length) throw invalidLabels(a, next.errors);
      return;
    }
    if (a.operation !== 'UPDATE') return;
    const old = policyFromLabels((a.oldObject as Namespace | undefined)?.metadata?.labels, defaults);
    if (next.errors.length && (!old.errors.length || JSON.stringify(next.errors) !== JSON.stringify(old.errors))) throw invalidLabels(a, next.errors);
    const e = next.policy.enforce;
    const o = old.policy.enforce;
    if (sameLevelVersion(e, o) || e.level === 'privileged') return;
    if (versionString(e.version) === versionString(o.version) && compareLevels(e.level, o.level) < 1) return;
    for (const w of await existingPods(a, ns.metadata?.name ?? a.name, e)) a.warn(w);
  };

  return {
    name: 'PodSecurity',
    async admit(a) {
      // the lab's default level, written where users see it
      if (a.operation !== 'CREATE' || a.group !== '' || a.resource !== 'namespaces' || a.subresource || !a.object) return;
      const md = a.object.metadata;
      if (md.labels?.[ENFORCE_LABEL] !== undefined) return;
      (md as { labels?: Record<string, string> }).labels = { ...(md.labels ?? {}), [ENFORCE_LABEL]: DEFAULT_ENFORCE_LEVEL };
      a.note(`set label ${ENFORCE_LABEL}=${DEFAULT_ENFORCE_LEVEL}`);
    },
    async validate(a) {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      if (a.group === '' && a.resource === 'namespaces') return validateNamespace(a);
      if (!a.namespace || !a.object) return;
      const isPod = a.group === '' && a.resource === 'pods';
      if (isPod && IGNORED_POD_SUBRESOURCES.has(a.subresource)) return;
      let meta: ObjectMeta | undefined;
      let spec: PodSpec | undefined;
      if (isPod) {
        if (a.operation === 'UPDATE' && a.oldObject && !significantPodUpdate(a.object as Pod, a.oldObject as Pod)) return;
        meta = a.object.metadata as ObjectMeta;
        spec = a.object.spec as PodSpec | undefined;
      } else {
        if (a.subresource) return;
        const t = podTemplateOf(a, a.object);
        if (!t) return;
        meta = t.meta;
        spec = t.spec;
      }
      if (!spec) return;
      const ns = await namespacePolicy(a);
      if (!ns) return;
      const { policy, errors } = ns;
      if (!errors.length && policy.warn.level === 'privileged' && policy.audit.level === 'privileged' && (!isPod || policy.enforce.level === 'privileged'))
        return;
      evaluate(a, policy, errors, meta, spec, isPod);
    },
  };
}
