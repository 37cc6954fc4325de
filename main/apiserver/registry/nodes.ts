// v1 Node: registered by the kubelet with its status; the STATUS and ROLES cells as kubectl prints them.
import { R } from '../../client/types';
import type { KubeObject } from '../../api/object';
import type { FieldError } from '../../api/errors';
import { fieldErr, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation';
import { cidrFamily } from '../../api/cidr';
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

const podCIDRsOf = (spec: Obj | undefined): string[] => (Array.isArray(spec?.podCIDRs) ? spec.podCIDRs : []);

/** v1's two fields as one, podCIDRs first (as upstream's conversion keeps them): podCIDR is podCIDRs[0]. */
function syncPodCIDRs(spec: Obj | undefined): void {
  if (!spec) return;
  if (!podCIDRsOf(spec).length && typeof spec.podCIDR === 'string' && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
  else if (podCIDRsOf(spec).length && !spec.podCIDR) spec.podCIDR = spec.podCIDRs[0];
}

/** upstream ValidateNode's podCIDRs rules: each a CIDR, at most one per IP family, no duplicates. */
function validatePodCIDRs(spec: Obj | undefined): FieldError[] {
  const cidrs = podCIDRsOf(spec);
  const errs: FieldError[] = [];
  const path = 'spec.podCIDRs';
  cidrs.forEach((c, i) => {
    if (typeof c !== 'string' || !cidrFamily(c))
      errs.push(fieldErr.invalid(`${path}[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (cidrs.length > 1) {
    const families = cidrs.map((c) => (typeof c === 'string' ? cidrFamily(c) : undefined));
    const dualStack = cidrs.length === 2 && !!families[0] && !!families[1] && families[0] !== families[1];
    if (!dualStack) {
      errs.push({
        field: path,
        type: 'FieldValueInvalid',
        message: `Invalid value: []string{${cidrs.map((c) => JSON.stringify(c)).join(', ')}}: may specify no more than one CIDR for each IP family`,
      });
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(fieldErr.duplicate(`${path}[${i}]`, c));
      seen.add(c);
    });
  }
  if (cidrs.length && spec?.podCIDR && spec.podCIDR !== cidrs[0]) {
    errs.push(fieldErr.invalid('spec.podCIDR', spec.podCIDR, 'must equal the first entry of spec.podCIDRs'));
  }
  return errs;
}

/** "Allow the controller manager to assign a CIDR to a node if it doesn't have one", and never change it after. */
function validatePodCIDRsUpdate(spec: Obj | undefined, old: Obj | undefined): FieldError[] {
  const before = podCIDRsOf(old);
  if (!before.length) return [];
  const after = podCIDRsOf(spec);
  const changed = before.length !== after.length || before.some((c, i) => c !== after[i]) || (spec?.podCIDR ?? '') !== (old?.podCIDR ?? before[0]);
  return changed ? [fieldErr.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid')] : [];
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

const address = (node: KubeObject, type: string) => ((node.status as Obj | undefined)?.addresses ?? []).find((a: Obj) => a.type === type)?.address ?? '<none>';

export const nodeStrategy: ResourceStrategy = {
  ...R.nodes,
  singular: 'node',
  shortNames: ['no'],
  verbs: ALL_VERBS,
  subresources: ['status', 'proxy'],
  schema: nodeSchema,
  defaults(obj) {
    syncPodCIDRs(obj.spec as Obj | undefined);
    const status = obj.status as Obj | undefined;
    if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  },
  prepareForUpdate: keepStatus,
  prepareForStatusUpdate: keepSpec,
  validate: (obj) => [
    ...validateObjectMeta(obj.metadata, false, nameIsDNSSubdomain),
    ...validateNodeSpec(obj.spec as Obj),
    ...validatePodCIDRs(obj.spec as Obj),
  ],
  validateUpdate: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateObjectMeta(obj.metadata, false, nameIsDNSSubdomain),
    ...validateNodeSpec(obj.spec as Obj),
    ...validatePodCIDRs(obj.spec as Obj),
    ...validatePodCIDRsUpdate(obj.spec as Obj, old.spec as Obj),
  ],
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
      obj.metadata.name,
      nodeStatusString(obj),
      nodeRoles(obj).join(',') || '<none>',
      ageOf(obj, now),
      info.kubeletVersion ?? '',
      address(obj, 'InternalIP'),
      address(obj, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
  selectableFields: (obj) => ({ 'spec.unschedulable': String(!!(obj.spec as Obj | undefined)?.unschedulable) }),
};
