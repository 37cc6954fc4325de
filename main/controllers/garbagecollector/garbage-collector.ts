// Garbage collector (upstream pkg/controller/garbagecollector): deletes objects whose owners are gone,
// and carries out Foreground (foregroundDeletion finalizer) and Orphan (orphan finalizer) deletion.
import type { KubeObject, OwnerReference } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { Informer } from '../../client/informer';
import { R, type ResourceType } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage, unlessGone } from '../common/context';
import { resourceFor } from '../common/kinds';

const log = logger('garbage-collector');

/** the types whose objects own or are owned in the lab */
export const gcTypes: ResourceType[] = [
  R.deployments,
  R.replicasets,
  R.pods,
  R.daemonsets,
  R.controllerrevisions,
  R.jobs,
  R.cronjobs,
  R.services,
  R.endpoints,
  R.configmaps,
  R.secrets,
  R.serviceaccounts,
  R.leases,
  R.nodes,
  R.namespaces,
  R.endpointslices,
];

interface Node {
  type: ResourceType;
  obj: KubeObject;
}

/** What the collector must do with one object, given what it knows of its owners (pure). */
export function gcDecision(
  obj: KubeObject,
  owners: Array<{ ref: OwnerReference; state: 'present' | 'absent' | 'deleting-foreground' }>,
): { action: 'none' } | { action: 'delete'; policy: 'Background' | 'Foreground' } | { action: 'remove-refs'; uids: string[] } {
  if (owners.length === 0 || obj.metadata.deletionTimestamp) return { action: 'none' };
  const absent = owners.filter((o) => o.state === 'absent');
  const present = owners.filter((o) => o.state !== 'absent');
  if (present.length === 0) return { action: 'delete', policy: 'Background' };
  const waiting = present.filter((o) => o.state === 'deleting-foreground');
  if (waiting.length === present.length) return { action: 'delete', policy: 'Foreground' };
  if (absent.length > 0) return { action: 'remove-refs', uids: absent.map((o) => o.ref.uid) };
  return { action: 'none' };
}

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  private queue = new WorkQueue({ baseDelayMs: 20, maxDelayMs: 30_000 });
  private byUid = new Map<string, Node>();
  private dependents = new Map<string, Set<string>>();
  private extra: Informer[] = [];

  constructor(private readonly ctx: ControllerContext) {}

  init(): void {
    for (const t of gcTypes) this.watchType(this.ctx.informers.for(t), t);
    // podtraces are served by the trace module; watched apart so a lab without them still starts
    const traces = new Informer(this.ctx.client, R.podtraces, { retryDelayMs: 2000 });
    this.watchType(traces, R.podtraces);
    this.extra.push(traces);
  }

  private watchType(inf: Informer, type: ResourceType): void {
    inf.addHandlers({
      add: (o) => this.observe(type, o),
      update: (_old, o) => this.observe(type, o),
      delete: (o) => this.forget(o),
    });
  }

  private observe(type: ResourceType, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const prev = this.byUid.get(uid);
    for (const r of prev?.obj.metadata.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(uid);
    this.byUid.set(uid, { type, obj });
    for (const r of obj.metadata.ownerReferences ?? []) {
      let s = this.dependents.get(r.uid);
      if (!s) this.dependents.set(r.uid, (s = new Set()));
      s.add(uid);
    }
    this.queue.add(uid);
    // an owner that starts or stops being deleted changes what its dependents should do
    if (obj.metadata.deletionTimestamp) for (const d of this.dependents.get(uid) ?? []) this.queue.add(d);
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    for (const r of obj.metadata.ownerReferences ?? []) {
      this.dependents.get(r.uid)?.delete(uid);
      this.queue.add(r.uid); // an owner waiting in foreground may now be free
    }
    this.byUid.delete(uid);
    for (const d of this.dependents.get(uid) ?? []) this.queue.add(d);
  }

  run(): void {
    for (const i of this.extra) void i.start();
    void this.queue.run(
      (uid) => this.sync(uid),
      2,
      (uid, err) => log.warn('sync failed', { uid, error: errMessage(err) }),
    );
  }

  stop(): void {
    this.queue.shutDown();
    for (const i of this.extra) i.stop();
  }

  private async ownerState(obj: KubeObject, ref: OwnerReference): Promise<'present' | 'absent' | 'deleting-foreground'> {
    const known = this.byUid.get(ref.uid);
    const judge = (o: KubeObject) =>
      o.metadata.deletionTimestamp && o.metadata.finalizers?.includes('foregroundDeletion') ? 'deleting-foreground' : 'present';
    if (known) return judge(known.obj);
    // not in our caches: ask the API before deleting anything (the cache may lag)
    const type = resourceFor(ref.apiVersion, ref.kind);
    if (!type) return 'present'; // a kind we don't know: never delete on a guess
    try {
      const live = await this.ctx.client.get(type, ref.name, type.namespaced ? obj.metadata.namespace : undefined);
      return live.metadata.uid === ref.uid ? judge(live) : 'absent';
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return 'absent';
      throw e;
    }
  }

  async sync(uid: string): Promise<void> {
    const node = this.byUid.get(uid);
    if (!node) return;
    const { obj, type } = node;
    const ns = type.namespaced ? obj.metadata.namespace : undefined;
    if (obj.metadata.deletionTimestamp) {
      const fins = obj.metadata.finalizers ?? [];
      if (fins.includes('orphan')) await this.orphanDependents(uid, obj, type, ns);
      else if (fins.includes('foregroundDeletion')) await this.foreground(uid, obj, type, ns);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners = await Promise.all(refs.map(async (ref) => ({ ref, state: await this.ownerState(obj, ref) })));
    const d = gcDecision(obj, owners);
    if (d.action === 'delete') {
      log.info('deleting object whose owners are gone', { object: `${type.resource}/${ns ? ns + '/' : ''}${obj.metadata.name}`, policy: d.policy });
      await unlessGone(this.ctx.client.delete(type, obj.metadata.name!, { namespace: ns, propagationPolicy: d.policy, preconditions: { uid } }));
    } else if (d.action === 'remove-refs') {
      const keep = refs.filter((r) => !d.uids.includes(r.uid));
      await unlessGone(
        this.ctx.client.patch(type, obj.metadata.name!, 'application/merge-patch+json', { metadata: { ownerReferences: keep, uid } }, { namespace: ns }),
      );
    }
  }

  private depsOf(uid: string): Node[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.byUid.get(d)).filter((n): n is Node => !!n);
  }

  private async removeFinalizer(obj: KubeObject, type: ResourceType, ns: string | undefined, fin: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== fin);
    await this.ctx.client
      .patch(
        type,
        obj.metadata.name!,
        'application/merge-patch+json',
        { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: obj.metadata.resourceVersion } },
        { namespace: ns },
      )
      .catch((e) => {
        if (isStatusError(e, 'Conflict')) throw e; // retried from a fresher object
      });
  }

  private async orphanDependents(uid: string, obj: KubeObject, type: ResourceType, ns: string | undefined): Promise<void> {
    for (const dep of this.depsOf(uid)) {
      const keep = (dep.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      await this.ctx.client
        .patch(
          dep.type,
          dep.obj.metadata.name!,
          'application/merge-patch+json',
          { metadata: { ownerReferences: keep.length ? keep : null } },
          { namespace: dep.type.namespaced ? dep.obj.metadata.namespace : undefined },
        )
        .catch((e) => {
          if (!isStatusError(e, 'NotFound')) throw e;
        });
    }
    log.info('orphaned dependents', { owner: `${type.resource}/${obj.metadata.name}` });
    await this.removeFinalizer(obj, type, ns, 'orphan');
  }

  private async foreground(uid: string, obj: KubeObject, type: ResourceType, ns: string | undefined): Promise<void> {
    const deps = this.depsOf(uid);
    const blocking = deps.filter((d) => d.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
    for (const dep of deps) {
      if (dep.obj.metadata.deletionTimestamp) continue;
      await this.ctx.client
        .delete(dep.type, dep.obj.metadata.name!, {
          namespace: dep.type.namespaced ? dep.obj.metadata.namespace : undefined,
          propagationPolicy: 'Foreground',
          preconditions: { uid: dep.obj.metadata.uid },
        })
        .catch((e) => {
          if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Conflict')) throw e;
        });
    }
    if (blocking.length === 0) await this.removeFinalizer(obj, type, ns, 'foregroundDeletion');
  }
}
