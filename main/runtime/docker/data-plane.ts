// How the lab reaches a node's pod ports: directly (this machine routes to the engine's container addresses:
// rootful Docker on local Linux) or through the engine's Docker API (Docker Desktop, colima, rootless, remote).
// Decided by checking, not by OS name: a listener in a pod sandbox (`/pause listen`) and a direct connect to it.
import type Docker from 'dockerode';
import { directDial } from './net-probes';

export type DataPlaneMode = 'auto' | 'direct' | 'api';

export interface DataPlane {
  mode: 'direct' | 'api';
  /** why, in a sentence a user reads on the node */
  reason: string;
  /** not decided yet (no pod to check with): ask again later */
  pending?: boolean;
}

export const DATA_PLANE_MODES: readonly DataPlaneMode[] = ['auto', 'direct', 'api'];

/** How long a direct connect to a pod address may take before the node is taken as behind a boundary. */
const DIRECT_CONNECT_MS = 1000;

/** Listens in the sandbox's network namespace and connects to it from here: direct when the greeting arrives. */
export async function checkDirectReach(docker: Docker, sandboxId: string, ip: string): Promise<DataPlane> {
  const exec = await docker.getContainer(sandboxId).exec({ Cmd: ['/pause', 'listen', '0', '5000'], AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: false, Tty: false })) as unknown as NodeJS.ReadWriteStream & { destroy(): void };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('the sandbox did not start a listener (its pause image has no listen mode)')), 5000);
      stream.on('data', (d: Buffer) => {
        // multiplexed frames; the line is short, so reading the text after each 8-byte header is enough
        for (let i = 0; i + 8 <= d.length;) {
          const len = d.readUInt32BE(i + 4);
          text += d.subarray(i + 8, i + 8 + len).toString('utf8');
          i += 8 + len;
        }
        const m = /listening (\d+)/.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      stream.on('end', () => reject(new Error(text.trim() || 'the listener ended')));
    });
    try {
      const sock = await directDial(ip, port, DIRECT_CONNECT_MS);
      const greeting = await new Promise<string>((resolve) => {
        let got = '';
        const timer = setTimeout(() => resolve(got), DIRECT_CONNECT_MS);
        sock.on('data', (d: Buffer) => (got += d.toString('utf8')));
        sock.on('end', () => {
          clearTimeout(timer);
          resolve(got);
        });
        sock.on('error', () => resolve(got));
      });
      sock.destroy();
      if (greeting === 'kubelab\n') return { mode: 'direct', reason: `this machine reaches pod addresses (${ip}) directly` };
      return {
        mode: 'api',
        reason: `pod address ${ip} answered this machine with something else than the pod: pod ports are reached through the engine's Docker API`,
      };
    } catch (e) {
      return {
        mode: 'api',
        reason: `pod address ${ip} is not reachable from this machine (${(e as Error).message}): pod ports are reached through the engine's Docker API`,
      };
    }
  } finally {
    stream.destroy();
  }
}
