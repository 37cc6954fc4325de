// What every controller is given by the ControllerManager: the client, shared informers, the tracer.
import type { KubeObject } from '../../api/object';
import { isStatusError } from '../../api/errors';
import { Informer } from '../../client/informer';
import type { Client, ResourceType } from '../../client/types';
import type { Tracer } from '../../trace/types';

/** One informer per resource type, shared by all controllers (upstream's SharedInformerFactory). */
export class InformerFactory {
  private informers = new Map<string, Informer<KubeObject>>();

  constructor(private readonly client: Client) {}

  for<T extends KubeObject = KubeObject>(type: ResourceType): Informer<T> {
    const k = `${type.group}/${type.resource}`;
    let inf = this.informers.get(k);
    if (!inf) this.informers.set(k, (inf = new Informer<KubeObject>(this.client, type, { retryDelayMs: 200 })));
    return inf as unknown as Informer<T>;
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}

/** Why a Deployment last scaled a ReplicaSet, so a pod's trace can tell the whole chain. */
export class ChainNotes {
  private notes = new Map<string, string>();
  set(rsKey: string, note: string): void {
    this.notes.set(rsKey, note);
    if (this.notes.size > 2048) this.notes.delete(this.notes.keys().next().value as string);
  }
  get(rsKey: string): string | undefined {
    return this.notes.get(rsKey);
  }
}

export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  tracer: Tracer;
  chain: ChainNotes;
}

export interface Controller {
  readonly name: string;
  /** register handlers; called before informers start */
  init(): void;
  /** start workers; called after informers synced */
  run(): void;
  stop(): void;
}

export const errMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** utilerrors.NewAggregate: one error for several, named by the first (undefined for none). */
export function aggregateError(errs: unknown[]): Error | undefined {
  if (!errs.length) return undefined;
  const first = errMessage(errs[0]);
  return new Error(errs.length === 1 ? first : `${first} (and ${errs.length - 1} more)`);
}

/**
 * A delete or update whose object may be gone already: 404, or a uid precondition that no longer holds (the name now
 * belongs to a new object), is done. Any other failure is the sync's: the work queue logs it and retries with backoff.
 */
export async function unlessGone<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (e) {
    if (isStatusError(e, 'NotFound') || (isStatusError(e, 'Conflict') && /Precondition failed: UID/.test(errMessage(e)))) return undefined;
    throw e;
  }
}

/** Runs every write, then throws their failures as one: a failed write does not keep the others from being tried. */
export async function allOrThrow(writes: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(writes)).filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  const err = aggregateError(failed);
  if (err) throw err;
}
