// The HTTPS front: parse a request into an ApiRequest, authenticate it, and serve discovery,
// OpenAPI, resources (JSON or Table), watches (newline-delimited JSON) and streaming subresources.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { errors, StatusError } from '../api/errors';
import { logger } from '../log';
import type { Authenticated } from './authn';
import type { Core } from './core';
import { aggregatedDiscovery, AGGREGATED_V2, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery';
import { groupVersionDocument, hashDocument, openapiRoot } from './openapi';
import { decodeProtobuf, PROTOBUF } from './protobuf';
import type { ResourceRegistry } from './resources';
import { toTable, type IncludeObject } from './tables';
import { MAX_NESTING_DEPTH, nestedDeeperThan, textNestedDeeperThan } from './typed-decoding';
import type { ApiRequest, PatchType, StreamHandler, Verb } from './types';

const log = logger('apiserver');

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubelab',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface HttpDeps {
  core: Core;
  registry: ResourceRegistry;
  authenticate(token: string | undefined): Authenticated | undefined;
  streams(): StreamHandler | undefined;
  serverAddress(): string;
  ready(): boolean;
}

const STREAMING = new Set(['log', 'exec', 'attach', 'portforward']);
const STATUS_OK = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings?: string[]): void {
  const data = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(data)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings?.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(data);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof StatusError ? e : errors.internal(e instanceof Error ? e.message : String(e));
  if (!(e instanceof StatusError)) log.error('request failed', { error: e instanceof Error ? e.stack : String(e) });
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, err.code, err.toStatus());
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(errors.tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(errors.tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (raw.length === 0) return undefined;
  if (contentType.startsWith(PROTOBUF)) return decodeProtobuf(raw);
  const text = raw.toString('utf8');
  const yaml = contentType.includes('yaml');
  if (yaml && textNestedDeeperThan(text, MAX_NESTING_DEPTH))
    throw errors.badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${why}`);
  }
  // refused before any recursive helper (patches, managedFields, comparisons) walks it
  if (nestedDeeperThan(value, MAX_NESTING_DEPTH)) throw errors.badRequest(`couldn't get version/kind; json parse error: exceeded max depth`);
  return value;
}

/** upstream's path.IsValidPathSegmentName: what a name or namespace in a URL may not be */
export function pathSegmentProblems(segment: string): string[] {
  if (segment === '.' || segment === '..') return [`may not be '${segment}'`];
  const out: string[] = [];
  if (segment.includes('/')) out.push(`may not contain '/'`);
  if (segment.includes('%')) out.push(`may not contain '%'`);
  return out;
}

/** The request path exactly as sent: WHATWG URL parsing would resolve `..` and `%2e%2e` into another object's path. */
export function rawPath(url: string | undefined): string {
  const p = (url ?? '/').split('?')[0].split('#')[0];
  return p.startsWith('/') ? p : new URL(p, 'https://127.0.0.1').pathname;
}

export interface ParsedPath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** `/api/v1/namespaces/default/pods/web/status` → its parts; undefined for non-resource paths. */
export function parseResourcePath(path: string, registry: ResourceRegistry): ParsedPath | undefined {
  const segs = path
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        throw errors.badRequest(`invalid URL escape in path segment ${JSON.stringify(seg)}`);
      }
    });
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  let parsed: ParsedPath;
  let extra: string[];
  const served = rest[0] === 'namespaces' && rest.length >= 3 ? registry.find(group, version, rest[2]) : undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && (served?.strategy.namespaced || (group === '' && !['status', 'finalize'].includes(rest[2])))) {
    parsed = { group, version, namespace: rest[1], resource: rest[2], name: rest[3], subresource: rest[4] };
    extra = rest.slice(5);
  } else {
    parsed = { group, version, resource: rest[0], name: rest[1], subresource: rest[2] };
    extra = rest.slice(3);
  }
  // as upstream's key functions: a name or namespace that would address another path is a 400
  for (const [what, value] of [
    ['Namespace', parsed.namespace],
    ['Name', parsed.name],
  ] as const) {
    const problems = value === undefined ? [] : pathSegmentProblems(value);
    if (problems.length) throw errors.badRequest(`${what} parameter invalid: ${JSON.stringify(value)}: ${problems.join(';')}`);
  }
  // only a proxy subresource carries a path of its own after it
  if (extra.length && parsed.subresource !== 'proxy') throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  return parsed;
}

