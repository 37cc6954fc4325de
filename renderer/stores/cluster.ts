// Cluster lifecycle, start progress, step mode and the bridge connection, pushed from main.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ClusterStatus, ContextInfo, DockerContextInfo, PullProgressInfo, ResetInfo, StepState, StepTarget } from '../../main/bridge/contract';
import { bridge, chooseContext, onBridgeConnection, onContextFailure } from '../bridge';
import { i18n } from '../i18n';
import { useUiStore } from './ui';

export const useClusterStore = defineStore('cluster', () => {
  const status = ref<ClusterStatus>({ phase: 'STARTING' });
  const step = ref<StepState>({ scheduler: false, kubelets: {} });
  const contexts = ref<DockerContextInfo[]>([]);
  const connected = ref(true);
  /** image pulls in progress, per node and image, pushed while they run */
  const pulls = ref<PullProgressInfo[]>([]);
  /** the clusters this window can show (the lab, and the kubeconfig's contexts), and the one it shows */
  const clusters = ref<ContextInfo[]>([]);
  const currentCluster = ref<string>('lab');
  /** another cluster than the lab: the lab-only views (flow trace, Docker reality, step mode, nodes from Docker) are hidden */
  const external = computed(() => status.value.external);
  let started = false;

  async function init() {
    if (started) return;
    started = true;
    const b = bridge();
    onBridgeConnection((c) => {
      const was = connected.value;
      connected.value = c;
      if (c && !was) void refresh();
    });
    b.cluster.onStatus((s) => {
      // a node added or removed elsewhere (another window, or done now): the context list says which node each serves
      if (status.value.nodeActivity && !s.nodeActivity) void refreshContexts();
      status.value = s;
    });
    b.step.onState((s) => (step.value = s));
    b.pulls.onProgress((p) => (pulls.value = p));
    onContextFailure((message) => useUiStore().toast('err', i18n.global.t('contexts.failed', { message }), undefined, i18n.global.t('contexts.title')));
    await refresh();
  }

  async function refresh() {
    const b = bridge();
    try {
      status.value = await b.cluster.status();
      const cs = await b.contexts.list();
      clusters.value = cs.contexts;
      currentCluster.value = cs.current;
      if (status.value.external) return;
      step.value = await b.step.get();
      contexts.value = await b.nodes.contexts();
      pulls.value = await b.pulls.list();
    } catch (e) {
      useUiStore().error(e);
    }
  }

  async function setPaused(target: StepTarget, paused: boolean) {
    try {
      step.value = await bridge().step.set({ target, paused });
    } catch (e) {
      useUiStore().error(e);
    }
  }

  async function setSlowMotion(ms: number) {
    try {
      step.value = await bridge().step.set({ slowMotionMs: ms });
    } catch (e) {
      useUiStore().error(e);
    }
  }

  async function refreshContexts() {
    try {
      contexts.value = await bridge().nodes.contexts();
    } catch (e) {
      useUiStore().error(e);
    }
  }

  /** Adds a Docker context as a node; resolves to the node's name, or undefined after an error toast. */
  async function addNode(context: string): Promise<string | undefined> {
    try {
      return (await bridge().nodes.add({ context })).name;
    } catch (e) {
      useUiStore().error(e);
    } finally {
      await refreshContexts();
    }
  }

  async function removeNode(node: string): Promise<boolean> {
    try {
      await bridge().nodes.remove({ node });
      return true;
    } catch (e) {
      useUiStore().error(e);
      return false;
    } finally {
      await refreshContexts();
    }
  }

  async function stopAllPods(): Promise<number | undefined> {
    try {
      return await bridge().cluster.stopAllPods();
    } catch (e) {
      useUiStore().error(e);
    }
  }

  /** Resets the lab (a new one starts in its place); undefined when it failed (the error is shown). */
  async function resetLab(): Promise<ResetInfo | undefined> {
    try {
      return await bridge().cluster.reset();
    } catch (e) {
      useUiStore().error(e);
    }
  }

  /** Shows another cluster in this window (it reloads into it); the choice is checked first, so a dead one is refused here. */
  async function useCluster(id: string): Promise<void> {
    if (id === currentCluster.value) return;
    try {
      // probe: the server connects (or refuses with why) before the page commits to it
      if (id !== 'lab') await bridge().contexts.use(id);
      chooseContext(id);
    } catch (e) {
      useUiStore().error(e);
    }
  }

  return {
    status,
    step,
    contexts,
    connected,
    pulls,
    clusters,
    currentCluster,
    external,
    useCluster,
    init,
    refresh,
    refreshContexts,
    addNode,
    removeNode,
    setPaused,
    setSlowMotion,
    stopAllPods,
    resetLab,
  };
});
