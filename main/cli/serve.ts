// `kubelab serve`: the cluster headless plus the UI for a browser; one ready line on stdout, logs on stderr.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { Cluster } from '../cluster';
import { logger, logUnhandledRejections, setLogLevel } from '../log';
import { parseServeArgs, serveUsage, UsageError, type ServeOptions } from './args';
import { startUiServer, type UiServer } from './ui-server';
import { bridgeForLab } from '../bridge/attach';
import { packageRoot } from '../resources';

const log = logger('serve');

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
    clusterCIDR: opts.clusterCIDR,
    exposePorts: opts.exposePorts,
    serviceAccountMaxTokenExpirationSeconds: opts.serviceAccountMaxTokenExpiration,
    ...(opts.overlayTunDevice ? { overlayTunDevice: opts.overlayTunDevice } : {}),
    ...(opts.dataPlane ? { dataPlane: opts.dataPlane } : {}),
    ...(opts.metricResolution !== undefined ? { metricResolutionMs: opts.metricResolution * 1000 } : {}),
    controllerOptions: {
      nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriod,
      podEvictionTimeoutSeconds: opts.podEvictionTimeout,
    },
  });
  await cluster.start();
  let ui: UiServer;
  try {
    ui = await startUiServer({ token: cluster.pki!.tokens.ui, root: join(packageRoot(), 'out', 'renderer'), port: opts.uiPort });
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

/** serve's own hard stop, after which it exits 1 even if a part is still stopping */
const HARD_STOP_MS = 20_000;
/** after this, the process is killed from a watchdog thread: the main thread no longer runs even its timers */
export const WATCHDOG_MS = 25_000;

// Runs on its own thread, so it still acts when the main thread spins (a loop that never yields starves timers).
const watchdogSource = `
const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
parentPort.once('message', ({ ms, pid }) => {
  setTimeout(() => {
    writeSync(2, new Date().toISOString() + ' ERROR [serve] still running ' + ms / 1000 + ' s after the stop signal (its main thread stuck or spinning); killing the process\\n');
    process.kill(pid, 'SIGKILL');
  }, ms);
});`;

/** Arms a thread that kills this process if it has not exited `ms` after now. */
export function armStopWatchdog(ms = WATCHDOG_MS): void {
  const worker = new Worker(watchdogSource, { eval: true });
  worker.unref();
  worker.on('error', (err) => log.warn('stop watchdog failed', { error: String(err) }));
  worker.postMessage({ ms, pid: process.pid });
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
  logUnhandledRejections();

  let served: Served | undefined;
  let stopping = false;
  const done = new Promise<number>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { signal: sig });
      armStopWatchdog();
      const hardStop = setTimeout(() => {
        log.error(`did not stop within ${HARD_STOP_MS / 1000} s, exiting`);
        resolve(1);
      }, HARD_STOP_MS);
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
