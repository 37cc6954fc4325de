import { describe, expect, it } from 'vitest';
import { defaultDataDir, parseServeArgs } from '../../../main/cli/args';

describe('parseServeArgs', () => {
  const base = { dataDir: '/home/u/.config/kubelab', cwd: '/work' };
  const rows: { name: string; argv: string[]; want: Record<string, unknown> }[] = [
    { name: 'defaults', argv: [], want: { dataDir: '/home/u/.config/kubelab', apiPort: 6443, uiPort: 8080, nodes: [], virtualNodes: 0, help: false } },
    {
      name: 'ports 0 and a relative data dir',
      argv: ['--data-dir', 'lab', '--api-port', '0', '--ui-port', '0'],
      want: { dataDir: '/work/lab', apiPort: 0, uiPort: 0 },
    },
    { name: '--flag=value form', argv: ['--data-dir=/tmp/x', '--api-port=7443'], want: { dataDir: '/tmp/x', apiPort: 7443 } },
    {
      name: 'repeatable --node, deduplicated',
      argv: ['--node', 'default', '--node', 'kubelab-node2', '--node', 'default'],
      want: { nodes: ['default', 'kubelab-node2'] },
    },
    { name: 'virtual nodes', argv: ['--virtual-nodes', '3'], want: { virtualNodes: 3 } },
    {
      name: 'timing flags',
      argv: ['--node-monitor-grace-period', '8', '--pod-eviction-timeout', '0'],
      want: { nodeMonitorGracePeriod: 8, podEvictionTimeout: 0 },
    },
    { name: 'cluster CIDR', argv: ['--cluster-cidr', '10.200.0.0/16'], want: { clusterCIDR: '10.200.0.0/16' } },
    { name: 'data plane through the engine API', argv: ['--data-plane', 'api'], want: { dataPlane: 'api' } },
    { name: 'data plane direct', argv: ['--data-plane=direct'], want: { dataPlane: 'direct' } },
    { name: 'metric resolution, 0 turns metrics off', argv: ['--metric-resolution', '0'], want: { metricResolution: 0 } },
    { name: '--expose-ports takes no value', argv: ['--expose-ports', '--virtual-nodes', '1'], want: { exposePorts: true, virtualNodes: 1 } },
    { name: '--expose-ports=false', argv: ['--expose-ports=false'], want: { exposePorts: false } },
    {
      name: 'service account token cap, a Go duration',
      argv: ['--service-account-max-token-expiration', '24h'],
      want: { serviceAccountMaxTokenExpiration: 86_400 },
    },
    { name: 'token cap in hours and minutes', argv: ['--service-account-max-token-expiration=1h30m'], want: { serviceAccountMaxTokenExpiration: 5400 } },
    { name: 'help', argv: ['--help'], want: { help: true } },
    { name: 'short help', argv: ['-h'], want: { help: true } },
  ];
  for (const row of rows) {
    it(row.name, () => expect(parseServeArgs(row.argv, base)).toMatchObject(row.want));
  }

  it('keeps ports on loopback unless told', () => expect(parseServeArgs([], base).exposePorts).toBeFalsy());

  const bad: [string[], RegExp][] = [
    [['--bogus'], /unknown flag --bogus/],
    [['--api-port'], /--api-port needs a value/],
    [['--api-port', '--ui-port', '1'], /--api-port needs a value/],
    [['--api-port', 'abc'], /"abc" is not a port/],
    [['--ui-port', '70000'], /"70000" is not a port/],
    [['--virtual-nodes', '-1'], /--virtual-nodes needs a value|not a whole number/],
    [['--virtual-nodes', 'two'], /"two" is not a whole number/],
    [['--node-monitor-grace-period', '0'], /not a whole number >= 1/],
    [['--log-level', 'loud'], /not one of debug, info, warn, error/],
    [['--cluster-cidr', '10.100.0.0/25'], /--cluster-cidr: "10.100.0.0\/25" is smaller than one node's \/24/],
    [['--cluster-cidr', '10.96.0.0/16'], /overlaps the Service CIDR 10.96.0.0\/12/],
    [['--data-plane', 'tunnel'], /--data-plane: "tunnel" is not one of auto, direct, api/],
    [['--metric-resolution', '1.5'], /"1.5" is not a whole number/],
    [['serve'], /unexpected argument "serve"/],
    [['--expose-ports=yes'], /--expose-ports takes no value/],
    [['--service-account-max-token-expiration', '30m'], /out of range, must be between 1 hour and 2\^32 seconds/],
    [['--service-account-max-token-expiration', 'soon'], /"soon" is not a duration/],
    [['--api-port', '9000', '--ui-port', '9000'], /both 9000/],
  ];
  for (const [argv, msg] of bad) {
    it(`refuses ${argv.join(' ')}`, () => expect(() => parseServeArgs(argv, base)).toThrow(msg));
  }
});

describe('defaultDataDir', () => {
  const rows: [NodeJS.Platform, NodeJS.ProcessEnv, string][] = [
    ['linux', {}, '/home/u/.config/kubelab/lab'],
    ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/kubelab/lab'],
    ['darwin', {}, '/home/u/Library/Application Support/kubelab/lab'],
  ];
  for (const [platform, env, want] of rows) {
    it(`${platform} ${JSON.stringify(env)}`, () => expect(defaultDataDir(platform, env, '/home/u')).toBe(want));
  }
  it('win32 uses %APPDATA%', () =>
    expect(defaultDataDir('win32', { APPDATA: 'C:/Users/u/AppData/Roaming' }, 'C:/Users/u')).toMatch(/AppData[\\/]Roaming[\\/]kubelab[\\/]lab$/));
});
