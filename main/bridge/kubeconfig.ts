// Kubeconfig files as kubectl reads them: $KUBECONFIG (a list of paths, merged: the first file to name a cluster,
// user or context wins, the first current-context wins) or ~/.kube/config; and a context's credentials as an
// ApiEndpoint: bearer token or token file, client certificate and key (files or -data), basic auth, an exec
// credential plugin (client.authentication.k8s.io, its result cached until it expires), the CA or insecure-skip-tls-verify.
// (@kubernetes/client-node's KubeConfig does this too, but its current release needs Node 22; the lab runs on Node 20.)
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import type { ApiEndpoint } from './streams-client';

type Obj = Record<string, any>;

export interface KubeconfigContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
  server?: string;
  /** the file it came from */
  file: string;
}

interface Named<T> {
  name: string;
  value: T;
  file: string;
}

export interface Kubeconfig {
  files: string[];
  currentContext?: string;
  contexts: Named<Obj>[];
  clusters: Named<Obj>[];
  users: Named<Obj>[];
}

/** The kubeconfig paths kubectl would read: $KUBECONFIG's entries that exist, else ~/.kube/config. */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  return (list.length ? list : [join(home, '.kube', 'config')]).filter((p) => existsSync(p));
}

/** Merges kubeconfig documents as kubectl does: first definition of a name wins. */
export function mergeKubeconfigs(docs: { file: string; text: string }[]): Kubeconfig {
  const out: Kubeconfig = { files: [], contexts: [], clusters: [], users: [] };
  for (const { file, text } of docs) {
    let doc: Obj;
    try {
      doc = (parse(text) ?? {}) as Obj;
    } catch {
      continue; // kubectl refuses a broken file; a UI listing contexts skips it
    }
    out.files.push(file);
    out.currentContext ??= doc['current-context'] || undefined;
    for (const [key, field] of [
      ['contexts', 'context'],
      ['clusters', 'cluster'],
      ['users', 'user'],
    ] as const) {
      for (const e of (doc[key] ?? []) as Obj[]) {
        if (!e?.name || out[key].some((x) => x.name === e.name)) continue;
        out[key].push({ name: e.name, value: e[field] ?? {}, file });
      }
    }
  }
  return out;
}

export function loadKubeconfig(env: NodeJS.ProcessEnv = process.env): Kubeconfig {
  return mergeKubeconfigs(kubeconfigPaths(env).map((file) => ({ file, text: readFileSync(file, 'utf8') })));
}

export function contextsOf(k: Kubeconfig): KubeconfigContext[] {
  return k.contexts.map((c) => ({
    name: c.name,
    cluster: c.value.cluster ?? '',
    user: c.value.user ?? '',
    namespace: c.value.namespace,
    server: k.clusters.find((x) => x.name === c.value.cluster)?.value.server,
    file: c.file,
  }));
}

/** A path in a kubeconfig is relative to that file's folder. */
const resolvePath = (p: string, file: string) => (isAbsolute(p) ? p : join(dirname(file), p));
const fileOrData = (o: Obj, key: string, file: string): string | undefined =>
  o[`${key}-data`] ? Buffer.from(o[`${key}-data`], 'base64').toString('utf8') : o[key] ? readFileSync(resolvePath(o[key], file), 'utf8') : undefined;

interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expires?: number;
}

/** Runs an exec credential plugin as kubectl does (KUBERNETES_EXEC_INFO set, its env added) and reads its status. */
export function runExecPlugin(exec: Obj, file: string, cluster: Obj): Promise<ExecCredential> {
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo ? { cluster: { server: cluster.server, 'certificate-authority-data': cluster['certificate-authority-data'] } } : {}),
    },
  };
  const env = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info), ...Object.fromEntries(((exec.env ?? []) as Obj[]).map((e) => [e.name, e.value])) };
  const command = String(exec.command ?? '');
  const cmd = command.includes('/') && !isAbsolute(command) ? resolvePath(command, file) : command;
  return new Promise((resolve, reject) => {
    execFile(cmd, (exec.args ?? []) as string[], { env, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err)
        return reject(
          Object.assign(new Error(`exec plugin "${command}" failed: ${String(stderr).trim() || err.message}`), { status: 401, reason: 'Unauthorized' }),
        );
      try {
        const s = (JSON.parse(String(stdout)) as Obj).status ?? {};
        resolve({
          token: s.token,
          clientCertificateData: s.clientCertificateData,
          clientKeyData: s.clientKeyData,
          expires: s.expirationTimestamp ? Date.parse(s.expirationTimestamp) : undefined,
        });
      } catch {
        reject(Object.assign(new Error(`exec plugin "${command}" printed no ExecCredential`), { status: 401, reason: 'Unauthorized' }));
      }
    });
  });
}

/** The endpoint of a context, credentials included; call it per use (an exec credential may have expired). */
export function endpointOf(k: Kubeconfig, contextName: string): () => Promise<ApiEndpoint> {
  const ctx = k.contexts.find((c) => c.name === contextName);
  if (!ctx) throw Object.assign(new Error(`context "${contextName}" does not exist`), { status: 404, reason: 'NotFound' });
  const cl = k.clusters.find((c) => c.name === ctx.value.cluster);
  if (!cl?.value.server)
    throw Object.assign(new Error(`context "${contextName}": cluster "${ctx.value.cluster}" has no server`), { status: 400, reason: 'BadRequest' });
  const us = k.users.find((u) => u.name === ctx.value.user);
  const cluster = cl.value;
  const user = us?.value ?? {};
  const base: ApiEndpoint = {
    url: String(cluster.server).replace(/\/+$/, ''),
    ca: fileOrData(cluster, 'certificate-authority', cl.file),
    insecureSkipTLSVerify: !!cluster['insecure-skip-tls-verify'],
    cert: fileOrData(user, 'client-certificate', us?.file ?? cl.file),
    key: fileOrData(user, 'client-key', us?.file ?? cl.file),
  };
  if (user.token) base.token = user.token;
  else if (user.tokenFile) base.token = readFileSync(resolvePath(user.tokenFile, us!.file), 'utf8').trim();
  else if (user.username && user.password) base.basic = { username: user.username, password: user.password };
  let cached: ExecCredential | undefined;
  return async () => {
    if (!user.exec) return base;
    if (!cached || (cached.expires !== undefined && cached.expires - 10_000 < Date.now())) cached = await runExecPlugin(user.exec, us!.file, cluster);
    return {
      ...base,
      ...(cached.token ? { token: cached.token } : {}),
      ...(cached.clientCertificateData ? { cert: cached.clientCertificateData } : {}),
      ...(cached.clientKeyData ? { key: cached.clientKeyData } : {}),
    };
  };
}
