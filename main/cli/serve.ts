// `kubelab serve`: the cluster headless plus the UI for a browser; one ready line on stdout, logs on stderr.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from '../cluster';
import { logger, setLogLevel } from '../log';
import { parseServeArgs, serveUsage, UsageError, type ServeOptions } from './args';
import { startUiServer, type UiServer } from './ui-server';
import { bridgeForLab } from '../bridge/attach';

const log = logger('serve');

/** The checkout (or install) root: the nearest ancestor with package.json and main/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'main'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export interface Served {
  cluster: Cluster;
  ui: UiServer;
  readyLine: string;
  stop(): Promise<void>;
}

/** Starts the cluster and the UI server; resolves once the API serves and every node is registered. */
export async function serve(opts: ServeOptions): Promise<Served> {
  const cluster = new Cluster({
    dataDir: opts.dataDir,
    apiPort: opts.apiPort,
    nodes: opts.nodes,
    virtualNodes: opts.virtualNodes,
    controllerOptions: {
      nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriod,
      podEvictionTimeoutSeconds: opts.podEvictionTimeout,
    },
  });
  await cluster.start();
  let ui: UiServer;
  try {
    ui = await startUiServer({ token: cluster.pki!.tokens.ui, root: join(projectRoot(), 'out', 'renderer'), port: opts.uiPort });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  // the renderer's window.kubelab, over a WebSocket on /bridge
  const bridge = bridgeForLab(cluster, cluster.pki!.tokens.ui);
  ui.setBridgeHandler(bridge.handleUpgrade);
  const readyLine = `kubelab ready api=${cluster.apiUrl} ui=${ui.url} kubeconfig=${cluster.kubeconfig}`;
  return {
    cluster,
    ui,
    readyLine,
    async stop() {
      bridge.close();
      await ui.close();
      await cluster.stop();
    },
  };
}

/** CLI entry: parses flags, serves until SIGTERM/SIGINT, returns the exit code. */
export async function serveCommand(argv: string[]): Promise<number> {
  let opts: ServeOptions;
  try {
    opts = parseServeArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`kubelab serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(serveUsage);
    return 0;
  }
  if (opts.logLevel) setLogLevel(opts.logLevel);

  let served: Served | undefined;
  let stopping = false;
  const done = new Promise<number>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { signal: sig });
      const hardStop = setTimeout(() => {
        log.error('did not stop within 20 s, exiting');
        resolve(1);
      }, 20_000);
      hardStop.unref();
      Promise.resolve(served?.stop())
        .then(() => resolve(0))
        .catch((err) => {
          log.error('stop failed', { error: String(err) });
          resolve(1);
        });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  try {
    served = await serve(opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? ' (port in use: pick another with --api-port/--ui-port, or 0 for a free one)' : '';
    process.stderr.write(`kubelab serve: ${e.message}${hint}\n`);
    return 1;
  }
  if (stopping) {
    // a signal arrived while starting
    await served.stop();
    return 0;
  }
  const nodes = served.cluster.nodes.map((n) => `${n.name}(${n.kind})`).join(', ');
  log.info('ready', { nodes });
  process.stdout.write(served.readyLine + '\n');
  return done;
}
