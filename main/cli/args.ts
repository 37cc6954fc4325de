// Flags of `kubelab serve`, parsed by a pure function so every rule has a table test.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { clusterCidrProblem } from '../api/cidr';
import { serviceCIDR } from '../proxy/allocator';
import { DATA_PLANE_MODES, type DataPlaneMode } from '../runtime/docker/data-plane';

export interface ServeOptions {
  dataDir: string;
  apiPort: number;
  uiPort: number;
  /** Docker contexts to use as nodes (repeatable); empty = the nodes saved in the data dir, else the current context */
  nodes: string[];
  virtualNodes: number;
  /** seconds a node's heartbeat may lapse before it is NotReady (upstream 40) */
  nodeMonitorGracePeriod?: number;
  /** seconds pods stay bound to an unreachable node before eviction (upstream 300) */
  podEvictionTimeout?: number;
  /** the pods' address range, one /24 per node; fixed when the data dir is made (default 10.244.0.0/16) */
  clusterCIDR?: string;
  /** the TUN device the node agents of the pod overlay get (default /dev/net/tun) */
  overlayTunDevice?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** how the lab reaches pod ports (probes, port-forward, NodePorts): auto (default), direct or api */
  dataPlane?: DataPlaneMode;
  /** seconds between two readings of the containers' stats (metrics-server's --metric-resolution); 0: no metrics */
  metricResolution?: number;
  /** hostPorts and NodePorts listen on every interface instead of 127.0.0.1 only */
  exposePorts?: boolean;
  /** seconds; longer TokenRequests are shortened (upstream's --service-account-max-token-expiration) */
  serviceAccountMaxTokenExpiration?: number;
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Where the lab keeps its data when --data-dir is not given: `lab` in the app's folder (Electron's userData, per
 * platform conventions), so `kubelab serve` and the desktop app run the same lab and Chromium's profile stays apart.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'kubelab', 'lab');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'kubelab', 'lab');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'kubelab', 'lab');
}

export const serveUsage = `Usage: kubelab serve [flags]

Runs the lab headless: the API server (for kubectl) on https://127.0.0.1 and the UI for a browser.
When ready it prints one line on stdout:
  kubelab ready api=https://127.0.0.1:PORT ui=http://127.0.0.1:PORT/?token=... kubeconfig=PATH
Logs go to stderr. SIGTERM or SIGINT (Ctrl-C) stops it cleanly.

Flags:
  --data-dir DIR          where the store, certificates, tokens and kubeconfig live
                          (default: ${defaultDataDir()})
  --api-port N            HTTPS port of the API server on 127.0.0.1; 0 picks a free one (default 6443)
  --ui-port N             HTTP port of the UI on 127.0.0.1; 0 picks a free one (default 8080)
  --node CONTEXT          a Docker context to run as a node, named after it; repeatable
                          (default: the nodes this lab last ran, kept in <data-dir>/nodes.json,
                          else the current context, as \`docker context ls\` marks it)
  --virtual-nodes N       also run N simulated nodes (no Docker); with no reachable engine
                          the lab runs on one virtual node anyway (default 0)
  --node-monitor-grace-period SECONDS
                          how long a node may miss heartbeats before it turns NotReady (default 40)
  --pod-eviction-timeout SECONDS
                          how long pods stay on an unreachable node before eviction (default 300)
  --cluster-cidr CIDR     the pods' IPv4 range; each node gets one /24 of it as its podCIDR
                          (default 10.244.0.0/16); kept in the data dir, so it is set when a
                          lab is made: another value on an existing lab is refused
  --overlay-tun-device PATH
                          the TUN device each node's overlay agent gets from its engine
                          (default /dev/net/tun); where the engine has none, or refuses
                          NET_ADMIN, the node says so (condition PodOverlay, an event) and
                          its pods reach only their own node
  --data-plane MODE       how the lab reaches pod ports (probes, port-forward, NodePorts): api through
                          each engine's Docker API (works on every engine, also Docker Desktop, colima
                          and remote ones), direct by dialing pod IPs from this machine, or auto: direct
                          where a check at a node's first pod shows this machine reaches its pod
                          addresses, else api (default auto)
  --metric-resolution SECONDS
                          how often CPU and memory are read from the engines, for kubectl top and the
                          UI's charts; 0 turns metrics off (default 5)
  --expose-ports          let hostPorts and NodePorts listen on every interface (0.0.0.0), so other
                          machines can reach them; without it they bind 127.0.0.1 only, whatever a
                          pod's hostIP says (default off)
  --service-account-max-token-expiration DURATION
                          the longest a requested service-account token may live (Go duration,
                          1h to 2^32s, e.g. 24h); longer requests are shortened (default: no cap)
  --log-level LEVEL       debug, info, warn or error (default info)
  -h, --help              show this help

Example:
  kubelab serve --data-dir /tmp/lab --api-port 0
  KUBECONFIG=/tmp/lab/kubeconfig kubectl get nodes
`;

