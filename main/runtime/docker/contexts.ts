// Docker contexts as the docker CLI sees them, so each one the user picks becomes a Node of the lab.
// Reads DOCKER_HOST, DOCKER_CONTEXT, <config>/config.json currentContext and <config>/contexts/meta/*/meta.json,
// builds dockerode options (unix, npipe, tcp with TLS, ssh) and probes each engine with a short timeout.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export interface DockerTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** verify the engine's certificate (false: SkipTLSVerify) */
  verify: boolean;
}

export interface DockerContext {
  /** context name as `docker context ls` shows it */
  name: string;
  /** endpoint: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host, npipe:////./pipe/docker_engine */
  host: string;
  description?: string;
  /** the context docker would use right now */
  current: boolean;
  /** where it came from */
  source: 'default' | 'DOCKER_HOST' | 'context';
  tls?: DockerTls;
}

export interface ContextEnv {
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
}

export interface ProbeResult {
  reachable: boolean;
  /** why not, in one line (when unreachable) */
  reason?: string;
  version?: string;
  apiVersion?: string;
  os?: string;
  arch?: string;
}

export interface ProbedContext extends DockerContext, ProbeResult {}

/** The default socket docker uses on this platform. */
export function defaultDockerHost(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

function dockerConfigDir(env: NodeJS.ProcessEnv, home: string): string {
  return env.DOCKER_CONFIG || join(home, '.docker');
}

async function readJson(path: string): Promise<any> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

async function readIf(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** TLS material of a named context lives under contexts/tls/<sha256(name)>/docker/. */
async function contextTls(configDir: string, name: string, skipVerify: boolean): Promise<DockerTls | undefined> {
  const dir = join(configDir, 'contexts', 'tls', createHash('sha256').update(name).digest('hex'), 'docker');
  const [ca, cert, key] = await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map((f) => readIf(join(dir, f))));
  if (!ca && !cert && !key && !skipVerify) return undefined;
  return { ca, cert, key, verify: !skipVerify };
}

/** TLS for DOCKER_HOST itself, per DOCKER_TLS_VERIFY / DOCKER_CERT_PATH as the CLI reads them. */
async function envTls(env: NodeJS.ProcessEnv, configDir: string, host: string): Promise<DockerTls | undefined> {
  const verify = !!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0';
  if (!host.startsWith('tcp://') || (!verify && !env.DOCKER_CERT_PATH)) return undefined;
  const dir = env.DOCKER_CERT_PATH || configDir;
  const [ca, cert, key] = await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map((f) => readIf(join(dir, f))));
  return { ca, cert, key, verify };
}

/** Every context the docker CLI would list, with the current one marked, in `docker context ls` order. */
export async function listDockerContexts(opts: ContextEnv = {}): Promise<DockerContext[]> {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  const configDir = dockerConfigDir(env, home);
  const config = await readJson(join(configDir, 'config.json'));

  // Same precedence as the CLI: DOCKER_CONTEXT, then DOCKER_HOST (which means "default"), then config.json.
  let current = 'default';
  if (env.DOCKER_CONTEXT) current = env.DOCKER_CONTEXT;
  else if (env.DOCKER_HOST) current = 'default';
  else if (typeof config?.currentContext === 'string' && config.currentContext) current = config.currentContext;

  const defaultHost = env.DOCKER_HOST || defaultDockerHost(opts.platform);
  const contexts: DockerContext[] = [
    {
      name: 'default',
      host: defaultHost,
      description: env.DOCKER_HOST ? 'DOCKER_HOST' : 'default socket',
      current: current === 'default',
      source: env.DOCKER_HOST ? 'DOCKER_HOST' : 'default',
      tls: await envTls(env, configDir, defaultHost),
    },
  ];

  const metaDir = join(configDir, 'contexts', 'meta');
  let entries: string[] = [];
  try {
    entries = await readdir(metaDir);
  } catch {}
  const named: DockerContext[] = [];
  for (const entry of entries) {
    const meta = await readJson(join(metaDir, entry, 'meta.json'));
    const name: unknown = meta?.Name;
    const endpoint = meta?.Endpoints?.docker;
    if (typeof name !== 'string' || !name || name === 'default' || typeof endpoint?.Host !== 'string') continue;
    named.push({
      name,
      host: endpoint.Host,
      description: meta?.Metadata?.Description || undefined,
      current: current === name,
      source: 'context',
      tls: await contextTls(configDir, name, !!endpoint.SkipTLSVerify),
    });
  }
  named.sort((a, b) => a.name.localeCompare(b.name));
  return [...contexts, ...named];
}

