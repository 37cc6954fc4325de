// apps/v1 Deployment, ReplicaSet, DaemonSet and ControllerRevision: defaults, selector rules, generations, columns.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import { podSpecWarningsOnWrite } from '../../api/pod-warnings';
import type { KubeObject } from '../../api/object';
import { defaultPodSpec } from '../../api/defaults';
import { labelSelectorMatches, selectorIsEmpty } from '../../api/selectors';
import {
  fieldErr,
  nameIsDNSSubdomain,
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatePodTemplate,
} from '../../api/validation';
import {
  ALL_VERBS,
  ageColumn,
  ageOf,
  col,
  formatLabels,
  keepSpec,
  nameColumn,
  templateWideCells,
  templateWideColumns,
  workloadPrepareForCreate,
  workloadPrepareForUpdate,
  type Obj,
} from './common';
import { controllerRevisionSchema, daemonSetSchema, deploymentSchema, replicaSetSchema } from './schemas/workloads';
import type { ResourceStrategy } from './types';

/** Selector present, non-empty, matching the template; template a valid pod that restarts Always. */
export function validateReplicatedTemplate(spec: Obj, kindWord: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.selector) errs.push(fieldErr.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    if (selectorIsEmpty(spec.selector)) errs.push(fieldErr.invalid('spec.selector', spec.selector, `empty selector is invalid for ${kindWord}`));
  }
  const tpl = spec.template as Obj | undefined;
  if (!tpl) {
    errs.push(fieldErr.required('spec.template'));
    return errs;
  }
  if (spec.selector && !selectorIsEmpty(spec.selector) && !labelSelectorMatches(spec.selector, tpl.metadata?.labels)) {
    errs.push(fieldErr.invalid('spec.template.metadata.labels', tpl.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(tpl, 'spec.template'));
  const rp = tpl.spec?.restartPolicy;
  if (rp !== 'Always') errs.push(fieldErr.notSupported('spec.template.spec.restartPolicy', rp ?? '', ['Always']));
  if (tpl.spec?.activeDeadlineSeconds != null) {
    errs.push(
      kindWord === 'daemonset'
        ? fieldErr.invalid('spec.template.spec.activeDeadlineSeconds', tpl.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported')
        : fieldErr.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'),
    );
  }
  return errs;
}

const isPercent = (v: unknown) => typeof v === 'string' && /^[0-9]+%$/.test(v);
const intOrPercentValue = (v: unknown) => (typeof v === 'number' ? v : isPercent(v) ? Number(String(v).slice(0, -1)) : 0);

function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isPercent(v) ? [] : [fieldErr.invalid(path, v, "must be an integer or percentage (e.g '5%')")];
  return validateNonnegative(v, path);
}

function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  return isPercent(v) && intOrPercentValue(v) > 100 ? [fieldErr.invalid(path, v, 'must not be greater than 100%')] : [];
}

function validateDeploymentSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateReplicatedTemplate(spec, 'deployment'));
  const st = (spec.strategy ?? {}) as Obj;
  if (st.type === 'Recreate') {
    if (st.rollingUpdate) errs.push(fieldErr.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate ?? {}) as Obj;
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
    errs.push(...validatePositiveIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(fieldErr.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
  } else {
    errs.push(fieldErr.notSupported('spec.strategy', st.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(fieldErr.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

const templateOf = (obj: KubeObject) => ((obj.spec as Obj | undefined)?.template ?? {}) as Obj;
const workloadVerbs = ALL_VERBS;
const wideColumns = templateWideColumns(
  'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
);
const wideCells = (obj: KubeObject) => templateWideCells(obj.spec as Obj | undefined);

const meta = (obj: KubeObject) => validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
const metaUpdate = (obj: KubeObject, old: KubeObject) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...meta(obj)];
const selectorImmutable = (obj: KubeObject, old: KubeObject) =>
  validateImmutable((obj.spec as Obj | undefined)?.selector, (old.spec as Obj | undefined)?.selector, 'spec.selector');

export const deploymentStrategy: ResourceStrategy = {
  ...R.deployments,
  singular: 'deployment',
  warnings: (obj, old) =>
    podSpecWarningsOnWrite(
      ((obj.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      ((old?.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      'spec.template.spec',
    ),
  shortNames: ['deploy'],
  categories: ['all'],
  verbs: workloadVerbs,
  subresources: ['status', 'scale'],
  schema: deploymentSchema,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as Obj;
    spec.replicas ??= 1;
    spec.strategy ??= {};
    spec.strategy.type ??= 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultPodSpec(spec.template?.spec);
  },
  prepareForCreate: workloadPrepareForCreate,
  prepareForUpdate(obj, old) {
    deploymentStrategy.defaults?.(obj);
    workloadPrepareForUpdate(obj, old);
  },
  prepareForStatusUpdate: keepSpec,
  validate: (obj) => [...meta(obj), ...validateDeploymentSpec((obj.spec ?? {}) as Obj)],
  validateUpdate: (obj, old) => [...metaUpdate(obj, old), ...validateDeploymentSpec((obj.spec ?? {}) as Obj), ...selectorImmutable(obj, old)],
  tableColumns: [
    nameColumn,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn,
    ...wideColumns,
  ],
  tableRow(obj, now) {
    const spec = (obj.spec ?? {}) as Obj;
    const st = (obj.status ?? {}) as Obj;
    return [
      obj.metadata.name,
      `${st.readyReplicas ?? 0}/${spec.replicas ?? 0}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      ageOf(obj, now),
      ...wideCells(obj),
    ];
  },
};

function validateReplicaSetSpec(spec: Obj): FieldError[] {
  return [
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateReplicatedTemplate(spec, 'deployment'),
  ];
}

export const replicaSetStrategy: ResourceStrategy = {
  ...R.replicasets,
  singular: 'replicaset',
  warnings: (obj, old) =>
    podSpecWarningsOnWrite(
      ((obj.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      ((old?.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      'spec.template.spec',
    ),
  shortNames: ['rs'],
  categories: ['all'],
  verbs: workloadVerbs,
  subresources: ['status', 'scale'],
  schema: replicaSetSchema,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as Obj;
    spec.replicas ??= 1;
    defaultPodSpec(spec.template?.spec);
  },
  prepareForCreate: workloadPrepareForCreate,
  prepareForUpdate(obj, old) {
    replicaSetStrategy.defaults?.(obj);
    workloadPrepareForUpdate(obj, old);
  },
  prepareForStatusUpdate: keepSpec,
  validate: (obj) => [...meta(obj), ...validateReplicaSetSpec((obj.spec ?? {}) as Obj)],
  validateUpdate: (obj, old) => [...metaUpdate(obj, old), ...validateReplicaSetSpec((obj.spec ?? {}) as Obj), ...selectorImmutable(obj, old)],
  tableColumns: [
    nameColumn,
    col(
      'Desired',
      'integer',
      'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.',
    ),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    ageColumn,
    ...wideColumns,
  ],
  tableRow(obj, now) {
    const spec = (obj.spec ?? {}) as Obj;
    const st = (obj.status ?? {}) as Obj;
    return [obj.metadata.name, spec.replicas ?? 0, st.replicas ?? 0, st.readyReplicas ?? 0, ageOf(obj, now), ...wideCells(obj)];
  },
  selectableFields: (obj) => ({ 'status.replicas': String((obj.status as Obj | undefined)?.replicas ?? 0) }),
};

function validateDaemonSetSpec(spec: Obj): FieldError[] {
  const errs = [...validateReplicatedTemplate(spec, 'daemonset')];
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const us = (spec.updateStrategy ?? {}) as Obj;
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ?? {}) as Obj;
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
    errs.push(...validatePositiveIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(fieldErr.invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', ru.maxUnavailable ?? 0, 'cannot be 0 when maxSurge is 0'));
    }
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
  } else if (us.type !== 'OnDelete') {
    errs.push(fieldErr.notSupported('spec.updateStrategy.type', us.type ?? '', ['OnDelete', 'RollingUpdate']));
  }
  return errs;
}

export const daemonSetStrategy: ResourceStrategy = {
  ...R.daemonsets,
  singular: 'daemonset',
  warnings: (obj, old) =>
    podSpecWarningsOnWrite(
      ((obj.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      ((old?.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      'spec.template.spec',
    ),
  shortNames: ['ds'],
  categories: ['all'],
  verbs: workloadVerbs,
  subresources: ['status'],
  schema: daemonSetSchema,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as Obj;
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultPodSpec(spec.template?.spec);
  },
  prepareForCreate: workloadPrepareForCreate,
  prepareForUpdate(obj, old) {
    daemonSetStrategy.defaults?.(obj);
    workloadPrepareForUpdate(obj, old);
  },
  prepareForStatusUpdate: keepSpec,
  validate: (obj) => [...meta(obj), ...validateDaemonSetSpec((obj.spec ?? {}) as Obj)],
  validateUpdate: (obj, old) => [...metaUpdate(obj, old), ...validateDaemonSetSpec((obj.spec ?? {}) as Obj), ...selectorImmutable(obj, old)],
  tableColumns: [
    nameColumn,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col(
      'Ready',
      'integer',
      'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
    ),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
    ),
    col(
      'Node Selector',
      'string',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
    ),
    ageColumn,
    ...wideColumns,
  ],
  tableRow(obj, now) {
    const st = (obj.status ?? {}) as Obj;
    return [
      obj.metadata.name,
      st.desiredNumberScheduled ?? 0,
      st.currentNumberScheduled ?? 0,
      st.numberReady ?? 0,
      st.updatedNumberScheduled ?? 0,
      st.numberAvailable ?? 0,
      formatLabels(templateOf(obj).spec?.nodeSelector),
      ageOf(obj, now),
      ...wideCells(obj),
    ];
  },
};

export const controllerRevisionStrategy: ResourceStrategy = {
  ...R.controllerrevisions,
  singular: 'controllerrevision',
  verbs: ALL_VERBS,
  schema: controllerRevisionSchema,
  validate(obj) {
    return [...meta(obj), ...validateNonnegative(obj.revision, 'revision')];
  },
  validateUpdate(obj, old) {
    return [...metaUpdate(obj, old), ...validateImmutable(obj.data, old.data, 'data')];
  },
  tableColumns: [
    nameColumn,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  tableRow(obj, now) {
    const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
    let controller = '<none>';
    if (ref) {
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
      controller = `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
    }
    return [obj.metadata.name, controller, obj.revision ?? 0, ageOf(obj, now)];
  },
};
