// v1 Node: registered by the kubelet with its status; the STATUS and ROLES cells as kubectl prints them.
import { R } from '../../client/types';
import type { KubeObject } from '../../api/object';
import type { FieldError } from '../../api/errors';
import { fieldErr, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation';
import { ALL_VERBS, ageColumn, ageOf, col, keepSpec, keepStatus, nameColumn, type Obj } from './common';
import { nodeSchema } from './schemas/core';
import type { ResourceStrategy } from './types';

const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateNodeSpec(spec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  ((spec?.taints ?? []) as Obj[]).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    for (const m of isQualifiedName(t.key ?? '')) errs.push(fieldErr.invalid(`${p}.key`, t.key ?? '', m));
    if (t.value) for (const m of isValidLabelValue(t.value)) errs.push(fieldErr.invalid(`${p}.value`, t.value, m));
    if (!t.effect) errs.push(fieldErr.required(`${p}.effect`));
    else if (!effects.includes(t.effect)) errs.push(fieldErr.notSupported(`${p}.effect`, t.effect, effects));
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.push(fieldErr.duplicate(p, `${t.key}:${t.effect}`));
    seen.add(k);
  });
  return errs;
}

/** node-role.kubernetes.io/<role> and kubernetes.io/role labels, as findNodeRoles */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

/** `Ready`, `NotReady`, `Unknown`, plus `,SchedulingDisabled` when cordoned */
export function nodeStatusString(node: KubeObject): string {
  const ready = ((node.status as Obj | undefined)?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const out = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if ((node.spec as Obj | undefined)?.unschedulable) out.push('SchedulingDisabled');
  return out.join(',');
}

const address = (node: KubeObject, type: string) =>
  ((node.status as Obj | undefined)?.addresses ?? []).find((a: Obj) => a.type === type)?.address ?? '<none>';

export const nodeStrategy: ResourceStrategy = {
  ...R.nodes, singular: 'node',
  shortNames: ['no'],
  verbs: ALL_VERBS,
  subresources: ['status', 'proxy'],
  schema: nodeSchema,
  defaults(obj) {
    const status = obj.status as Obj | undefined;
    if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  },
  prepareForUpdate: keepStatus,
  prepareForStatusUpdate: keepSpec,
  validate: (obj) => [...validateObjectMeta(obj.metadata, false, nameIsDNSSubdomain), ...validateNodeSpec(obj.spec as Obj)],
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateObjectMeta(obj.metadata, false, nameIsDNSSubdomain), ...validateNodeSpec(obj.spec as Obj)],
  tableColumns: [
    nameColumn,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  tableRow(obj, now) {
    const info = ((obj.status as Obj | undefined)?.nodeInfo ?? {}) as Obj;
    return [
      obj.metadata.name, nodeStatusString(obj), nodeRoles(obj).join(',') || '<none>', ageOf(obj, now), info.kubeletVersion ?? '',
      address(obj, 'InternalIP'), address(obj, 'ExternalIP'),
      info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
    ];
  },
  selectableFields: (obj) => ({ 'spec.unschedulable': String(!!(obj.spec as Obj | undefined)?.unschedulable) }),
};
