// Every resource the API server serves, as upstream's pkg/registry: the API core looks them up here.
// Table contract: tableColumns[0] is Name and tableRow()[0] the object's name, as upstream's printers.
import { podStrategy } from './pods';
import type { ResourceStrategy } from './types';

export const strategies: ResourceStrategy[] = [podStrategy];

const byKey = new Map<string, ResourceStrategy>();
for (const s of strategies) {
  byKey.set(`${s.group}/${s.resource}`, s);
  // kubectl explain and strict validation find a schema by its group-version-kind
  if (s.schema) s.schema['x-kubernetes-group-version-kind'] = [{ group: s.group, version: s.version, kind: s.kind }];
}

/** The strategy for `group` ('' for core) and plural `resource`, if served. */
export function strategyFor(group: string, resource: string): ResourceStrategy | undefined {
  return byKey.get(`${group}/${resource}`);
}

/** The strategy for a kind, e.g. to name a resource in an error. */
export function strategyForKind(group: string, kind: string): ResourceStrategy | undefined {
  return strategies.find((s) => s.group === group && s.kind === kind);
}
