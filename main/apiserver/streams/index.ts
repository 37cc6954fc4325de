// Streaming subresources served by the node side, as upstream's apiserver proxies them to the kubelet:
// pods/log (plain text, follow, previous, tail, since, timestamps, limitBytes) and pods/exec over
// WebSocket (v5.channel.k8s.io, v4 fallback): frames [channel, payload], status on channel 3, close 1000.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Status } from 'kubernetes-types/meta/v1';
import { WebSocketServer, type WebSocket } from 'ws';
import { errors, isStatusError, StatusError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { R, type Client } from '../../client/types';
import type { Kubelet } from '../../kubelet/index';
import { latestInstances } from '../../kubelet/pod-actions';
import { findPodInKubelets, type KubeletLookup } from '../../kubelet/node-set';
import { logger } from '../../log';
import type { ContainerStatus } from '../../runtime/types';
import type { ApiRequest, StreamHandler } from '../types';
import { servePortForward } from './port-forward';

const log = logger('streams');

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface StreamHandlerOptions {
  /** reads the pod for accurate errors; without it, pods are found in the kubelets' caches */
  client?: Client;
  /** the lab's kubelets by node name (the cluster's NodeSet); without it no pod's node is reached */
  kubelets?: KubeletLookup;
}

interface Target {
  pod: Pod;
  kubelet: Kubelet;
  container: string;
}

const truthy = (v: string | null | undefined) => v === 'true' || v === '1';

/** Upstream's choice of container when none is named. */
export function pickContainer(pod: Pod, requested: string | undefined): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const podName = pod.metadata?.name;
  if (requested) {
    if (!names.includes(requested) && !inits.includes(requested)) {
      throw errors.badRequest(`container ${requested} is not valid for pod ${podName}`);
    }
    return requested;
  }
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names.includes(annotated)) return annotated;
  if (names.length === 1) return names[0];
  let msg = `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`;
  if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
  throw errors.badRequest(msg);
}

function sendFrame(ws: WebSocket, channel: number, data: Buffer | string): void {
  if (ws.readyState !== ws.OPEN) return;
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  ws.send(Buffer.concat([Buffer.from([channel]), payload]));
}

/** The exec's outcome on the error channel, then a normal close: what kubectl reads as the result. */
function sendStatus(ws: WebSocket, status: Status): void {
  sendFrame(ws, CHANNEL.error, JSON.stringify(status));
  if (ws.readyState === ws.OPEN) ws.close(1000);
}

