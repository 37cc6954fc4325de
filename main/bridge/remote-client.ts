// A Client (the interface every part of the lab talks through) for an API server elsewhere, over HTTPS with a
// kubeconfig context's credentials: JSON requests, watches as kubectl reads them (newline-delimited events), and
// the server's Status errors kept as they are (code, reason, causes), so the UI shows a real cluster's refusals
// exactly as it shows the lab's.
import { request, type RequestOptions } from 'node:https';
import type { KubeList, KubeObject } from '../api/object';
import type { ApiWatch, ApiWatchEvent, PatchType } from '../apiserver/types';
import type { Client, DeleteOptions, ListOptions, PatchOptions, ResourceType, WatchOptions, WriteOptions } from '../client/types';
import { endpointOptions, type ApiEndpoint } from './streams-client';

type Obj = Record<string, any>;

export const resourcePath = (t: ResourceType, namespace?: string, name?: string, sub?: string) =>
  `${t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`}${t.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${t.resource}` +
  `${name ? `/${encodeURIComponent(name)}` : ''}${sub ? `/${sub}` : ''}`;

/** A Status body (or anything) as the error the bridge carries: message, code, reason, details.causes. */
export function remoteError(code: number, body: string): Error {
  try {
    const s = JSON.parse(body) as Obj;
    if (s.kind === 'Status' && s.message) return Object.assign(new Error(s.message), { code: s.code ?? code, reason: s.reason, details: s.details });
  } catch {}
  return Object.assign(new Error(body.trim() || `the server responded with HTTP ${code}`), { code });
}

export interface RemoteClient extends Client {
  /** GET a path (discovery, /version); parsed JSON */
  raw<T = unknown>(path: string): Promise<T>;
}

export function remoteClient(endpoint: () => Promise<ApiEndpoint> | ApiEndpoint): RemoteClient {
  async function call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const api = await endpoint();
    const o = endpointOptions(api);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const opts: RequestOptions = { ...o, method, headers: { ...o.headers, Accept: 'application/json', ...(data ? { 'Content-Type': contentType } : {}) } };
    return new Promise<T>((resolve, reject) => {
      const req = request(new URL(path, api.url), opts, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) return reject(remoteError(code, text));
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            reject(remoteError(code, `the server sent a response that is not JSON: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(Object.assign(new Error(`no answer from ${api.url} within 60 s`), { code: 504, reason: 'Timeout' })));
      req.on('error', (e: NodeJS.ErrnoException) =>
        reject(Object.assign(new Error(`cannot reach ${api.url}: ${e.message}`), { code: 503, reason: 'ServiceUnavailable' })),
      );
      req.end(data);
    });
  }

  const query = (o: Record<string, unknown>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  };
  const kindOf = (t: ResourceType, o: Obj) => ({ apiVersion: t.group ? `${t.group}/${t.version}` : t.version, kind: t.kind, ...o });

  return {
    raw: (path) => call('GET', path),
    get: (t, name, namespace, sub) => call('GET', resourcePath(t, namespace, name, sub)),
    async list<T extends KubeObject>(t: ResourceType, o: ListOptions = {}) {
      return call<KubeList<T>>(
        'GET',
        resourcePath(t, o.namespace) +
          query({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion }),
      );
    },
    create: (t, obj, o: WriteOptions = {}) =>
      call(
        'POST',
        resourcePath(t, o.namespace ?? (obj as Obj).metadata?.namespace, o.subresource ? o.name : undefined, o.subresource) +
          query({ fieldManager: o.fieldManager, dryRun: o.dryRun ? 'All' : undefined }),
        kindOf(t, obj as Obj),
      ),
    update: (t, obj, o: WriteOptions = {}) =>
      call(
        'PUT',
        resourcePath(t, o.namespace ?? obj.metadata.namespace, obj.metadata.name, o.subresource) +
          query({ fieldManager: o.fieldManager, dryRun: o.dryRun ? 'All' : undefined }),
        obj,
      ),
    patch: (t, name, type: PatchType, patch, o: PatchOptions = {}) =>
      call(
        'PATCH',
        resourcePath(t, o.namespace, name, o.subresource) + query({ fieldManager: o.fieldManager, dryRun: o.dryRun ? 'All' : undefined, force: o.force }),
        patch,
        type,
      ),
    delete: (t, name, o: DeleteOptions = {}) =>
      call('DELETE', resourcePath(t, o.namespace, name), {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
        ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
        ...(o.preconditions ? { preconditions: o.preconditions } : {}),
      }),
    async watch(t: ResourceType, o: WatchOptions, onEvent: (ev: ApiWatchEvent) => void): Promise<ApiWatch> {
      const api = await endpoint();
      const opts = endpointOptions(api);
      const path =
        resourcePath(t, o.namespace) +
        query({
          watch: 'true',
          resourceVersion: o.resourceVersion,
          labelSelector: o.labelSelector,
          fieldSelector: o.fieldSelector,
          allowWatchBookmarks: o.allowWatchBookmarks ? 'true' : undefined,
          timeoutSeconds: o.timeoutSeconds,
        });
      let settle!: () => void;
      const done = new Promise<void>((r) => (settle = r));
      return new Promise<ApiWatch>((resolve, reject) => {
        const req = request(new URL(path, api.url), { ...opts, headers: { ...opts.headers, Accept: 'application/json' } }, (res) => {
          if (res.statusCode !== 200) {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c)).on('end', () => reject(remoteError(res.statusCode ?? 0, text)));
            return;
          }
          resolve({ stop: () => req.destroy(), done });
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            buf += c;
            for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              try {
                onEvent(JSON.parse(line) as ApiWatchEvent);
              } catch {}
            }
          });
          res.on('end', settle);
          res.on('close', settle);
          res.on('error', settle);
        });
        req.on('error', (e) => {
          settle();
          reject(Object.assign(new Error(`cannot reach ${api.url}: ${e.message}`), { code: 503, reason: 'ServiceUnavailable' }));
        });
        req.end();
      });
    },
  };
}
