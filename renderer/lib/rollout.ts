// A Deployment's rollout as kubectl tells it: `rollout status` (upstream DeploymentStatusViewer) and what changed per revision.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const changeCauseAnnotation = 'kubernetes.io/change-cause';
export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

export type RolloutState =
  | { state: 'observing' }
  | { state: 'deadline' }
  | { state: 'updating'; updated: number; desired: number }
  | { state: 'terminating'; old: number }
  | { state: 'available'; available: number; updated: number }
  | { state: 'done' };

/** The line `kubectl rollout status` prints, as data (the view words it in the user's language). */
export function rolloutStatus(d: Deployment | undefined): RolloutState {
  const s = d?.status ?? {};
  if ((d?.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return { state: 'observing' };
  const progressing = (s.conditions ?? []).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { state: 'deadline' };
  const desired = d?.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < desired) return { state: 'updating', updated, desired };
  if ((s.replicas ?? 0) > updated) return { state: 'terminating', old: (s.replicas ?? 0) - updated };
  if ((s.availableReplicas ?? 0) < updated) return { state: 'available', available: s.availableReplicas ?? 0, updated };
  return { state: 'done' };
}

export const revisionOf = (o: { metadata?: ObjectMeta } | undefined): number => Number(o?.metadata?.annotations?.[revisionAnnotation] ?? 0);

export const imagesOf = (template: PodTemplateSpec | undefined): string[] => (template?.spec?.containers ?? []).map((c) => c.image ?? '');

export type TemplateChange =
  { kind: 'cause'; text: string } | { kind: 'image'; container: string; from?: string; to: string } | { kind: 'restart'; at: string } | { kind: 'other' };

/** What a revision changed against the one before it: its change-cause when set, else the template's differences. */
export function templateChanges(prev: ReplicaSet | undefined, cur: ReplicaSet): TemplateChange[] {
  const cause = cur.metadata?.annotations?.[changeCauseAnnotation];
  if (cause) return [{ kind: 'cause', text: cause }];
  if (!prev) return [];
  const out: TemplateChange[] = [];
  const before = new Map<string, string>((prev.spec?.template?.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']));
  for (const c of cur.spec?.template?.spec?.containers ?? []) {
    if (before.get(c.name) !== (c.image ?? '')) out.push({ kind: 'image', container: c.name, from: before.get(c.name), to: c.image ?? '' });
  }
  const at = cur.spec?.template?.metadata?.annotations?.[restartedAtAnnotation];
  if (at && at !== prev.spec?.template?.metadata?.annotations?.[restartedAtAnnotation]) out.push({ kind: 'restart', at });
  return out.length ? out : [{ kind: 'other' }];
}

/** Annotations `rollout undo` leaves on the Deployment rather than copying from the ReplicaSet (upstream annotationsToSkip). */
const undoSkip = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/**
 * The JSON patch `kubectl rollout undo` sends: the ReplicaSet's template (without pod-template-hash) replaces the
 * Deployment's, and its annotations come along. Refused as kubectl does for a paused Deployment; skipped when it
 * already runs that template.
 */
export function undoPatch(deploy: Deployment, rs: ReplicaSet): { patch: object[] } | { skip: 'paused' | 'current' } {
  if (deploy.spec?.paused) return { skip: 'paused' };
  const template: PodTemplateSpec = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  if (sameJSON(template, deploy.spec?.template ?? {})) return { skip: 'current' };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deploy.metadata?.annotations ?? {})) if (undoSkip.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!undoSkip.has(k)) annotations[k] = v;
  return {
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      // add, not replace: it also works where the Deployment has no annotations yet
      { op: 'add', path: '/metadata/annotations', value: annotations },
    ],
  };
}

function sameJSON(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
