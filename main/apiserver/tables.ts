// meta.k8s.io/v1 Table for `kubectl get`, built from a strategy's columns and rows.
import type { KubeObject } from '../api/object';
import type { ResourceStrategy, TableColumn } from './registry/types';

/** kubectl's age format (apimachinery's duration.HumanDuration): 5s, 3m20s, 4h5m, 2d3h, 1y30d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export const ageOf = (obj: KubeObject, now: Date) =>
  obj.metadata.creationTimestamp ? humanDuration(now.getTime() - Date.parse(obj.metadata.creationTimestamp)) : '<unknown>';

const defaultColumns: TableColumn[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
];

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(s: ResourceStrategy, result: unknown, includeObject: IncludeObject, now = new Date()): Record<string, unknown> {
  const isList = typeof result === 'object' && result !== null && Array.isArray((result as { items?: unknown }).items);
  const items = isList ? ((result as { items: KubeObject[] }).items) : [result as KubeObject];
  const listMeta = isList ? ((result as { metadata?: Record<string, unknown> }).metadata ?? {}) : { resourceVersion: (result as KubeObject).metadata?.resourceVersion };
  const custom = s.tableColumns && s.tableRow;
  const columns = custom ? s.tableColumns! : defaultColumns;
  const rows = items.map((obj) => ({
    cells: custom ? s.tableRow!(obj, now) : [obj.metadata.name, ageOf(obj, now)],
    object:
      includeObject === 'None'
        ? undefined
        : includeObject === 'Object'
          ? obj
          : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: listMeta.resourceVersion, ...(listMeta.continue ? { continue: listMeta.continue } : {}), ...(listMeta.remainingItemCount !== undefined ? { remainingItemCount: listMeta.remainingItemCount } : {}) },
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority })),
    rows,
  };
}
