// Keyboard shortcuts, as Gmail and GitHub have them: `g` then a letter goes to a view, `/` focuses the filter,
// Ctrl/Cmd+K the palette. The palette lists each next to its entry. Pure: which key sequence means what.

/** `g` + key -> the view it opens */
export const GO: Record<string, string> = {
  o: '/',
  c: '/create',
  p: '/r/pods',
  d: '/r/deployments',
  r: '/r/replicasets',
  j: '/r/jobs',
  s: '/r/services',
  m: '/r/configmaps',
  x: '/r/secrets',
  n: '/r/nodes',
  a: '/r/namespaces',
  e: '/r/events',
};

/** The shortcut of a route, as the palette shows it (`G P`). */
export function shortcutOf(to: string): string | undefined {
  const k = Object.entries(GO).find(([, path]) => path === to)?.[0];
  return k ? `G ${k.toUpperCase()}` : undefined;
}

export type KeyAction = { go: string } | { focus: 'filter' } | { palette: true } | { pending: 'g' } | undefined;

interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** What a key press means given the key before it (`g`); undefined: not a shortcut, let the page have it. */
export function keyAction(e: KeyLike, pending: 'g' | undefined, typing: boolean): KeyAction {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') return { palette: true };
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (pending === 'g') {
    const to = GO[e.key.toLowerCase()];
    return to ? { go: to } : undefined;
  }
  if (e.key === 'g') return { pending: 'g' };
  if (e.key === '/') return { focus: 'filter' };
  return undefined;
}
