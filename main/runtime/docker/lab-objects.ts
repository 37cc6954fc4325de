// What a lab leaves in a Docker engine and how it goes again: everything it creates carries `kubelab.io/cluster`
// (and its node), so a reset or a node removal removes exactly its own; at start a lab also removes empty pod
// networks that can no longer come back: its own from a killed run, and those of labs whose data dir is gone.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { logger } from '../../log';
import { LABEL } from '../types';

const log = logger('runtime');

/** Labels on a lab's pod networks, naming the lab that made them (which data dir, on which host). */
export const NETWORK_LABEL = {
  dataDir: 'kubelab.io/data-dir',
  host: 'kubelab.io/host',
} as const;

/** The lab of a data dir: its `cluster-id` file, or undefined when the dir or the file is gone. */
export async function clusterIdOfDataDir(dataDir: string): Promise<string | undefined | 'unknown'> {
  try {
    return (await readFile(join(dataDir, 'cluster-id'), 'utf8')).trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : 'unknown';
  }
}

export interface NetworkFacts {
  name: string;
  labels: Record<string, string>;
  /** containers attached now (running endpoints) */
  attached: number;
}

export interface SweepContext {
  clusterId: string;
  host: string;
  /** networks this lab uses on this engine now */
  inUse: string[];
  /** the lab's nodes now, whose networks stay; without it every node-labelled network of the lab stays */
  labNodes?: string[];
  /** cluster ids with a running container on this engine */
  running: Set<string>;
  /** the cluster id a data dir holds now, undefined when it is gone, 'unknown' when it cannot be read */
  dataDirCluster(dir: string): Promise<string | undefined | 'unknown'>;
}

export type SweepDecision = { remove: true; reason: string } | { remove: false; reason: string };

/** Whether a lab-labelled network may go: empty, and its lab certainly gone (or it is this lab's, unused). */
export async function sweepDecision(n: NetworkFacts, ctx: SweepContext): Promise<SweepDecision> {
  const cluster = n.labels[LABEL.cluster];
  if (!cluster) return { remove: false, reason: 'not a lab network' };
  if (ctx.inUse.includes(n.name)) return { remove: false, reason: 'in use by this lab' };
  if (n.attached > 0) return { remove: false, reason: `${n.attached} container(s) attached` };
  if (cluster === ctx.clusterId) {
    const node = n.labels[LABEL.node];
    if (node && (!ctx.labNodes || ctx.labNodes.includes(node))) return { remove: false, reason: `this lab's node ${node} uses it` };
    return { remove: true, reason: "this lab's, left by an earlier run" };
  }
  if (ctx.running.has(cluster)) return { remove: false, reason: 'its lab has running containers here' };
  const dir = n.labels[NETWORK_LABEL.dataDir];
  const host = n.labels[NETWORK_LABEL.host];
  // older labs did not say where they live: another lab of the same user may be running, so it stays
  if (!dir || !host) return { remove: false, reason: 'made by an older lab that did not name its data dir' };
  if (host !== ctx.host) return { remove: false, reason: `its lab lives on another host (${host})` };
  const now = await ctx.dataDirCluster(dir);
  if (now === cluster) return { remove: false, reason: `its lab still exists in ${dir}` };
  if (now === 'unknown') return { remove: false, reason: `cannot read ${dir}` };
  return { remove: true, reason: now ? `${dir} holds another lab now (${now})` : `its data dir ${dir} is gone` };
}

/** Removes the lab networks of this engine that sweepDecision lets go; returns their names. */
export async function sweepNetworks(docker: Docker, ctx: Omit<SweepContext, 'running' | 'dataDirCluster'>): Promise<string[]> {
  const networks = await docker.listNetworks({ filters: { label: [LABEL.cluster] } });
  if (!networks.length) return [];
  const runningList = await docker.listContainers({ filters: { label: [LABEL.cluster], status: ['running'] } });
  const running = new Set(runningList.map((c) => c.Labels?.[LABEL.cluster]).filter((x): x is string => !!x));
  const removed: string[] = [];
  for (const summary of networks) {
    let facts: NetworkFacts;
    try {
      const full = await docker.getNetwork(summary.Id).inspect();
      facts = { name: full.Name, labels: full.Labels ?? {}, attached: Object.keys(full.Containers ?? {}).length };
    } catch {
      continue; // gone meanwhile
    }
    const d = await sweepDecision(facts, { ...ctx, running, dataDirCluster: clusterIdOfDataDir });
    if (!d.remove) {
      log.debug('lab network kept', { network: facts.name, reason: d.reason });
      continue;
    }
    try {
      await docker.getNetwork(summary.Id).remove();
      removed.push(facts.name);
      log.info('removed a lab network nobody can use any more', { network: facts.name, reason: d.reason });
    } catch (e) {
      log.debug('lab network not removed', { network: facts.name, error: String((e as Error).message ?? e) });
    }
  }
  return removed;
}

export interface Removed {
  containers: number;
  networks: number;
  volumes: number;
}

/**
 * Removes a lab's containers, volumes and pod networks from an engine: all of them, or one node's. The one network
 * older labs shared per engine (no node label) goes with a node only when `lastOnEngine` (no other node uses it).
 * Only objects with the lab's labels.
 */
export async function removeLabObjects(docker: Docker, opts: { clusterId: string; nodeName?: string; lastOnEngine?: boolean }): Promise<Removed> {
  const label = [`${LABEL.cluster}=${opts.clusterId}`, ...(opts.nodeName ? [`${LABEL.node}=${opts.nodeName}`] : [])];
  const out: Removed = { containers: 0, networks: 0, volumes: 0 };
  const containers = await docker.listContainers({ all: true, filters: { label } });
  await Promise.all(
    containers.map(async (c) => {
      try {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
        out.containers++;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) log.warn('cannot remove container', { id: c.Id, error: String(e) });
      }
    }),
  );
  const volumes = (await docker.listVolumes({ filters: { label } })).Volumes ?? [];
  for (const v of volumes) {
    try {
      await docker.getVolume(v.Name).remove();
      out.volumes++;
    } catch (e) {
      log.warn('cannot remove volume', { volume: v.Name, error: String(e) });
    }
  }
  const networks = await docker.listNetworks({ filters: { label: [`${LABEL.cluster}=${opts.clusterId}`] } });
  const node = (n: Docker.NetworkInspectInfo) => n.Labels?.[LABEL.node];
  const mine = networks.filter((n) => !opts.nodeName || node(n) === opts.nodeName || (opts.lastOnEngine && !node(n)));
  for (const n of mine) {
    try {
      await docker.getNetwork(n.Id).remove();
      out.networks++;
    } catch (e) {
      log.warn('cannot remove network', { network: n.Name, error: String(e) });
    }
  }
  return out;
}
