// Every write the UI makes: one place, so each records its kubectl equivalent and shows its result or Status error.
import { defineStore } from 'pinia';
import type { KubeObject } from '../../main/api/object';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Node } from 'kubernetes-types/core/v1';
import type { AnyObject, Live } from '../lib/objects';
import type { ApplyResult, ResourceRef } from '../../main/bridge/contract';
import { bridge } from '../bridge';
import { i18n } from '../i18n';
import { R } from '../../main/client/types';
import { kindByKind } from '../lib/kinds';
import { drainPlan, labelChange, taintChange } from '../lib/node';
import { undoPatch } from '../lib/rollout';
import { useUiStore } from './ui';

const t = (k: string, v?: Record<string, unknown>) => i18n.global.t(k, v ?? {});
const { nodes, pods, deployments, namespaces } = R;
const accessReviews: ResourceRef = {
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'selfsubjectaccessreviews',
  kind: 'SelfSubjectAccessReview',
  namespaced: false,
};

export const useActionsStore = defineStore('actions', () => {
  const ui = useUiStore();

  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      ui.error(e);
      return undefined;
    }
  }

  async function apply(manifest: string, namespace?: string, dryRun = false): Promise<ApplyResult[]> {
    // errors go back to the editor, which shows them at their lines (and as a toast)
    const res = await bridge().api.apply({ manifest, namespace, dryRun });
    ui.did({ verb: 'apply', manifestKinds: res.map((r) => ({ kind: r.kind, name: r.name, namespace: r.namespace, ref: kindByKind(r.kind)?.ref })) });
    if (!dryRun) for (const r of res) ui.toast('ok', t('create.applied', { kind: r.kind, name: r.name, action: r.action }));
    return res;
  }

  async function remove(ref: ResourceRef, kind: string, name: string, namespace?: string): Promise<boolean> {
    if (!(await ui.confirm(t('action.deleteConfirm', { kind, name })))) return false;
    const ok = await run(() => bridge().api.delete({ ref, name, namespace }));
    if (!ok) return false;
    ui.did({ verb: 'delete', ref, kind, name, namespace });
    ui.toast('ok', t('action.deleted', { kind, name }));
    return true;
  }

  async function scale(ref: ResourceRef, kind: string, name: string, namespace: string | undefined, replicas: number) {
    const ok = await run(() => bridge().api.patch({ ref, name, namespace, patch: { spec: { replicas } } }));
    if (!ok) return;
    ui.did({ verb: 'scale', ref, kind, name, namespace, replicas });
    ui.toast('ok', t('action.scaled', { name, n: replicas }));
  }

  async function restart(ref: ResourceRef, kind: string, name: string, namespace?: string) {
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
    const ok = await run(() => bridge().api.patch({ ref, name, namespace, patch }));
    if (!ok) return;
    ui.did({ verb: 'restart', ref, kind, name, namespace });
    ui.toast('ok', t('action.restarted', { name }));
  }

  /** `rollout pause|resume`: spec.paused, as kubectl's strategic merge patch sets it. */
  async function pause(deploy: AnyObject, paused: boolean) {
    const name = deploy.metadata.name ?? '';
    const namespace = deploy.metadata.namespace;
    const ok = await run(() => bridge().api.patch({ ref: deployments, name, namespace, patch: { spec: { paused } }, kind: 'strategic' }));
    if (!ok) return;
    ui.did({ verb: paused ? 'pause' : 'resume', name, namespace });
    ui.toast('ok', t(paused ? 'action.paused' : 'action.resumed', { name }));
  }

  /** `rollout undo`: the chosen ReplicaSet's pod template (and annotations) replace the Deployment's, as kubectl's JSON patch does. */
  async function undo(deploy: Live<Deployment>, rs: Live<ReplicaSet>, revision: number) {
    const name = deploy.metadata.name ?? '';
    const plan = undoPatch(deploy, rs);
    if ('skip' in plan)
      return plan.skip === 'paused' ? ui.error(new Error(t('action.undoPaused'))) : ui.toast('info', t('action.undoSkipped', { rev: revision }));
    const ok = await run(() => bridge().api.patch({ ref: deployments, name, namespace: deploy.metadata.namespace, patch: plan.patch, kind: 'json' }));
    if (!ok) return;
    ui.did({ verb: 'undo', name, namespace: deploy.metadata.namespace, revision });
    ui.toast('ok', t('action.undone', { name, rev: revision }));
  }

  async function cordon(node: string, on: boolean) {
    const ok = await run(() => bridge().api.patch({ ref: nodes, name: node, patch: { spec: { unschedulable: on ? true : null } } }));
    if (ok) ui.did({ verb: on ? 'cordon' : 'uncordon', node });
  }

  async function drain(node: string, podsOnNode: AnyObject[]) {
    await cordon(node, true);
    let n = 0;
    const plan = drainPlan(podsOnNode);
    // DaemonSet pods stay, as with --ignore-daemonsets
    for (const p of plan.evict) {
      const ns = p.metadata.namespace;
      const name = p.metadata.name ?? '';
      const evicted = await run(() =>
        bridge().api.create({
          ref: pods,
          namespace: ns,
          name,
          subresource: 'eviction',
          object: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } },
        }),
      );
      if (evicted) n++;
    }
    ui.did({ verb: 'drain', node, force: plan.unmanaged.length > 0 });
    ui.toast('ok', t('action.drained', { name: node, n }));
  }

  async function labelNode(node: AnyObject, change: string) {
    const name = node.metadata.name ?? '';
    const labels = labelChange(change);
    if (labels instanceof Error) return ui.error(labels);
    const ok = await run(() => bridge().api.patch({ ref: nodes, name, patch: { metadata: { labels } } }));
    if (ok) ui.did({ verb: 'label', node: name, change });
  }

  async function taintNode(node: Live<Node>, change: string) {
    const name = node.metadata.name ?? '';
    const next = taintChange(node.spec?.taints ?? [], change);
    if (next instanceof Error) return ui.error(next);
    const ok = await run(() => bridge().api.patch({ ref: nodes, name, patch: { spec: { taints: next.length ? next : null } } }));
    if (ok) ui.did({ verb: 'taint', node: name, change });
  }

  /** `kubectl edit`: a PUT of the whole object; its resourceVersion makes a stale edit the server's 409 Conflict (thrown to the editor). */
  async function update(ref: ResourceRef, object: KubeObject, dryRun = false): Promise<KubeObject> {
    const res = await bridge().api.update({ ref, object, namespace: object.metadata.namespace, dryRun });
    const kind = object.kind ?? ref.kind ?? ref.resource;
    const name = object.metadata.name ?? '';
    ui.did({ verb: 'edit', ref, kind, name, namespace: object.metadata.namespace, resourceVersion: object.metadata.resourceVersion });
    if (!dryRun) ui.toast('ok', t('edit.saved', { kind, name }));
    return res;
  }

  /** `kubectl auth can-i VERB RESOURCE/NAME`: a SelfSubjectAccessReview; unknown (an error) counts as allowed, the server decides. */
  async function canI(verb: string, ref: ResourceRef, name?: string, namespace?: string): Promise<boolean> {
    try {
      const r = await bridge().api.create({
        ref: accessReviews,
        object: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          metadata: {},
          spec: { resourceAttributes: { verb, group: ref.group, resource: ref.resource, name, namespace } },
        },
      });
      return (r as { status?: { allowed?: boolean } }).status?.allowed !== false;
    } catch {
      return true;
    }
  }

  /** `kubectl create namespace`: a create, not an apply, so an existing name is the server's AlreadyExists. */
  async function createNamespace(name: string): Promise<boolean> {
    const ok = await run(() => bridge().api.create({ ref: namespaces, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }));
    if (!ok) return false;
    ui.did({ verb: 'createNamespace', name });
    ui.toast('ok', t('palette.namespaceCreated', { name }));
    return true;
  }

  return { apply, update, canI, remove, scale, restart, pause, undo, cordon, drain, labelNode, taintNode, createNamespace, run };
});
