// The toast queue's rules: an error says the Status reason, repeats fold into one, and the stack stays short.

export interface Toast {
  id: number;
  tone: 'ok' | 'err' | 'info';
  message: string;
  /** the Status reason and code of an error, e.g. "AlreadyExists (409)" */
  title?: string;
  detail?: string;
  /** how many times the same message came while shown */
  count: number;
}

/** Most toasts shown at once; the oldest goes first. */
export const MAX_TOASTS = 4;

/** Adds a toast, or bumps the one already showing the same tone and message (it moves to the end). */
export function addToast(list: Toast[], next: Omit<Toast, 'count'>, max = MAX_TOASTS): { list: Toast[]; id: number } {
  const same = list.find((t) => t.tone === next.tone && t.message === next.message && t.title === next.title);
  if (same) {
    return { list: [...list.filter((t) => t !== same), { ...same, count: same.count + 1 }], id: same.id };
  }
  return { list: [...list, { ...next, count: 1 }].slice(-max), id: next.id };
}

/** What a thrown value tells a user: the Status message, titled by its reason and code where it has them. */
export function describeError(e: unknown): { message: string; title?: string } {
  const o = (e && typeof e === 'object' ? e : {}) as { message?: unknown; reason?: unknown; status?: unknown; code?: unknown };
  const message = typeof o.message === 'string' && o.message ? o.message : String(e);
  const reason = typeof o.reason === 'string' && o.reason ? o.reason : undefined;
  const code = typeof o.status === 'number' ? o.status : typeof o.code === 'number' ? o.code : undefined;
  const title = reason ? (code ? `${reason} (${code})` : reason) : code ? String(code) : undefined;
  return title ? { message, title } : { message };
}
