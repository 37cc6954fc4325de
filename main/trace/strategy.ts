// The `podtraces` resource (lab.kubelab.io/v1, kind PodTrace): readable and watchable by anyone who may
// read pods, written only by the trace recorder.
import { R } from '../client/types';
import { errors, type FieldError } from '../api/errors';
import type { KubeObject } from '../api/object';
import type { ResourceStrategy, StrategyContext } from '../apiserver/registry/types';
import { TRACER_USER, type PodTrace } from './recorder';

const step = {
  type: 'object',
  description: 'One thing a component did for the pod.',
  required: ['component', 'action', 'start', 'outcome', 'message'],
  properties: {
    component: { type: 'string', description: 'client, apiserver, store, controller-manager, scheduler, kubelet, runtime or proxy.' },
    action: { type: 'string', description: 'What was done: authenticate, admit:LimitRanger, filter, bind, create-sandbox, pull-image, ...' },
    start: { type: 'string', format: 'date-time', description: 'When it started (RFC 3339, milliseconds).' },
    end: { type: 'string', format: 'date-time', description: 'When it ended, if it took time.' },
    outcome: { type: 'string', description: 'success, failure, skipped, pending or info.' },
    message: { type: 'string', description: 'What happened, in words.' },
    details: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      description: 'Component-specific data: the scheduler table, pull layers, container ids.',
    },
  },
};

function readOnly(ctx: StrategyContext): FieldError[] {
  if (ctx.user.username === TRACER_USER) return [];
  throw errors.methodNotAllowed('podtraces are written by kubelab itself and are read-only');
}

function lastStep(obj: KubeObject): string {
  const steps = (obj as PodTrace).steps ?? [];
  const last = steps[steps.length - 1];
  return last ? `${last.component}/${last.action}` : '<none>';
}

function durationOf(obj: KubeObject): string {
  const steps = (obj as PodTrace).steps ?? [];
  if (steps.length === 0) return '<none>';
  const first = Date.parse(steps[0].start);
  const last = Math.max(...steps.map((s) => Date.parse(s.end ?? s.start)));
  const ms = last - first;
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export const podTraceStrategy: ResourceStrategy = {
  ...R.podtraces,
  singular: 'podtrace',
  shortNames: ['pt'],
  categories: ['lab'],
  verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
  schema: {
    type: 'object',
    description: "A pod's creation flow: what each component did for it, when and why.",
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      steps: { type: 'array', items: step, description: 'Ordered steps, oldest first.' },
      droppedSteps: { type: 'integer', description: 'Steps dropped to keep the trace bounded.' },
    },
  },
  validate: (_obj, ctx) => readOnly(ctx),
  validateUpdate: (_obj, _old, ctx) => readOnly(ctx),
  tableColumns: [
    { name: 'Name', type: 'string', format: 'name', priority: 0 },
    { name: 'Steps', type: 'integer', priority: 0 },
    { name: 'Last Step', type: 'string', priority: 0 },
    { name: 'Duration', type: 'string', priority: 0 },
    { name: 'Age', type: 'date', priority: 0 },
  ],
  tableRow: (obj) => [obj.metadata.name, ((obj as PodTrace).steps ?? []).length, lastStep(obj), durationOf(obj), obj.metadata.creationTimestamp],
};