/** dockerode options for a context's endpoint. Throws on an endpoint it cannot use. */
export function dockerodeOptions(ctx: Pick<DockerContext, 'host' | 'tls'>, env: NodeJS.ProcessEnv = process.env): Docker.DockerOptions {
  const host = ctx.host;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || '/var/run/docker.sock' };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine' };
  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new Error(`cannot parse docker endpoint "${host}"`);
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = ctx.tls;
    const https = url.protocol === 'https:' || !!tls || url.port === '2376';
    const opts: Docker.DockerOptions = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || (https ? 2376 : 2375)),
      protocol: https ? 'https' : 'http',
    };
    if (tls?.ca) opts.ca = tls.ca;
    if (tls?.cert) opts.cert = tls.cert;
    if (tls?.key) opts.key = tls.key;
    // docker-modem passes unknown options through to https.request
    if (tls && !tls.verify) (opts as Record<string, unknown>).rejectUnauthorized = false;
    return opts;
  }
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: { agent: env.SSH_AUTH_SOCK },
    };
  }
  throw new Error(`unsupported docker endpoint scheme "${url.protocol}" in "${host}"`);
}

/** A dockerode client for a context. */
export function dockerFor(ctx: Pick<DockerContext, 'host' | 'tls'>, env: NodeJS.ProcessEnv = process.env): Docker {
  return new Docker(dockerodeOptions(ctx, env));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One line a user can act on, from whatever the connection threw. */
export function unreachableReason(ctx: Pick<DockerContext, 'host'>, err: unknown): string {
  const e = err as NodeJS.ErrnoException & { statusCode?: number };
  const sock = ctx.host.startsWith('unix://') ? ctx.host.slice(7) : undefined;
  if (e?.code === 'ENOENT' && sock) return `no Docker engine at ${sock} (socket not found)`;
  if (e?.code === 'ECONNREFUSED') return `connection refused at ${ctx.host} (is dockerd running?)`;
  if (e?.code === 'EACCES') return `permission denied on ${sock ?? ctx.host} (add your user to the docker group)`;
  if (e?.code === 'ENOTFOUND') return `host not found: ${ctx.host}`;
  if (e?.statusCode) return `engine answered HTTP ${e.statusCode}: ${String(e.message ?? '').split('\n')[0]}`;
  return String(e?.message ?? err).split('\n')[0];
}

/** Ping + version with a short timeout; never throws. */
export async function probeEngine(docker: Docker, ctx: Pick<DockerContext, 'host'>, timeoutMs = 3000): Promise<ProbeResult> {
  if (ctx.host.startsWith('unix://')) {
    const sock = ctx.host.slice(7) || '/var/run/docker.sock';
    if (!existsSync(sock)) return { reachable: false, reason: `no Docker engine at ${sock} (socket not found)` };
  }
  try {
    await withTimeout(docker.ping(), timeoutMs, 'ping');
    const v = await withTimeout(docker.version(), timeoutMs, 'version');
    return { reachable: true, version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
  } catch (err) {
    return { reachable: false, reason: unreachableReason(ctx, err) };
  }
}

/** A Node name from a context name: a DNS-1123 subdomain, as Kubernetes requires. */
export function nodeNameFor(context: string): string {
  const name = context
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 253);
  return name || 'docker';
}

export interface SelectedContext extends ProbedContext {
  /** the Node this context becomes */
  nodeName: string;
  docker?: Docker;
}

/**
 * The contexts that become nodes: those named (repeatable --node), or the current one.
 * Every one is probed; unknown names come back unreachable with the reason.
 */
export async function selectContexts(
  names: string[],
  opts: ContextEnv & { timeoutMs?: number; probe?: (docker: Docker, ctx: DockerContext) => Promise<ProbeResult> } = {},
): Promise<SelectedContext[]> {
  const all = await listDockerContexts(opts);
  const wanted = names.length ? [...new Set(names)] : [all.find((c) => c.current)?.name ?? 'default'];
  const probe = opts.probe ?? ((d: Docker, c: DockerContext) => probeEngine(d, c, opts.timeoutMs));
  return Promise.all(
    wanted.map(async (name): Promise<SelectedContext> => {
      const ctx = all.find((c) => c.name === name);
      if (!ctx) {
        const known = all.map((c) => c.name).join(', ');
        return {
          name,
          host: '',
          current: false,
          source: 'context',
          nodeName: nodeNameFor(name),
          reachable: false,
          reason: `no docker context named "${name}" (known: ${known})`,
        };
      }
      let docker: Docker;
      try {
        docker = dockerFor(ctx, opts.env);
      } catch (err) {
        return { ...ctx, nodeName: nodeNameFor(name), reachable: false, reason: (err as Error).message };
      }
      const result = await probe(docker, ctx);
      return { ...ctx, ...result, nodeName: nodeNameFor(name), docker: result.reachable ? docker : undefined };
    }),
  );
}
