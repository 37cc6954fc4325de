// Where each object's page lives.
import type { AnyObject } from './objects';

export function objectRoute(kindId: string, o: AnyObject): string {
  const ns = o.metadata.namespace;
  const name = encodeURIComponent(o.metadata.name ?? '');
  if (kindId === 'pods') return `/r/pods/${ns}/${name}`;
  if (kindId === 'deployments') return `/r/deployments/${ns}/${name}`;
  if (kindId === 'nodes') return `/r/nodes/${name}`;
  return ns ? `/r/${kindId}/${ns}/${name}` : `/r/${kindId}/-/${name}`;
}
