// v1 Pod: defaults, the status it starts with, what an update may change, and the columns of `kubectl get pods`.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import { defaultPodSpec, podQOSClass } from '../../api/defaults';
import { podStatusCells, podWideCells } from '../../api/pod-status';
import { podSpecWarningsOnWrite } from '../../api/pod-warnings';
import { deepEqual, diffPaths, fieldErr, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, validatePodSpec } from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, keepSpec, keepStatus, nameColumn, str, type Obj } from './common';
import { podSchema } from './schemas/pod';
import type { ResourceStrategy } from './types';

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate: copy the fields an update may change into the old spec, then the rest must be equal. */
export function validatePodSpecUpdate(spec: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const munged: Obj = structuredClone(spec);
  for (const key of ['containers', 'initContainers'] as const) {
    const olds: Obj[] = old[key] ?? [];
    (munged[key] ?? []).forEach((c: Obj, i: number) => {
      if (olds[i]) c.image = olds[i].image;
    });
  }
  const newAds = spec.activeDeadlineSeconds;
  const oldAds = old.activeDeadlineSeconds;
  if (newAds != null && (oldAds == null || (newAds > 0 && newAds <= oldAds))) munged.activeDeadlineSeconds = oldAds;
  const newTols: Obj[] = spec.tolerations ?? [];
  const oldTols: Obj[] = old.tolerations ?? [];
  if (oldTols.every((t) => newTols.some((n) => deepEqual(n, t)))) munged.tolerations = old.tolerations;
  // pods stored before priority defaulting existed may gain it on update
  if (old.preemptionPolicy === undefined) delete munged.preemptionPolicy;
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  if (!deepEqual(munged, old)) {
    const diff = diffPaths(old, munged)
      .map((l) => `  spec.${l}`)
      .join('\n');
    errs.push(fieldErr.forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${diff}`));
  }
  if (newAds != null && oldAds != null && newAds > oldAds) {
    errs.push(fieldErr.invalid('spec.activeDeadlineSeconds', newAds, 'must be less than or equal to previous value'));
  }
  return errs;
}

export const podStrategy: ResourceStrategy = {
  ...R.pods,
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: ['status', 'binding', 'log', 'exec', 'attach', 'portforward', 'eviction', 'ephemeralcontainers'],
  schema: podSchema,

  defaults(obj) {
    defaultPodSpec(obj.spec as Obj);
    // what upstream's Priority admission gives a pod without a priority class
    const spec = obj.spec as Obj | undefined;
    if (spec && !spec.priorityClassName) {
      spec.priority ??= 0;
      spec.preemptionPolicy ??= 'PreemptLowerPriority';
    }
    // QoS is decided once, at create, after admission (LimitRanger) has filled in resources
    const status = obj.status as Obj | undefined;
    if (status && !status.qosClass) status.qosClass = podQOSClass(obj.spec as Obj);
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  prepareForUpdate(obj, old) {
    keepStatus(obj, old);
  },
  prepareForStatusUpdate(obj, old) {
    keepSpec(obj, old);
    // old kubelets corrupt ownerReferences through status writes; upstream never lets them
    obj.metadata.ownerReferences = old.metadata.ownerReferences;
    if (obj.metadata.ownerReferences === undefined) delete obj.metadata.ownerReferences;
  },
  validate(obj) {
    return [...validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain), ...validatePodSpec(obj.spec as Obj)];
  },
  validateUpdate(obj, old) {
    return [
      ...validateObjectMetaUpdate(obj.metadata, old.metadata),
      ...validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain),
      ...validatePodSpec(obj.spec as Obj),
      ...validatePodSpecUpdate((obj.spec ?? {}) as Obj, (old.spec ?? {}) as Obj),
    ];
  },

  warnings: (obj, old) => podSpecWarningsOnWrite(obj.spec as Obj, old?.spec as Obj | undefined, 'spec'),

  tableColumns: [
    nameColumn,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    col('IP', 'string', 'The IP address assigned to the pod', 1),
    col('Node', 'string', 'The name of the node where the pod is running', 1),
    col('Nominated Node', 'string', 'The name of the node where the pod is nominated', 1),
    col('Readiness Gates', 'string', 'The readiness gates for the pod', 1),
  ],
  tableRow(obj, now) {
    const s = podStatusCells(obj as Obj, now);
    return [obj.metadata.name, s.ready, s.status, s.restarts, ageOf(obj, now), ...podWideCells(obj as Obj)];
  },

  selectableFields(obj) {
    const spec = (obj.spec ?? {}) as Obj;
    const status = (obj.status ?? {}) as Obj;
    return {
      'spec.nodeName': str(spec.nodeName),
      'spec.restartPolicy': str(spec.restartPolicy),
      'spec.schedulerName': str(spec.schedulerName),
      'spec.serviceAccountName': str(spec.serviceAccountName),
      'spec.hostNetwork': String(!!spec.hostNetwork),
      'status.phase': str(status.phase),
      'status.podIP': str(status.podIP),
      'status.nominatedNodeName': str(status.nominatedNodeName),
    };
  },

  gracefulDelete(obj, requestedGrace) {
    const spec = (obj.spec ?? {}) as Obj;
    const phase = (obj.status as Obj | undefined)?.phase;
    // unscheduled or finished pods have nothing to stop: delete at once, as upstream
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    let grace = requestedGrace ?? spec.terminationGracePeriodSeconds ?? 30;
    if (grace < 0) grace = 1;
    return grace;
  },
};
