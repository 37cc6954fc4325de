// batch/v1 Job and CronJob: generated selectors, OnFailure/Never templates, the STATUS/COMPLETIONS/DURATION cells.
import { R } from '../../client/types';
import { randomUUID } from 'node:crypto';
import { podSpecWarningsOnWrite } from '../../api/pod-warnings';
import type { FieldError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { defaultPodSpec } from '../../api/defaults';
import { cronScheduleError, timeZoneError } from '../../api/cron-schedule';
import { labelSelectorMatches } from '../../api/selectors';
import { age, humanDuration } from '../../api/pod-status';
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
  keepSpec,
  nameColumn,
  templateWideCells,
  templateWideColumns,
  workloadPrepareForCreate,
  workloadPrepareForUpdate,
  type Obj,
} from './common';
import { cronJobSchema, jobSchema } from './schemas/workloads';
import type { ResourceStrategy } from './types';

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
};

/** generateSelector: the pods of a job carry its name and uid; the selector picks the uid. */
function generateSelector(job: KubeObject): void {
  const spec = (job.spec ??= {}) as Obj;
  if (spec.manualSelector === true) return;
  const md = job.metadata as Obj;
  md.uid ??= randomUUID();
  const tpl = (spec.template ??= {}) as Obj;
  tpl.metadata ??= {};
  const labels = (tpl.metadata.labels ??= {}) as Obj;
  for (const k of [JOB_LABELS.legacyJobName, JOB_LABELS.jobName]) labels[k] ??= md.name;
  for (const k of [JOB_LABELS.legacyControllerUid, JOB_LABELS.controllerUid]) labels[k] ??= md.uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels[JOB_LABELS.controllerUid] ??= md.uid;
}

function defaultJobSpec(spec: Obj): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const r of spec.podFailurePolicy?.rules ?? []) for (const c of r.onPodConditions ?? []) c.status ??= 'True';
  defaultPodSpec(spec.template?.spec);
}

