// `kubelab serve --cluster-cidr`: nodes get their /24 from it, the data dir keeps it, and another one later is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { labSteps, startServe, type Serve } from '../fixtures/serve';

let lab: Serve | undefined;
let dataDir = '';
const { json } = labSteps(() => lab!);
afterAll(async () => {
  await lab?.stop({ keepDataDir: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the cluster CIDR', () => {
  it('gives every node a /24 of it, shown by kubectl, and is kept in the data dir', async () => {
    lab = await startServe({ virtualNodes: 2, nodes: ['kubelab-no-such-context'], args: ['--cluster-cidr', '10.252.0.0/16'] });
    dataDir = lab.dataDir;
    const nodes = (await json<{ items: any[] }>('get', 'nodes')).items;
    expect(nodes.map((n) => n.spec.podCIDRs).sort()).toEqual([['10.252.0.0/24'], ['10.252.1.0/24']]);
    expect(JSON.parse(await readFile(join(dataDir, 'network.json'), 'utf8'))).toEqual({ clusterCIDR: '10.252.0.0/16' });
  });

  it('a restart without the flag keeps it; another value is refused, saying what to do', async () => {
    await lab!.stop({ keepDataDir: true });
    lab = await startServe({ dataDir, virtualNodes: 2, nodes: ['kubelab-no-such-context'] });
    expect((await json<{ items: any[] }>('get', 'nodes')).items.map((n) => n.spec.podCIDR).sort()).toEqual(['10.252.0.0/24', '10.252.1.0/24']);
    await lab.stop({ keepDataDir: true });
    lab = undefined;
    const refused = await startServe({ dataDir, virtualNodes: 1, nodes: ['kubelab-no-such-context'], args: ['--cluster-cidr', '10.253.0.0/16'] }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(refused).toContain(
      `this lab's cluster CIDR is 10.252.0.0/16 (kept in ${join(dataDir, 'network.json')}); its nodes' pod CIDRs come from it. To use 10.253.0.0/16, reset the lab or start one with another --data-dir`,
    );
  });
});
