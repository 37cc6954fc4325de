import { describe, expect, it } from 'vitest';
import { keyAction, shortcutOf } from '../../../renderer/lib/shortcuts';

describe('keyboard shortcuts', () => {
  it.each<[string, { key: string; ctrlKey?: boolean; metaKey?: boolean }, 'g' | undefined, boolean, unknown]>([
    ['Ctrl+K opens the palette, even while typing', { key: 'k', ctrlKey: true }, undefined, true, { palette: true }],
    ['Cmd+K on a Mac', { key: 'K', metaKey: true }, undefined, false, { palette: true }],
    ['g starts a go-to', { key: 'g' }, undefined, false, { pending: 'g' }],
    ['g p goes to the pods', { key: 'p' }, 'g', false, { go: '/r/pods' }],
    ['g n goes to the nodes', { key: 'n' }, 'g', false, { go: '/r/nodes' }],
    ['g then an unknown letter does nothing', { key: 'q' }, 'g', false, undefined],
    ['/ focuses the filter', { key: '/' }, undefined, false, { focus: 'filter' }],
    ['nothing while typing in a field or the editor', { key: 'g' }, undefined, true, undefined],
    ['a plain letter is not a shortcut', { key: 'p' }, undefined, false, undefined],
    ["Ctrl+P is the browser's", { key: 'p', ctrlKey: true }, 'g', false, undefined],
  ])('%s', (_n, e, pending, typing, want) => {
    expect(keyAction(e, pending, typing)).toEqual(want);
  });
  it("names each view's shortcut for the palette", () => {
    expect(shortcutOf('/r/pods')).toBe('G P');
    expect(shortcutOf('/')).toBe('G O');
    expect(shortcutOf('/r/leases')).toBeUndefined();
  });
});
