// The resources the API server serves: one ResourceStrategy each, optionally backed by a
// custom storage instead of the store (read-only or computed resources such as podtraces,
// or create-only reviews such as SelfSubjectAccessReview).
import type { KubeObject } from '../api/object';
import type { ResourceStorage, ResourceStrategy } from './registry/types';
import type { ApiRequest, ApiWatch, ApiWatchEvent } from './types';

/**
 * A storage other than the store, for a resource whose objects live elsewhere. Each verb is
 * optional: a missing one answers 405 MethodNotAllowed. Authorization and table conversion
 * still apply; admission and validation do not (the storage owns its objects).
 */
export interface CustomStorage {
  get?(req: ApiRequest): Promise<KubeObject>;
  /** the items (selectors already applied by the core) and the revision they are consistent at */
  list?(req: ApiRequest): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  watch?(req: ApiRequest, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch>;
  create?(req: ApiRequest, obj: KubeObject): Promise<KubeObject>;
}

export interface ServedResource {
  strategy: ResourceStrategy;
  storage?: CustomStorage;
  /** what the resource's storage does beyond the generic store: subresources with storage of their own, deletion rules */
  rest?: ResourceStorage;
}

export const groupVersion = (group: string, version: string) => (group ? `${group}/${version}` : version);

export class ResourceRegistry {
  private byKey = new Map<string, ServedResource>();

  add(strategy: ResourceStrategy, storage?: CustomStorage): void {
    this.byKey.set(`${strategy.group}/${strategy.version}/${strategy.resource}`, { strategy, storage });
  }

  /** gives a served resource its own storage rules (registry/pod-binding.ts, namespace-storage.ts, ...); none if not served */
  extend(group: string, version: string, resource: string, rest: ResourceStorage): void {
    const r = this.find(group, version, resource);
    if (r) r.rest = { ...r.rest, ...rest, subresources: { ...r.rest?.subresources, ...rest.subresources } };
  }

  find(group: string, version: string, resource: string): ServedResource | undefined {
    return this.byKey.get(`${group}/${version}/${resource}`);
  }

  /** by kind, for bodies that name their kind (apply, create in a list) */
  findKind(group: string, version: string, kind: string): ServedResource | undefined {
    for (const r of this.byKey.values()) {
      const s = r.strategy;
      if (s.group === group && s.version === version && s.kind === kind) return r;
    }
    return undefined;
  }

  all(): ServedResource[] {
    return [...this.byKey.values()];
  }

  /** groups in a stable order: core first, then by name */
  groups(): { group: string; versions: string[] }[] {
    const m = new Map<string, Set<string>>();
    for (const { strategy: s } of this.byKey.values()) {
      if (!m.has(s.group)) m.set(s.group, new Set());
      m.get(s.group)!.add(s.version);
    }
    return [...m.entries()].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))).map(([group, vs]) => ({ group, versions: [...vs] }));
  }

  inGroupVersion(group: string, version: string): ServedResource[] {
    return this.all().filter((r) => r.strategy.group === group && r.strategy.version === version);
  }
}

/** Where an object lives in the store: `/registry/<group|core>/<resource>/<namespace>/<name>`. */
export function storeKey(s: ResourceStrategy, namespace: string | undefined, name: string): string {
  return `${storePrefix(s, s.namespaced ? namespace : undefined)}${name}`;
}

/** Prefix for a list: all namespaces when namespace is empty. */
export function storePrefix(s: ResourceStrategy, namespace?: string): string {
  const base = `/registry/${s.group || 'core'}/${s.resource}/`;
  return s.namespaced && namespace ? `${base}${namespace}/` : base;
}
