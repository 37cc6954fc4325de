// One API server per test file, in-process (memory store, fresh PKI), and the real kubectl against it.
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer, type ApiServer, type ApiServerOptions } from '../../main/apiserver/index';
import { ensurePki, writeKubeconfig } from '../../main/apiserver/pki';
import type { AdmissionPlugin } from '../../main/apiserver/admission/types';
import { memoryStore } from '../../main/store/index';
import type { Store } from '../../main/store/types';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestApi {
  api: ApiServer;
  store: Store;
  url: string;
  kubeconfig: string;
  dir: string;
  kubectl(args: string[], opts?: { input?: string; kubeconfig?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** a raw HTTPS request as the admin (or with the given token), for what kubectl cannot send */
  request(
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }>;
  stop(): Promise<void>;
}

export async function startApi(opts: { admission?: AdmissionPlugin[]; server?: Partial<ApiServerOptions> } = {}): Promise<TestApi> {
  const dir = await mkdtemp(join(tmpdir(), 'kubelab-kubectl-'));
  const pki = await ensurePki(dir);
  const store = memoryStore();
  const api = createApiServer({ ...opts.server, store, dataDir: dir, admission: opts.admission });
  const server = await api.listen({ port: 0, key: pki.key, cert: pki.cert, tokens: { admin: pki.tokens.admin } });
  await api.bootstrap();
  const url = `https://127.0.0.1:${server.port}`;
  const kubeconfig = await writeKubeconfig(dir, pki, url);
  const kubectl = (args: string[], o: { input?: string; kubeconfig?: string; timeoutMs?: number } = {}) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        '/usr/bin/kubectl',
        [`--cache-dir=${join(dir, 'cache')}`, ...args],
        { env: { ...process.env, KUBECONFIG: o.kubeconfig ?? kubeconfig, HOME: dir }, timeout: o.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (o.input !== undefined) child.stdin!.end(o.input);
    });
  const request = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const r = httpsRequest(
        `${url}${path}`,
        { method, ca: pki.caCert, headers: { authorization: `Bearer ${pki.tokens.admin}`, 'content-type': 'application/json', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      r.on('error', reject);
      r.end(body);
    });
  return {
    api,
    store,
    url,
    kubeconfig,
    dir,
    kubectl,
    request,
    async stop() {
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
