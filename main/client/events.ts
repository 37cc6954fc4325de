// Records Events about objects through the API, as client-go's EventRecorder: repeats of the
// same reason and message on the same object within ten minutes bump `count` instead of piling up.
import type { Event } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../api/object';
import { logger } from '../log';
import { R, type Client } from './types';

const log = logger('events');

export interface EventSource {
  component: string;
  host?: string;
}

interface Recent {
  name: string;
  namespace: string;
  count: number;
  last: number;
}

export class EventRecorder {
  private recent = new Map<string, Recent>();

  constructor(
    private readonly client: Client,
    private readonly source: EventSource,
  ) {}

  normal(obj: KubeObject, reason: string, message: string): Promise<void> {
    return this.record(obj, 'Normal', reason, message);
  }

  warning(obj: KubeObject, reason: string, message: string): Promise<void> {
    return this.record(obj, 'Warning', reason, message);
  }

  /** Never throws: an event that cannot be written is logged, not fatal. */
  async record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const key = `${obj.metadata.uid}|${type}|${reason}|${message}`;
    const now = new Date();
    const seen = this.recent.get(key);
    try {
      if (seen && now.getTime() - seen.last < 600_000) {
        seen.count++;
        seen.last = now.getTime();
        await this.client.patch(
          R.events,
          seen.name,
          'application/merge-patch+json',
          { count: seen.count, lastTimestamp: now.toISOString() },
          { namespace: seen.namespace },
        );
        return;
      }
      const name = `${obj.metadata.name}.${(now.getTime() * 1000 + Math.floor(Math.random() * 1000)).toString(16)}`;
      const ev: Event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now.toISOString(),
        lastTimestamp: now.toISOString(),
        source: { component: this.source.component, host: this.source.host },
        reportingComponent: this.source.component,
        reportingInstance: this.source.host ?? '',
      };
      await this.client.create(R.events, ev as unknown as KubeObject, { namespace });
      this.recent.set(key, { name, namespace, count: 1, last: now.getTime() });
      if (this.recent.size > 4096) this.recent.delete(this.recent.keys().next().value as string);
    } catch (err) {
      log.debug('event not recorded', { reason, object: `${namespace}/${obj.metadata.name}`, error: String(err) });
    }
  }
}
