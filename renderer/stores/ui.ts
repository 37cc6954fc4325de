// UI state: namespace, theme, toasts, the kubectl-equivalent bar, confirm dialogs and the bottom dock.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { kubectlFor, type Equivalent, type UiAction } from '../lib/kubectl';
import { addToast, describeError, type Toast } from '../lib/toasts';

export type { Toast } from '../lib/toasts';

export interface DockTab {
  id: string;
  kind: 'exec' | 'logs';
  namespace: string;
  /** a pod, or '' with a selector: every pod of a workload */
  pod: string;
  container?: string;
  /** logs of every pod the selector matches (a Deployment's, a Job's ...) */
  selector?: string;
  /** what the tab says: `deployment/web` */
  title?: string;
}

export type ThemeChoice = 'system' | 'light' | 'dark';

export const useUiStore = defineStore('ui', () => {
  const namespace = ref<string>(localStorage.getItem('kubelab.namespace') ?? '');
  watch(namespace, (v) => localStorage.setItem('kubelab.namespace', v));

  const theme = ref<ThemeChoice>((localStorage.getItem('kubelab.theme') as ThemeChoice) || 'system');
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  const applyTheme = () => {
    const dark = theme.value === 'dark' || (theme.value === 'system' && !!media?.matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  };
  watch(
    theme,
    (v) => {
      localStorage.setItem('kubelab.theme', v);
      applyTheme();
    },
    { immediate: true },
  );
  media?.addEventListener?.('change', applyTheme);

  const toasts = ref<Toast[]>([]);
  let toastSeq = 0;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  const lifetime = (tone: Toast['tone']) => (tone === 'err' ? 9000 : 4000);
  function arm(id: number, tone: Toast['tone']) {
    clearTimeout(timers.get(id));
    timers.set(
      id,
      setTimeout(() => dismiss(id), lifetime(tone)),
    );
  }
  function toast(tone: Toast['tone'], message: string, detail?: string, title?: string) {
    const r = addToast(toasts.value, { id: ++toastSeq, tone, message, detail, title });
    toasts.value = r.list;
    arm(r.id, tone);
    for (const id of timers.keys()) if (!r.list.some((t) => t.id === id)) dismiss(id);
  }
  function dismiss(id: number) {
    clearTimeout(timers.get(id));
    timers.delete(id);
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }
  /** While the pointer rests on a toast it stays, so it can be read and copied. */
  function holdToast(id: number, hold: boolean) {
    const tt = toasts.value.find((x) => x.id === id);
    if (!tt) return;
    if (hold) clearTimeout(timers.get(id));
    else arm(id, tt.tone);
  }
  /** Errors as toasts carrying the Kubernetes Status message, titled by its reason. */
  function error(e: unknown) {
    const d = describeError(e);
    toast('err', d.message, undefined, d.title);
  }

  const equivalent = ref<(Equivalent & { at: number }) | undefined>();
  function did(a: UiAction) {
    equivalent.value = { ...kubectlFor(a), at: Date.now() };
  }

  const confirmState = ref<{ message: string; danger: boolean; resolve: (ok: boolean) => void } | undefined>();
  function confirm(message: string, danger = true): Promise<boolean> {
    return new Promise((resolve) => {
      confirmState.value = { message, danger, resolve };
    });
  }
  function answer(ok: boolean) {
    confirmState.value?.resolve(ok);
    confirmState.value = undefined;
  }

  const promptState = ref<{ message: string; value: string; resolve: (v: string | undefined) => void } | undefined>();
  function prompt(message: string, value = ''): Promise<string | undefined> {
    return new Promise((resolve) => {
      promptState.value = { message, value, resolve };
    });
  }
  function answerPrompt(v: string | undefined) {
    promptState.value?.resolve(v);
    promptState.value = undefined;
  }

  const dock = ref<DockTab[]>([]);
  const activeDock = ref<string | undefined>();
  const dockOpen = ref(false);
  let dockSeq = 0;
  function openDock(t: Omit<DockTab, 'id'>) {
    const id = `${t.kind}-${++dockSeq}`;
    dock.value = [...dock.value, { ...t, id }];
    activeDock.value = id;
    dockOpen.value = true;
  }
  function closeDock(id: string) {
    dock.value = dock.value.filter((t) => t.id !== id);
    if (activeDock.value === id) activeDock.value = dock.value.at(-1)?.id;
    if (!dock.value.length) dockOpen.value = false;
  }

  const paletteOpen = ref(false);

  return {
    namespace,
    theme,
    toasts,
    toast,
    dismiss,
    holdToast,
    error,
    equivalent,
    did,
    confirmState,
    confirm,
    answer,
    promptState,
    prompt,
    answerPrompt,
    dock,
    activeDock,
    dockOpen,
    openDock,
    closeDock,
    paletteOpen,
  };
});