function validateJobSpec(spec: Obj, path: string, isTemplate: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    errs.push(...validateNonnegative(spec[f], `${path}.${f}`));
  }
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode)) {
    errs.push(fieldErr.notSupported(`${path}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
  }
  if (spec.completionMode === 'Indexed' && spec.completions == null) errs.push(fieldErr.required(`${path}.completions`, 'when completion mode is Indexed'));
  if (!isTemplate) {
    if (!spec.selector) errs.push(fieldErr.required(`${path}.selector`));
    else errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  }
  const tpl = spec.template as Obj | undefined;
  if (spec.selector && tpl && !labelSelectorMatches(spec.selector, tpl.metadata?.labels)) {
    errs.push(fieldErr.invalid(`${path}.template.metadata.labels`, tpl.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(tpl, `${path}.template`));
  const rp = tpl?.spec?.restartPolicy;
  if (rp === 'Always' || !rp) errs.push(fieldErr.required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(fieldErr.notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  return errs;
}

const hasCondition = (obj: KubeObject, type: string) =>
  (((obj.status as Obj | undefined)?.conditions ?? []) as Obj[]).some((c) => c.type === type && c.status === 'True');

/** the STATUS cell of `kubectl get jobs` */
export function jobStatus(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

const meta = (obj: KubeObject) => validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);

export const jobStrategy: ResourceStrategy = {
  ...R.jobs,
  singular: 'job',
  warnings: (obj, old) =>
    podSpecWarningsOnWrite(
      ((obj.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      ((old?.spec as Obj | undefined)?.template as Obj | undefined)?.spec,
      'spec.template.spec',
    ),
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: ['status'],
  schema: jobSchema,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as Obj;
    defaultJobSpec(spec);
    const tplLabels = spec.template?.metadata?.labels;
    if (tplLabels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...tplLabels };
  },
  prepareForCreate(obj) {
    workloadPrepareForCreate(obj);
    generateSelector(obj);
  },
  prepareForUpdate(obj, old) {
    jobStrategy.defaults?.(obj);
    workloadPrepareForUpdate(obj, old);
  },
  prepareForStatusUpdate: keepSpec,
  validate: (obj) => [...meta(obj), ...validateJobSpec((obj.spec ?? {}) as Obj, 'spec', false)],
  validateUpdate(obj, old) {
    const spec = (obj.spec ?? {}) as Obj;
    const prev = (old.spec ?? {}) as Obj;
    const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...meta(obj), ...validateJobSpec(spec, 'spec', false)];
    errs.push(...validateImmutable(spec.selector, prev.selector, 'spec.selector'));
    errs.push(...validateImmutable(spec.completionMode, prev.completionMode, 'spec.completionMode'));
    if (spec.completionMode !== 'Indexed') errs.push(...validateImmutable(spec.completions, prev.completions, 'spec.completions'));
    // a suspended job that never started may change its pod template's scheduling directives; otherwise immutable
    if (!(prev.suspend && !(old.status as Obj | undefined)?.startTime)) errs.push(...validateImmutable(spec.template, prev.template, 'spec.template'));
    return errs;
  },
  tableColumns: [
    nameColumn,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The completion status of the job.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn,
    ...templateWideColumns(),
  ],
  tableRow(obj, now) {
    const spec = (obj.spec ?? {}) as Obj;
    const st = (obj.status ?? {}) as Obj;
    const succeeded = st.succeeded ?? 0;
    let completions: string;
    if (spec.completions != null) completions = `${succeeded}/${spec.completions}`;
    else if (spec.parallelism == null || spec.parallelism <= 1) completions = `${succeeded}/1`;
    else completions = `${succeeded}/1 of ${spec.parallelism}`;
    let duration = '';
    if (st.startTime) {
      const end = st.completionTime ? Date.parse(st.completionTime) : now.getTime();
      duration = humanDuration(end - Date.parse(st.startTime));
    }
    return [obj.metadata.name, jobStatus(obj), completions, duration, ageOf(obj, now), ...templateWideCells(spec, '<none>')];
  },
  selectableFields: (obj) => ({ 'status.successful': String((obj.status as Obj | undefined)?.succeeded ?? 0) }),
};

function validateCronJob(obj: KubeObject): FieldError[] {
  const errs = meta(obj);
  if ((obj.metadata.name ?? '').length > 52) errs.push(fieldErr.invalid('metadata.name', obj.metadata.name, 'must be no more than 52 characters'));
  const spec = (obj.spec ?? {}) as Obj;
  if (!spec.schedule) errs.push(fieldErr.required('spec.schedule'));
  else {
    const e = cronScheduleError(String(spec.schedule));
    if (e) errs.push(fieldErr.invalid('spec.schedule', spec.schedule, e));
    if (/^\s*(CRON_)?TZ=/.test(spec.schedule))
      errs.push(fieldErr.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  if (spec.timeZone != null) {
    const e = timeZoneError(String(spec.timeZone));
    if (e) errs.push(fieldErr.invalid('spec.timeZone', spec.timeZone, e));
  }
  const policies = ['Allow', 'Forbid', 'Replace'];
  if (!policies.includes(spec.concurrencyPolicy)) errs.push(fieldErr.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy ?? '', policies));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) errs.push(...validateNonnegative(spec[f], `spec.${f}`));
  errs.push(...validateJobSpec(spec.jobTemplate?.spec ?? {}, 'spec.jobTemplate.spec', true));
  return errs;
}

export const cronJobStrategy: ResourceStrategy = {
  ...R.cronjobs,
  singular: 'cronjob',
  warnings: (obj, old) =>
    podSpecWarningsOnWrite(
      (obj.spec as Obj | undefined)?.jobTemplate?.spec?.template?.spec,
      (old?.spec as Obj | undefined)?.jobTemplate?.spec?.template?.spec,
      'spec.jobTemplate.spec.template.spec',
    ),
  shortNames: ['cj'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: ['status'],
  schema: cronJobSchema,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as Obj;
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    spec.jobTemplate ??= {};
    spec.jobTemplate.spec ??= {};
    defaultJobSpec(spec.jobTemplate.spec);
  },
  prepareForCreate: workloadPrepareForCreate,
  prepareForUpdate(obj, old) {
    cronJobStrategy.defaults?.(obj);
    workloadPrepareForUpdate(obj, old);
  },
  prepareForStatusUpdate: keepSpec,
  validate: validateCronJob,
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateCronJob(obj)],
  tableColumns: [
    nameColumn,
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col(
      'Suspend',
      'boolean',
      'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
    ),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    ...templateWideColumns(),
  ],
  tableRow(obj, now) {
    const spec = (obj.spec ?? {}) as Obj;
    const st = (obj.status ?? {}) as Obj;
    const suspend = spec.suspend == null ? '<unset>' : spec.suspend ? 'True' : 'False';
    const jobSpec = (spec.jobTemplate?.spec ?? {}) as Obj;
    return [
      obj.metadata.name,
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      suspend,
      (st.active ?? []).length,
      st.lastScheduleTime ? age(st.lastScheduleTime, now) : '<none>',
      ageOf(obj, now),
      ...templateWideCells(jobSpec, '<none>'),
    ];
  },
};
