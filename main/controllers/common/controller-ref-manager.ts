// Owning what a controller selects, as upstream's pkg/controller/controller_ref_manager.go: adopt orphans that
// match the selector (unless the controller is being deleted), release owned objects that stopped matching, leave
// alone what another controller owns. ReplicaSet, Deployment, Job and DaemonSet all claim through it.
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { KubeObject, OwnerReference } from '../../api/object';
import { controllerOf, objectKey } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { controllerSelectorMatches, labelSelectorMatches } from '../../api/selectors';
import type { Informer, InformerHandlers } from '../../client/informer';
import { apiVersionOf, type Client, type ResourceType } from '../../client/types';
import type { WorkQueue } from '../../client/workqueue';
import { aggregateError } from './context';
import type { Expectations } from './expectations';

const SMP = 'application/strategic-merge-patch+json';

/** metav1.NewControllerRef: the ownerReference a controller puts on what it creates or adopts. */
export function newControllerRef(owner: KubeObject, kind: Pick<ResourceType, 'group' | 'version' | 'kind'>): OwnerReference {
  return {
    apiVersion: apiVersionOf(kind as ResourceType),
    kind: kind.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * RecheckDeletionTimestamp: before the first adoption, an uncached read of the controller makes sure it still exists
 * with the same uid and is not being deleted (upstream #42639: adopting for a controller on its way out leaks).
 */
export function recheckDeletionTimestamp(client: Client, type: ResourceType, controller: KubeObject): () => Promise<void> {
  return async () => {
    const { name, namespace, uid } = controller.metadata;
    const fresh = await client.get(type, name!, namespace);
    if (fresh.metadata.uid !== uid) throw new Error(`original ${type.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}

export class ControllerRefManager {
  private canAdoptOnce?: Promise<void>;
  private readonly canAdoptFn: () => Promise<void>;

  constructor(
    private readonly client: Client,
    /** the controller claiming, and its own type (for the ownerReference and the deletion recheck) */
    readonly controller: KubeObject,
    readonly controllerType: ResourceType,
    readonly selector: LabelSelector | undefined,
    canAdopt?: () => Promise<void>,
  ) {
    this.canAdoptFn = canAdopt ?? recheckDeletionTimestamp(client, controllerType, controller);
  }

  /** CanAdopt: checked once per claim, however many orphans there are. */
  canAdopt(): Promise<void> {
    return (this.canAdoptOnce ??= this.canAdoptFn());
  }

  /**
   * ClaimObject: true when the controller owns obj afterwards. Throws when an adoption or release was tried and failed
   * (the caller requeues); an object gone meanwhile is no error.
   */
  async claimObject<T extends KubeObject>(
    obj: T,
    match: (o: T) => boolean,
    adopt: (o: T) => Promise<T>,
    release: (o: T) => Promise<void>,
  ): Promise<T | undefined> {
    const ref = controllerOf(obj);
    const c = this.controller.metadata;
    if (ref) {
      if (ref.uid !== c.uid) return undefined; // owned by someone else
      // ours and still matching: claimed, even while the controller is being deleted (that takes no action)
      if (match(obj)) return obj;
      if (c.deletionTimestamp) return undefined;
      try {
        await release(obj);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
      return undefined;
    }
    // an orphan
    if (c.deletionTimestamp || !match(obj) || obj.metadata.deletionTimestamp) return undefined;
    if (c.namespace && c.namespace !== obj.metadata.namespace) return undefined;
    try {
      return await adopt(obj);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  /**
   * ClaimPods / ClaimReplicaSets: the objects of `type` this controller owns once orphans matching the selector (and
   * every filter) are adopted and owned ones that stopped matching are released. Every object is tried; then the
   * first failure is thrown, naming how many failed, so the caller's sync requeues with backoff.
   */
  async claim<T extends KubeObject>(type: ResourceType, objs: T[], ...filters: Array<(o: T) => boolean>): Promise<T[]> {
    const match = (o: T) => labelSelectorMatches(this.selector, o.metadata.labels) && filters.every((f) => f(o));
    const claimed: T[] = [];
    const failed: unknown[] = [];
    for (const o of objs) {
      try {
        const got = await this.claimObject(
          o,
          match,
          (x) => this.adopt(type, x),
          (x) => this.release(type, x),
        );
        if (got) claimed.push(got);
      } catch (e) {
        failed.push(e);
      }
    }
    const err = aggregateError(failed);
    if (err) throw err;
    return claimed;
  }

  /** AdoptPod / AdoptReplicaSet: a strategic merge patch adding our controller ref, guarded by the object's uid. */
  private async adopt<T extends KubeObject>(type: ResourceType, obj: T): Promise<T> {
    try {
      await this.canAdopt();
    } catch (e) {
      throw new Error(`can't adopt ${type.kind} ${objectKey(obj)} (${obj.metadata.uid}): ${e instanceof Error ? e.message : String(e)}`);
    }
    // the API server refuses this (422) if another ownerReference already says controller=true
    return this.client.patch<T>(
      type,
      obj.metadata.name!,
      SMP,
      { metadata: { ownerReferences: [newControllerRef(this.controller, this.controllerType)], uid: obj.metadata.uid } },
      { namespace: obj.metadata.namespace },
    );
  }

  /** ReleasePod / ReleaseReplicaSet: deletes our ownerReference; gone (404) or recreated under a new uid (422) is fine. */
  private async release(type: ResourceType, obj: KubeObject): Promise<void> {
    try {
      await this.client.patch(
        type,
        obj.metadata.name!,
        SMP,
        { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.controller.metadata.uid }], uid: obj.metadata.uid } },
        { namespace: obj.metadata.namespace },
      );
    } catch (e) {
      if (!isStatusError(e, 'NotFound') && !isStatusError(e, 'Invalid')) throw e;
    }
  }
}

