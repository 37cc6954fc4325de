// Plain GETs against the API server over HTTPS, as kubectl sends them: discovery, OpenAPI v3 and Tables
// (`as=Table`). The UI's generic views read these, so they show what the server says, for any resource it serves.
import { request } from 'node:https';
import type { ApiResourceInfo, ResourceRef, ResourceTable, TableColumnDefinition } from './contract';
import { endpointOptions, type ApiEndpoint } from './streams-client';

export const ACCEPT_TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
export const ACCEPT_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

export function getJson(api: ApiEndpoint, path: string, accept = 'application/json'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const o = endpointOptions(api);
    const req = request(new URL(path, api.url), { ...o, headers: { ...o.headers, Accept: accept, 'User-Agent': 'kubelab-ui' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        if (res.statusCode === 200 && parsed !== undefined) return resolve(parsed);
        const s = (parsed ?? {}) as { message?: string; reason?: string; code?: number; details?: unknown };
        reject(
          Object.assign(new Error(s.message ?? (body.trim() || `HTTP ${res.statusCode}`)), {
            status: s.code ?? res.statusCode,
            reason: s.reason,
            details: s.details,
          }),
        );
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface AggregatedList {
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        responseKind?: { kind?: string };
        scope?: string;
        singularResource?: string;
        verbs?: string[];
        shortNames?: string[];
        categories?: string[];
        subresources?: { subresource: string }[];
      }[];
    }[];
  }[];
}

/** apidiscovery.k8s.io/v2 documents (/api and /apis) -> one entry per resource of each group's preferred (first) version. */
export function resourcesOfDiscovery(...docs: unknown[]): ApiResourceInfo[] {
  const out: ApiResourceInfo[] = [];
  for (const doc of docs) {
    for (const g of (doc as AggregatedList).items ?? []) {
      const v = g.versions?.[0];
      if (!v) continue;
      for (const r of v.resources ?? []) {
        out.push({
          group: g.metadata?.name ?? '',
          version: v.version,
          resource: r.resource,
          kind: r.responseKind?.kind ?? r.resource,
          namespaced: r.scope === 'Namespaced',
          verbs: r.verbs ?? [],
          singular: r.singularResource,
          ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories?.length ? { categories: r.categories } : {}),
          ...(r.subresources?.length ? { subresources: r.subresources.map((s) => s.subresource) } : {}),
        });
      }
    }
  }
  return out;
}

/** GET /api and /apis with aggregated discovery, as kubectl v1.32 does. */
export async function discover(api: ApiEndpoint): Promise<ApiResourceInfo[]> {
  const [core, groups] = await Promise.all([getJson(api, '/api', ACCEPT_DISCOVERY), getJson(api, '/apis', ACCEPT_DISCOVERY)]);
  return resourcesOfDiscovery(core, groups);
}

export const collectionPath = (ref: ResourceRef, namespace?: string) =>
  `${ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${ref.resource}`;

interface MetaTable {
  columnDefinitions?: TableColumnDefinition[];
  rows?: { cells: unknown[]; object?: { metadata?: { name?: string; namespace?: string } } }[];
  metadata?: { resourceVersion?: string };
}

/** What `kubectl get` prints: the server's Table for a collection, rows keyed by namespace/name. */
export async function table(api: ApiEndpoint, ref: ResourceRef, opts: { namespace?: string; labelSelector?: string } = {}): Promise<ResourceTable> {
  const q = new URLSearchParams({ includeObject: 'Metadata' });
  if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
  const t = (await getJson(api, `${collectionPath(ref, opts.namespace)}?${q}`, ACCEPT_TABLE)) as MetaTable;
  return {
    columns: (t.columnDefinitions ?? []).map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority })),
    rows: (t.rows ?? []).map((r) => ({ cells: r.cells, name: r.object?.metadata?.name ?? String(r.cells[0] ?? ''), namespace: r.object?.metadata?.namespace })),
    resourceVersion: t.metadata?.resourceVersion,
  };
}

/** The OpenAPI v3 document of one group version (`kubectl explain` reads it). */
export function openapi(api: ApiEndpoint, group: string, version: string): Promise<unknown> {
  return getJson(api, `/openapi/v3/${group ? `apis/${group}/${version}` : `api/${version}`}`);
}