export function createStreamHandler(opts: StreamHandlerOptions = {}): StreamHandler {
  const findKubelet = (nodeName: string) => opts.kubelets?.kubelet(nodeName);
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => EXEC_PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });

  async function resolve(req: ApiRequest, container: string | undefined): Promise<Target> {
    const namespace = req.namespace ?? 'default';
    const name = req.name ?? '';
    let pod: Pod | undefined;
    if (opts.client) {
      try {
        pod = await opts.client.get<Pod & KubeObject>(R.pods, name, namespace);
      } catch (e) {
        if (isStatusError(e, 'NotFound')) throw errors.notFound({ kind: 'pods', name });
        throw e;
      }
    } else {
      pod = findPodInKubelets(opts.kubelets, namespace, name);
      if (!pod) throw errors.notFound({ kind: 'pods', name });
    }
    const c = pickContainer(pod, container);
    const nodeName = pod.spec?.nodeName;
    const kubelet = nodeName ? findKubelet(nodeName) : undefined;
    if (!kubelet) {
      const reason = pod.status?.containerStatuses?.find((s) => s.name === c)?.state?.waiting?.reason ?? 'ContainerCreating';
      if (!nodeName) throw errors.badRequest(`container "${c}" in pod "${name}" is waiting to start: ${reason}`);
      throw new StatusError(503, 'ServiceUnavailable', `the node ${nodeName} of pod "${name}" has no kubelet connected`);
    }
    return { pod, kubelet, container: c };
  }

  async function instances(t: Target): Promise<ContainerStatus[]> {
    return latestInstances(await t.kubelet.podContainers(t.pod.metadata!.uid!), t.container);
  }

  function waitingReason(t: Target): string {
    const all = [...(t.pod.status?.containerStatuses ?? []), ...(t.pod.status?.initContainerStatuses ?? [])];
    return all.find((s) => s.name === t.container)?.state?.waiting?.reason ?? 'ContainerCreating';
  }

  return {
    async log(req: ApiRequest, res: ServerResponse): Promise<void> {
      const q = req.query;
      const t = await resolve(req, q.container);
      const [current, previous] = await instances(t);
      const podName = t.pod.metadata!.name;
      const target = truthy(q.previous) ? previous : current;
      if (!target) {
        if (truthy(q.previous)) throw errors.badRequest(`previous terminated container "${t.container}" in pod "${podName}" not found`);
        throw errors.badRequest(`container "${t.container}" in pod "${podName}" is waiting to start: ${waitingReason(t)}`);
      }
      let since: number | undefined;
      if (q.sinceSeconds) since = Math.floor(Date.now() / 1000) - Number(q.sinceSeconds);
      else if (q.sinceTime) since = Math.floor(new Date(q.sinceTime).getTime() / 1000);
      const tail = q.tailLines !== undefined ? Number(q.tailLines) : undefined;
      const limit = q.limitBytes !== undefined ? Number(q.limitBytes) : undefined;
      const follow = truthy(q.follow) && !truthy(q.previous);
      const stream: Readable = await t.kubelet.runtime.logs(target.id, { follow, tail, since, timestamps: truthy(q.timestamps) });
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', ...(follow ? { 'Transfer-Encoding': 'chunked' } : {}) });
      res.flushHeaders?.();
      let sent = 0;
      // Docker's demuxed stream brings one chunk per log line: chunks of one I/O turn go out as one write, so 100k
      // lines are a few large HTTP chunks and TLS records instead of 100k small ones
      let out: Buffer[] = [];
      let queued = false;
      const flush = () => {
        queued = false;
        if (out.length && !res.writableEnded && !res.destroyed) res.write(out.length === 1 ? out[0] : Buffer.concat(out));
        out = [];
      };
      await new Promise<void>((done) => {
        const finish = () => {
          stream.destroy();
          flush();
          if (!res.writableEnded) res.end();
          done();
        };
        res.on('close', finish);
        stream.on('data', (chunk: Buffer) => {
          if (limit !== undefined) {
            const room = limit - sent;
            if (room <= 0) return finish();
            if (chunk.length > room) chunk = chunk.subarray(0, room);
          }
          sent += chunk.length;
          out.push(chunk);
          if (!queued) {
            queued = true;
            setImmediate(flush);
          }
          if (limit !== undefined && sent >= limit) finish();
        });
        stream.on('end', finish);
        stream.on('error', finish);
      });
    },

    upgrade(req: ApiRequest, httpReq: IncomingMessage, socket: Duplex, head: Buffer): void {
      const fail = (e: unknown) => {
        const err = e instanceof StatusError ? e : errors.internal(String((e as Error)?.message ?? e));
        const data = JSON.stringify(err.toStatus());
        socket.end(
          `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\nConnection: close\r\n\r\n${data}`,
        );
      };
      if (req.subresource === 'portforward') return servePortForward(req, httpReq, socket, head, { client: opts.client, kubelets: opts.kubelets });
      const attach = req.subresource === 'attach';
      if (req.subresource !== 'exec' && !attach) return fail(errors.notImplemented(`${req.subresource} is not supported by this lab's kubelet yet`));
      const url = new URL(httpReq.url ?? '/', 'https://127.0.0.1');
      const command = url.searchParams.getAll('command');
      const tty = truthy(url.searchParams.get('tty'));
      const wantStdin = truthy(url.searchParams.get('stdin'));
      if (!command.length && !attach) return fail(errors.badRequest('you must specify at least 1 command'));
      void (async () => {
        const t = await resolve(req, url.searchParams.get('container') ?? undefined);
        const [current] = await instances(t);
        if (!current || current.state !== 'running') {
          throw errors.badRequest(`unable to upgrade connection: container not found ("${t.container}")`);
        }
        if (attach && !t.kubelet.runtime.attach) throw errors.badRequest('this node cannot attach to containers');
        return { t, id: current.id };
      })()
        .then(({ t, id }) => {
          wss.handleUpgrade(httpReq, socket, head, (ws) => {
            runExec(ws, t.kubelet, id).catch((e: unknown) => {
              // the stream failed (the container removed mid-exec, the engine gone): the client gets a Status, the server goes on
              log.warn('exec stream failed', {
                pod: `${t.pod.metadata?.namespace}/${t.pod.metadata?.name}`,
                container: t.container,
                error: String((e as Error)?.message ?? e),
              });
              sendStatus(ws, {
                metadata: {},
                status: 'Failure',
                message: `error executing command [${command.join(' ')}]: ${String((e as Error)?.message ?? e)}`,
                reason: 'InternalError',
                code: 500,
              });
            });
          });
        })
        .catch(fail);

      const runExec = async (ws: WebSocket, kubelet: Kubelet, id: string) => {
        const v5 = ws.protocol === 'v5.channel.k8s.io';
        const send = (channel: number, data: Buffer | string) => sendFrame(ws, channel, data);
        const finish = (status: Status) => sendStatus(ws, status);
        // a broken frame from the client (or a reset connection) ends this stream only
        ws.on('error', (e) => {
          log.debug('exec websocket error', { error: e.message });
          ws.terminate();
        });
        // frames can arrive before the exec exists (kubectl sends stdin at once): queue them
        const early: Buffer[] = [];
        let onFrame: ((data: Buffer) => void) | undefined = undefined;
        let closed = false;
        ws.on('message', (raw: Buffer, isBinary: boolean) => {
          const data = isBinary ? raw : Buffer.from(raw.toString(), 'utf8');
          if (!data.length) return;
          if (onFrame) onFrame(data);
          else early.push(data);
        });
        ws.on('close', () => {
          closed = true;
          onFrame?.(Buffer.from([CHANNEL.close, CHANNEL.stdin]));
        });
        let session: Awaited<ReturnType<Kubelet['runtime']['exec']>>;
        try {
          session = attach ? await kubelet.runtime.attach!(id, { stdin: wantStdin, tty }) : await kubelet.runtime.exec(id, command, { stdin: wantStdin, tty });
        } catch (e) {
          return finish({ metadata: {}, status: 'Failure', message: String((e as Error).message), reason: 'InternalError', code: 500 });
        }
        // the process may be gone (and its stdin closed) before the client stops typing
        session.stdin?.on('error', (e) => log.debug('exec stdin closed', { error: e.message }));
        const outputs: Promise<void>[] = [];
        const pump = (s: Readable | undefined, channel: number) => {
          if (!s) return;
          outputs.push(
            new Promise((r) => {
              s.on('data', (d: Buffer) => send(channel, d));
              s.on('end', r);
              s.on('close', r);
              s.on('error', () => r());
            }),
          );
        };
        pump(session.stdout, CHANNEL.stdout);
        pump(session.stderr, CHANNEL.stderr);
        onFrame = (data: Buffer) => {
          const channel = data[0];
          const payload = data.subarray(1);
          if (channel === CHANNEL.stdin) {
            if (session.stdin?.writable) session.stdin.write(payload);
          } else if (channel === CHANNEL.resize) {
            try {
              const { Width, Height } = JSON.parse(payload.toString('utf8')) as { Width: number; Height: number };
              session.resize(Width, Height).catch((e: unknown) => log.debug('resize failed', { error: String(e) }));
            } catch {
              log.debug('bad resize frame', { payload: payload.toString('utf8') });
            }
          } else if ((v5 || closed) && channel === CHANNEL.close && payload[0] === CHANNEL.stdin) session.stdin?.end();
          else if (channel !== CHANNEL.close) log.debug('exec frame on an unknown channel ignored', { channel });
        };
        for (const f of early.splice(0)) onFrame(f);
        if (closed) session.stdin?.end();
        const code = await session.wait();
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(outputs), new Promise((r) => (grace = setTimeout(r, 2000)))]);
        clearTimeout(grace);
        if (code === 0) finish({ metadata: {}, status: 'Success' });
        else {
          finish({
            metadata: {},
            status: 'Failure',
            message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
          });
        }
      };
    },
  };
}