const known = new Set([
  'data-dir',
  'api-port',
  'ui-port',
  'node',
  'virtual-nodes',
  'node-monitor-grace-period',
  'pod-eviction-timeout',
  'metric-resolution',
  'cluster-cidr',
  'log-level',
  'expose-ports',
  'service-account-max-token-expiration',
  'overlay-tun-device',
  'data-plane',
  'help',
]);

/** A Go duration such as `24h`, `1h30m` or `90s`, in whole seconds. */
function duration(flag: string, v: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (!v || !m) throw new UsageError(`--${flag}: "${v}" is not a duration (e.g. 24h, 1h30m, 3600s)`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function port(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--${flag}: "${v}" is not a port (0-65535; 0 picks a free port)`);
  return Number(v);
}

function count(flag: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${flag}: "${v}" is not a whole number${min ? ` >= ${min}` : ''}`);
  return Number(v);
}

/** Parses `serve` flags (argv after the subcommand). Throws UsageError with a message for the user. */
export function parseServeArgs(argv: string[], defaults: { dataDir?: string; cwd?: string } = {}): ServeOptions {
  const opts: ServeOptions = { dataDir: '', apiPort: 6443, uiPort: 8080, nodes: [], virtualNodes: 0, help: false };
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      opts.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (flags start with --; see kubelab serve --help)`);
    let flag = arg.slice(2);
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (eq >= 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (!known.has(flag)) throw new UsageError(`unknown flag --${flag} (see kubelab serve --help)`);
    if (flag === 'help') {
      opts.help = true;
      continue;
    }
    if (flag === 'expose-ports') {
      if (value !== undefined && value !== 'true' && value !== 'false')
        throw new UsageError(`--expose-ports takes no value (or =true, =false), not "${value}"`);
      opts.exposePorts = value !== 'false';
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`--${flag} needs a value`);
    }
    switch (flag) {
      case 'data-dir':
        if (!value) throw new UsageError('--data-dir needs a value');
        dataDir = value;
        break;
      case 'api-port':
        opts.apiPort = port(flag, value);
        break;
      case 'ui-port':
        opts.uiPort = port(flag, value);
        break;
      case 'node':
        if (!value) throw new UsageError('--node needs a Docker context name');
        if (!opts.nodes.includes(value)) opts.nodes.push(value);
        break;
      case 'virtual-nodes':
        opts.virtualNodes = count(flag, value);
        break;
      case 'node-monitor-grace-period':
        opts.nodeMonitorGracePeriod = count(flag, value, 1);
        break;
      case 'pod-eviction-timeout':
        opts.podEvictionTimeout = count(flag, value);
        break;
      case 'cluster-cidr': {
        const problem = clusterCidrProblem(value, `${serviceCIDR.base}/${serviceCIDR.bits}`);
        if (problem) throw new UsageError(`--cluster-cidr: ${problem}`);
        opts.clusterCIDR = value;
        break;
      }
      case 'service-account-max-token-expiration': {
        const seconds = duration(flag, value);
        // upstream's range check of the same flag
        if (seconds < 3600 || seconds > 2 ** 32)
          throw new UsageError('--service-account-max-token-expiration is out of range, must be between 1 hour and 2^32 seconds');
        opts.serviceAccountMaxTokenExpiration = seconds;
        break;
      }
      case 'overlay-tun-device':
        if (!value.startsWith('/')) throw new UsageError(`--overlay-tun-device: "${value}" is not an absolute path`);
        opts.overlayTunDevice = value;
        break;
      case 'data-plane':
        if (!DATA_PLANE_MODES.includes(value as DataPlaneMode)) throw new UsageError(`--data-plane: "${value}" is not one of ${DATA_PLANE_MODES.join(', ')}`);
        opts.dataPlane = value as DataPlaneMode;
        break;
      case 'metric-resolution':
        opts.metricResolution = count(flag, value);
        break;
      case 'log-level':
        if (!['debug', 'info', 'warn', 'error'].includes(value)) throw new UsageError(`--log-level: "${value}" is not one of debug, info, warn, error`);
        opts.logLevel = value as ServeOptions['logLevel'];
        break;
    }
  }
  opts.dataDir = resolve(defaults.cwd ?? process.cwd(), dataDir ?? defaults.dataDir ?? defaultDataDir());
  if (opts.apiPort !== 0 && opts.apiPort === opts.uiPort) throw new UsageError(`--api-port and --ui-port are both ${opts.apiPort}; give them different ports`);
  return opts;
}
