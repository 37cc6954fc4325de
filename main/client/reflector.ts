// The list/watch/relist loop, as client-go's Reflector.ListAndWatch: list at a resourceVersion, watch from it, follow
// the version through events and bookmarks, watch again from there when a watch ends, list again only when the
// version has expired (410, an ERROR event); a failed list or watch retries with exponential backoff. The informer
// (controllers, scheduler, kubelets) and the UI bridge both watch through it.
import type { KubeObject } from '../api/object';
import type { ApiWatch, ApiWatchEvent } from '../apiserver/types';
import type { Client, ListOptions, ResourceType } from './types';

export interface ReflectorHandlers<T extends KubeObject> {
  /** the items of a (re)list: the whole state at `resourceVersion` */
  replace(items: T[], resourceVersion: string): void;
  /** one ADDED, MODIFIED or DELETED event */
  event(ev: ApiWatchEvent & { type: 'ADDED' | 'MODIFIED' | 'DELETED' }): void;
  /** a watch ended (before the next watch or relist) */
  watchEnded?(): void;
  /** a list or watch failed; the reflector retries after a backoff */
  error?(e: unknown): void;
}

export interface ReflectorOptions extends Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'> {
  /** first delay after a failure, doubled on each further one up to maxRetryDelayMs (default 200 ms to 30 s) */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class Reflector<T extends KubeObject = KubeObject> {
  private stopped = false;
  private watch?: ApiWatch;
  private wake?: () => void;
  /** the version the handlers have seen everything up to */
  resourceVersion = '';

  constructor(
    private readonly client: Pick<Client, 'list' | 'watch'>,
    readonly type: ResourceType,
    private readonly opts: ReflectorOptions,
    private readonly handlers: ReflectorHandlers<T>,
  ) {}

  /** Runs until stop(); resolves then. */
  async run(): Promise<void> {
    let failures = 0;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          const list = await this.client.list<T>(this.type, this.listOptions());
          if (this.stopped) return;
          this.resourceVersion = list.metadata.resourceVersion ?? '';
          this.handlers.replace(list.items, this.resourceVersion);
          needList = false;
        }
        const expired = await this.watchOnce();
        failures = 0;
        this.handlers.watchEnded?.();
        if (expired) needList = true;
        continue;
      } catch (e) {
        if (this.stopped) return;
        failures++;
        this.handlers.error?.(e);
      }
      const base = this.opts.retryDelayMs ?? 200;
      await this.sleep(Math.min(this.opts.maxRetryDelayMs ?? 30_000, base * 2 ** Math.min(failures - 1, 16)));
    }
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.wake?.();
  }

  private listOptions(): ListOptions {
    return { namespace: this.opts.namespace, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  /** One watch from the current version, until it ends; true when it ended because that version expired. */
  private async watchOnce(): Promise<boolean> {
    let expired = false;
    const w = await this.client.watch(this.type, { ...this.listOptions(), resourceVersion: this.resourceVersion, allowWatchBookmarks: true }, (ev) => {
      if (this.stopped) return;
      if (ev.type === 'ERROR') {
        expired = true;
        return;
      }
      // the version moves first: a handler that throws (the API server then ends this watch) is not handed the event again
      const rv = ev.object.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (ev.type !== 'BOOKMARK') this.handlers.event(ev as ApiWatchEvent & { type: 'ADDED' | 'MODIFIED' | 'DELETED' });
    });
    this.watch = w;
    if (this.stopped) w.stop();
    await w.done;
    return expired;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
