// Which cluster a window shows: the lab, or any context of the user's kubeconfig. Backends for kubeconfig contexts
// are made on first use and shared by every window that picks the same context; they end with the lab.
import { LAB_CONTEXT, type ContextInfo } from './contract';
import { contextsOf, loadKubeconfig } from './kubeconfig';
import { remoteBackend, type RemoteBackend } from './remote-backend';
import type { BridgeBackend } from './server';

const PREFIX = 'kubeconfig:';

export interface ContextProvider {
  list(): ContextInfo[];
  /** the backend for a context id; rejects (404, or why the cluster did not answer) */
  backend(id: string): Promise<BridgeBackend>;
}

export class ClusterContexts implements ContextProvider {
  private readonly remotes = new Map<string, Promise<RemoteBackend>>();

  constructor(
    private readonly lab: BridgeBackend,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    // the forwards of other clusters' pods end with the lab, as the lab's own do
    lab.onStatus?.((s) => (s.phase === 'STOPPING' || s.phase === 'STOPPED') && this.closeAll());
  }

  list(): ContextInfo[] {
    const k = loadKubeconfig(this.env);
    const lab = this.lab.status();
    return [
      { id: LAB_CONTEXT, name: 'kubelab', lab: true, ...(lab.apiUrl ? { server: lab.apiUrl } : {}) },
      ...contextsOf(k).map((c) => ({
        id: `${PREFIX}${c.name}`,
        name: c.name,
        user: c.user,
        ...(c.server ? { server: c.server } : {}),
        ...(c.namespace ? { namespace: c.namespace } : {}),
        ...(k.currentContext === c.name ? { current: true } : {}),
      })),
    ];
  }

  async backend(id: string): Promise<BridgeBackend> {
    if (id === LAB_CONTEXT) return this.lab;
    if (typeof id !== 'string' || !id.startsWith(PREFIX)) throw Object.assign(new Error(`unknown context id "${id}"`), { status: 400, reason: 'BadRequest' });
    const name = id.slice(PREFIX.length);
    let p = this.remotes.get(name);
    if (!p) {
      // read the kubeconfig now: a context added since the lab started is found
      p = remoteBackend(loadKubeconfig(this.env), name);
      this.remotes.set(name, p);
      p.catch(() => this.remotes.delete(name));
    }
    return p;
  }

  closeAll(): void {
    for (const p of this.remotes.values())
      void p.then(
        (b) => b.close(),
        () => undefined,
      );
    this.remotes.clear();
  }
}