export interface OwnedEventsOptions<C extends KubeObject, O extends KubeObject> {
  /** the controllers' informer and kind (`ReplicaSet`) */
  owners: Informer<C>;
  kind: string;
  queue: WorkQueue;
  expectations?: Expectations;
  /** after an update of an object owned by `owner` (ReplicaSet: look again when a ready pod becomes available) */
  updated?(owner: C, obj: O): void;
}

/**
 * The handlers of the objects a controller owns (upstream's addPod/updatePod/deletePod of each controller): an owned
 * object enqueues its controller (and counts toward expectations), an orphan enqueues every controller whose selector
 * matches it, so a sync can adopt it; a changed controller ref or changed labels enqueue old and new owners.
 */
export function ownedObjectHandlers<C extends KubeObject, O extends KubeObject>(o: OwnedEventsOptions<C, O>): InformerHandlers<O> {
  const resolve = (obj: O, ref: OwnerReference | undefined): C | undefined => {
    if (ref?.kind !== o.kind) return undefined;
    const c = o.owners.getByName(ref.name, obj.metadata.namespace);
    return c && c.metadata.uid === ref.uid ? c : undefined;
  };
  const enqueueMatching = (obj: O) => {
    for (const c of o.owners.list(obj.metadata.namespace)) {
      if (controllerSelectorMatches((c.spec as { selector?: LabelSelector } | undefined)?.selector, obj.metadata.labels)) o.queue.add(objectKey(c));
    }
  };
  const gone = (obj: O) => {
    const c = resolve(obj, controllerOf(obj));
    if (!c) return;
    o.expectations?.deletionObserved(objectKey(c), objectKey(obj));
    o.queue.add(objectKey(c));
  };
  return {
    add: (obj) => {
      if (obj.metadata.deletionTimestamp) return gone(obj); // a restarted controller sees it already on its way out
      const ref = controllerOf(obj);
      if (ref) {
        const c = resolve(obj, ref);
        if (!c) return;
        o.expectations?.creationObserved(objectKey(c));
        o.queue.add(objectKey(c));
        return;
      }
      enqueueMatching(obj);
    },
    update: (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // a resync
      const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
      if (cur.metadata.deletionTimestamp) {
        // a graceful delete: the controller replaces it now, not once the kubelet has removed it
        gone(cur);
        if (labelsChanged) gone(old);
        return;
      }
      const oldRef = controllerOf(old);
      const ref = controllerOf(cur);
      const refChanged = oldRef?.uid !== ref?.uid;
      if (refChanged && oldRef) {
        const c = resolve(old, oldRef);
        if (c) o.queue.add(objectKey(c));
      }
      if (ref) {
        const c = resolve(cur, ref);
        if (!c) return;
        o.queue.add(objectKey(c));
        o.updated?.(c, cur);
        return;
      }
      if (labelsChanged || refChanged) enqueueMatching(cur);
    },
    delete: gone,
  };
}
