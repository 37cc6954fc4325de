// v1 Event: what components report about objects; `kubectl get events` and `describe` read them by involvedObject.
import { R } from '../../client/types';
import type { FieldError } from '../../api/errors';
import { age } from '../../api/pod-status';
import { fieldErr, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation';
import { ALL_VERBS, col, str, type Obj } from './common';
import { eventSchema } from './schemas/core';
import type { ResourceStrategy } from './types';

function validateEvent(ev: Obj): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain);
  const io = ev.involvedObject ?? {};
  if (io.namespace && ev.metadata?.namespace && io.namespace !== ev.metadata.namespace) {
    errs.push(fieldErr.invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
  }
  if (ev.type && !['Normal', 'Warning'].includes(ev.type) && ev.reportingController) {
    errs.push(fieldErr.invalid('type', ev.type, `has invalid value: ${ev.type}`));
  }
  return errs;
}

const lastSeen = (ev: Obj, now: Date) => (ev.lastTimestamp ? age(ev.lastTimestamp, now) : age(ev.series?.lastObservedTime ?? ev.eventTime, now));
const firstSeen = (ev: Obj, now: Date) => (ev.firstTimestamp ? age(ev.firstTimestamp, now) : age(ev.eventTime, now));
const source = (ev: Obj) => {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
};

export const eventStrategy: ResourceStrategy = {
  ...R.events,
  singular: 'event',
  shortNames: ['ev'],
  verbs: ALL_VERBS,
  schema: eventSchema,
  validate: (obj) => validateEvent(obj as Obj),
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateEvent(obj as Obj)],
  // as upstream's printer: no leading Name column; the server prints every column (wide ones too)
  tableColumns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'string', 'The object that this event is about.'),
    col(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
      1,
    ),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    { ...col('Name', 'string', 'Name must be unique within a namespace.', 1, 'name') },
  ],
  tableRow(obj, now) {
    const ev = obj as Obj;
    const io = ev.involvedObject ?? {};
    const target = io.name ? `${String(io.kind ?? '').toLowerCase()}/${io.name}` : String(io.kind ?? '').toLowerCase();
    return [
      lastSeen(ev, now),
      str(ev.type),
      str(ev.reason),
      target,
      str(io.fieldPath),
      source(ev),
      String(ev.message ?? '').trim(),
      firstSeen(ev, now),
      ev.count ?? 0,
      obj.metadata.name,
    ];
  },
  selectableFields(obj) {
    const ev = obj as Obj;
    const io = ev.involvedObject ?? {};
    return {
      'involvedObject.kind': str(io.kind),
      'involvedObject.namespace': str(io.namespace),
      'involvedObject.name': str(io.name),
      'involvedObject.uid': str(io.uid),
      'involvedObject.apiVersion': str(io.apiVersion),
      'involvedObject.resourceVersion': str(io.resourceVersion),
      'involvedObject.fieldPath': str(io.fieldPath),
      reason: str(ev.reason),
      reportingComponent: str(ev.reportingComponent),
      source: str(ev.source?.component || ev.reportingComponent),
      type: str(ev.type),
    };
  },
};
