// meta.k8s.io/v1 Table for `kubectl get`, built from a strategy's columns and rows.
import type { KubeObject } from '../api/object';
import { age } from '../api/pod-status';
import type { ResourceStrategy, TableColumn } from './registry/types';

// one age format for the whole lab: upstream's HumanDuration lives with the pod status printer
export const ageOf = (obj: KubeObject, now: Date) => age(obj.metadata.creationTimestamp as string | undefined, now);

const defaultColumns: TableColumn[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
];

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(s: ResourceStrategy, result: unknown, includeObject: IncludeObject, now = new Date()): Record<string, unknown> {
  const isList = typeof result === 'object' && result !== null && Array.isArray((result as { items?: unknown }).items);
  const items = isList ? (result as { items: KubeObject[] }).items : [result as KubeObject];
  const listMeta = isList
    ? ((result as { metadata?: Record<string, unknown> }).metadata ?? {})
    : { resourceVersion: (result as KubeObject).metadata?.resourceVersion };
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
    metadata: {
      resourceVersion: listMeta.resourceVersion,
      ...(listMeta.continue ? { continue: listMeta.continue } : {}),
      ...(listMeta.remainingItemCount !== undefined ? { remainingItemCount: listMeta.remainingItemCount } : {}),
    },
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority })),
    rows,
  };
}
