// OpenAPI v3, generated from the strategies' schemas: what `kubectl explain` reads, and where
// kubectl looks for `fieldValidation` on PATCH to decide to validate on the server.
import { createHash } from 'node:crypto';
import type { ResourceStrategy, Schema } from './registry/types';
import { sharedComponents } from './registry/index';
import type { ResourceRegistry } from './resources';

/** `api/v1`, `apis/apps/v1` */
export const openapiPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

/** upstream-like definition names: io.k8s.api.core.v1.Pod, io.k8s.api.apps.v1.Deployment */
export function definitionName(s: ResourceStrategy): string {
  if (s.group.endsWith('.kubelab.io')) return `io.kubelab.${s.group.split('.')[0]}.${s.version}.${s.kind}`;
  const g = s.group === '' ? 'core' : s.group.replace(/\.k8s\.io$/, '').replace(/\./g, '');
  return `io.k8s.api.${g}.${s.version}.${s.kind}`;
}

const param = (name: string, description: string, schema: Schema = { type: 'string' }) => ({ name, in: 'query', description, schema, uniqueItems: true });
const common = {
  dryRun: param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  fieldManager: param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: param(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.',
  ),
  force: param('force', 'Force is going to "force" Apply requests.', { type: 'boolean' }),
  labelSelector: param('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: param('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  watch: param('watch', 'Watch for changes to the described resources.', { type: 'boolean' }),
  resourceVersion: param('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  limit: param('limit', 'limit is a maximum number of responses to return for a list call.', { type: 'integer' }),
  continue: param('continue', 'The continue option should be set when retrieving more results from the server.'),
  gracePeriodSeconds: param('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', { type: 'integer' }),
  propagationPolicy: param('propagationPolicy', 'Whether and how garbage collection will be performed.'),
};

const json = (ref: string) => ({ 'application/json': { schema: { $ref: ref } } });

export function groupVersionDocument(reg: ResourceRegistry, group: string, version: string) {
  // leaf types the strategies' schemas reference by name (IntOrString, Quantity)
  const schemas: Record<string, Schema> = { ...sharedComponents };
  const paths: Record<string, unknown> = {};
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  for (const { strategy: s } of reg.inGroupVersion(group, version)) {
    const def = definitionName(s);
    const gvk = { group: s.group, version: s.version, kind: s.kind };
    schemas[def] = { ...(s.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), 'x-kubernetes-group-version-kind': [gvk] };
    schemas[`${def}List`] = {
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        items: { type: 'array', items: { $ref: `#/components/schemas/${def}` } },
        metadata: { type: 'object' },
      },
      'x-kubernetes-group-version-kind': [{ ...gvk, kind: `${s.kind}List` }],
    };
    const ref = `#/components/schemas/${def}`;
    const base = s.namespaced ? `${prefix}/namespaces/{namespace}/${s.resource}` : `${prefix}/${s.resource}`;
    const nsParam = s.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : [];
    const op = (action: string, description: string, parameters: unknown[], extra: Record<string, unknown> = {}) => ({
      description,
      operationId: `${action}${s.kind}`,
      parameters,
      responses: { '200': { description: 'OK', content: json(ref) } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      ...extra,
    });
    if (s.verbs.includes('list') || s.verbs.includes('create')) {
      paths[base] = {
        parameters: nsParam,
        ...(s.verbs.includes('list')
          ? {
              get: op(
                'list',
                `list or watch objects of kind ${s.kind}`,
                [common.labelSelector, common.fieldSelector, common.limit, common.continue, common.resourceVersion, common.watch],
                { responses: { '200': { description: 'OK', content: json(`#/components/schemas/${def}List`) } } },
              ),
            }
          : {}),
        ...(s.verbs.includes('create')
          ? {
              post: op('post', `create a ${s.kind}`, [common.dryRun, common.fieldManager, common.fieldValidation], {
                requestBody: { content: json(ref), required: true },
              }),
            }
          : {}),
      };
    }
    if (s.verbs.includes('get') || s.verbs.includes('patch')) {
      const patchOp = op('patch', `partially update the specified ${s.kind}`, [common.dryRun, common.fieldManager, common.fieldValidation, common.force], {
        requestBody: {
          content: {
            'application/apply-patch+yaml': { schema: { type: 'object' } },
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
            'application/strategic-merge-patch+json': { schema: { type: 'object' } },
          },
          required: true,
        },
      });
      paths[`${base}/{name}`] = {
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }, ...nsParam],
        ...(s.verbs.includes('get') ? { get: op('get', `read the specified ${s.kind}`, []) } : {}),
        ...(s.verbs.includes('update')
          ? {
              put: op('put', `replace the specified ${s.kind}`, [common.dryRun, common.fieldManager, common.fieldValidation], {
                requestBody: { content: json(ref), required: true },
              }),
            }
          : {}),
        ...(s.verbs.includes('patch') ? { patch: patchOp } : {}),
        ...(s.verbs.includes('delete')
          ? { delete: op('delete', `delete a ${s.kind}`, [common.dryRun, common.gracePeriodSeconds, common.propagationPolicy]) }
          : {}),
      };
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}

export function openapiRoot(reg: ResourceRegistry, hashOf: (group: string, version: string) => string) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of reg.groups()) {
    for (const v of g.versions) {
      const p = openapiPath(g.group, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(g.group, v)}` };
    }
  }
  return { paths };
}

export const hashDocument = (doc: unknown) => createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