function accepts(req: IncomingMessage): { table: boolean; aggregated: boolean } {
  const a = String(req.headers.accept ?? '');
  return { table: /as=Table/.test(a) && /g=meta\.k8s\.io/.test(a), aggregated: a.includes('as=APIGroupDiscoveryList') && a.includes('v=v2') };
}

export function createRequestHandler(d: HttpDeps) {
  const openapiCache = new Map<string, { doc: unknown; hash: string }>();
  const gvDoc = (group: string, version: string) => {
    const key = `${group}/${version}`;
    let c = openapiCache.get(key);
    if (!c) {
      const doc = groupVersionDocument(d.registry, group, version);
      c = { doc, hash: hashDocument(doc) };
      openapiCache.set(key, c);
    }
    return c;
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const path = rawPath(req.url).replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    // public endpoints answer anonymous callers, but a token that does not authenticate is a 401 everywhere, as upstream
    if (req.headers.authorization) authenticate(req);
    if (path === '/version') return sendJson(res, 200, versionInfo);
    if (['/healthz', '/livez', '/readyz'].includes(path) || /^\/(healthz|livez|readyz)\/.+/.test(path)) {
      if (!d.ready() && path.startsWith('/readyz')) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('[-]bootstrap failed: not finished\nreadyz check failed');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const auth = authenticate(req);
    const query = Object.fromEntries(url.searchParams.entries());
    const acc = accepts(req);

    if (path === '/api') {
      if (acc.aggregated) return sendJson(res, 200, aggregatedDiscovery(d.registry, true), AGGREGATED_V2);
      return sendJson(res, 200, apiVersions(d.serverAddress()));
    }
    if (path === '/apis') {
      if (acc.aggregated) return sendJson(res, 200, aggregatedDiscovery(d.registry, false), AGGREGATED_V2);
      return sendJson(res, 200, apiGroupList(d.registry));
    }
    if (path === '/openapi/v3') {
      return sendJson(
        res,
        200,
        openapiRoot(d.registry, (g, v) => gvDoc(g, v).hash),
      );
    }
    const oa = path.match(/^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/);
    if (oa) {
      const [group, version] = oa[1] ? ['', oa[1]] : [oa[2], oa[3]];
      if (!d.registry.inGroupVersion(group, version).length) throw errors.notFound({ kind: 'openapi', name: path });
      return sendJson(res, 200, gvDoc(group, version).doc);
    }
    const segs = path.split('/').filter(Boolean);
    if (segs[0] === 'api' && segs.length === 2) {
      if (!d.registry.inGroupVersion('', segs[1]).length) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, apiResourceList(d.registry, '', segs[1]));
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = d.registry.groups().find((x) => x.group === segs[1]);
      if (!g) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, apiGroup(g.group, g.versions));
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      if (!d.registry.inGroupVersion(segs[1], segs[2]).length) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, apiResourceList(d.registry, segs[1], segs[2]));
    }
    const parsed = parseResourcePath(path, d.registry);
    if (!parsed) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');

    const isWatch = method === 'GET' && (query.watch === 'true' || query.watch === '1');
    let verb: Verb;
    switch (method) {
      case 'GET':
        verb = isWatch ? 'watch' : parsed.name ? 'get' : 'list';
        break;
      case 'POST':
        verb = 'create';
        break;
      case 'PUT':
        verb = 'update';
        break;
      case 'PATCH':
        verb = 'patch';
        break;
      case 'DELETE':
        verb = parsed.name ? 'delete' : 'deletecollection';
        break;
      default:
        throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
    const contentType = String(req.headers['content-type'] ?? 'application/json');
    const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? parseBody(await readBody(req), contentType) : undefined;
    const apiReq: ApiRequest = {
      verb,
      ...parsed,
      body,
      query,
      user: auth.user,
      userAgent: req.headers['user-agent'],
      authenticatedBy: auth.method,
      ...(verb === 'patch' ? { patchType: contentType.split(';')[0].trim() as PatchType } : {}),
    };
    if (parsed.subresource && STREAMING.has(parsed.subresource)) {
      d.core.resolve(apiReq);
      d.core.authorize(apiReq, parsed.subresource === 'log' ? 'get' : 'create');
      const h = d.streams();
      if (!h) throw errors.notImplemented(`${parsed.subresource} is not served yet: no node side is connected`);
      if (parsed.subresource === 'log') return h.log(apiReq, res);
      throw errors.badRequest('Upgrade request required');
    }
    const includeObject = (query.includeObject as IncludeObject | undefined) ?? 'Metadata';
    const strategy = d.core.resolve({ ...apiReq }).strategy;

    if (verb === 'watch') {
      const w = await d.core.watch(apiReq, (ev) => {
        let object: unknown = ev.object;
        if (acc.table && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) object = toTable(strategy, ev.object, includeObject);
        res.write(JSON.stringify({ type: ev.type, object }) + '\n');
      });
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      req.socket.on('close', () => w.stop());
      res.on('close', () => w.stop());
      await w.done;
      res.end();
      return;
    }

    const result = await d.core.handle(apiReq);
    const code = verb === 'create' ? 201 : 200;
    const isStatus = typeof result === 'object' && result !== null && (result as { kind?: string }).kind === 'Status';
    if (acc.table && (verb === 'get' || verb === 'list') && !parsed.subresource && !isStatus) {
      return sendJson(res, 200, toTable(strategy, result, includeObject), 'application/json', apiReq.warnings);
    }
    sendJson(res, code, result ?? STATUS_OK, 'application/json', apiReq.warnings);
  }

  function authenticate(req: IncomingMessage): Authenticated {
    const h = String(req.headers.authorization ?? '');
    const token = h.toLowerCase().startsWith('bearer ') ? h.slice(7).trim() : undefined;
    const a = d.authenticate(token);
    if (!a) throw errors.unauthorized();
    return impersonate(req, a);
  }

  /** `kubectl --as=USER [--as-group=G]`: act as another user if RBAC allows `impersonate` on them, as upstream. */
  function impersonate(req: IncomingMessage, a: Authenticated): Authenticated {
    const as = req.headers['impersonate-user'];
    if (typeof as !== 'string' || !as) return a;
    const rawGroups = req.headers['impersonate-group'];
    const groups = (Array.isArray(rawGroups) ? rawGroups : rawGroups ? [rawGroups] : []).flatMap((g) => g.split(',').map((x) => x.trim())).filter(Boolean);
    const sa = as.match(/^system:serviceaccount:([^:]+):([^:]+)$/);
    const check = (resource: string, name: string, namespace?: string) => {
      const decision = d.core.can(a.user, { verb: 'impersonate', group: '', resource, name, namespace });
      if (!decision.allowed) {
        throw new StatusError(
          403,
          'Forbidden',
          `${resource} "${name}" is forbidden: User "${a.user.username}" cannot impersonate resource "${resource}" in API group "" ${namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'}`,
        );
      }
    };
    if (sa) check('serviceaccounts', sa[2], sa[1]);
    else check('users', as);
    for (const g of groups) check('groups', g);
    const base = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
    return { user: { username: as, groups: [...new Set([...base, ...groups, 'system:authenticated'])] }, method: `impersonated by ${a.user.username}` };
  }

  return {
    request(req: IncomingMessage, res: ServerResponse): void {
      serve(req, res).catch((e) => sendError(res, e));
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      // Node takes its own error listener off an upgraded socket: a client that resets it while the pod is
      // looked up would otherwise be an uncaught 'error' that ends the process
      socket.on('error', (e) => log.debug('streaming connection error', { error: e.message }));
      const fail = (e: unknown) => {
        const err = e instanceof StatusError ? e : errors.internal(String(e));
        const data = JSON.stringify(err.toStatus());
        socket.end(
          `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\nConnection: close\r\n\r\n${data}`,
        );
      };
      try {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        const parsed = parseResourcePath(rawPath(req.url), d.registry);
        if (!parsed?.subresource || !STREAMING.has(parsed.subresource))
          throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        const auth = authenticate(req);
        const apiReq: ApiRequest = {
          verb: parsed.subresource === 'log' ? 'get' : 'create',
          ...parsed,
          query: Object.fromEntries(url.searchParams.entries()),
          user: auth.user,
          userAgent: req.headers['user-agent'],
          authenticatedBy: auth.method,
        };
        d.core.resolve(apiReq);
        d.core.authorize(apiReq, parsed.subresource === 'log' ? 'get' : 'create');
        const h = d.streams();
        if (!h) throw errors.notImplemented(`${parsed.subresource} is not served yet: no node side is connected`);
        h.upgrade(apiReq, req, socket, head);
      } catch (e) {
        fail(e);
      }
    },
  };
}
