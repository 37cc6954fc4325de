import { describe, expect, it } from 'vitest';
import { addToast, describeError, MAX_TOASTS, type Toast } from '../../../renderer/lib/toasts';
import { BridgeError } from '../../../main/bridge/contract';

const toast = (id: number, message: string, tone: Toast['tone'] = 'err', count = 1): Toast => ({ id, tone, message, count });

describe('toast queue', () => {
  it.each([
    [
      'a new message is added at the end',
      [toast(1, 'a')],
      toast(2, 'b'),
      [
        [1, 'a', 1],
        [2, 'b', 1],
      ],
      2,
    ],
    [
      'the same message folds into the one showing and moves to the end',
      [toast(1, 'a'), toast(2, 'b')],
      toast(3, 'a'),
      [
        [2, 'b', 1],
        [1, 'a', 2],
      ],
      1,
    ],
    [
      'the same text in another tone is another toast',
      [toast(1, 'a', 'ok')],
      toast(2, 'a'),
      [
        [1, 'a', 1],
        [2, 'a', 1],
      ],
      2,
    ],
    [
      'past the cap the oldest goes',
      [1, 2, 3, 4].map((i) => toast(i, `m${i}`)),
      toast(5, 'm5'),
      [
        [2, 'm2', 1],
        [3, 'm3', 1],
        [4, 'm4', 1],
        [5, 'm5', 1],
      ],
      5,
    ],
  ] as const)('%s', (_n, list, next, want, id) => {
    const { count: _c, ...n } = next;
    const r = addToast([...list], n);
    expect(r.list.map((t) => [t.id, t.message, t.count])).toEqual(want);
    expect(r.id).toBe(id);
    expect(r.list.length).toBeLessThanOrEqual(MAX_TOASTS);
  });
});

describe('error toasts', () => {
  it.each([
    [
      'a Status error: its message, titled by reason and code',
      new BridgeError({ name: 'StatusError', message: 'namespaces "default" already exists', status: 409, reason: 'AlreadyExists' }),
      { message: 'namespaces "default" already exists', title: 'AlreadyExists (409)' },
    ],
    [
      'forbidden',
      new BridgeError({
        name: 'StatusError',
        message: 'namespaces "default" is forbidden: this namespace may not be deleted',
        status: 403,
        reason: 'Forbidden',
      }),
      { message: 'namespaces "default" is forbidden: this namespace may not be deleted', title: 'Forbidden (403)' },
    ],
    ['a plain error: its message only', new Error('invalid label: x'), { message: 'invalid label: x' }],
    ['a string', 'boom', { message: 'boom' }],
  ] as const)('%s', (_n, e, want) => {
    expect(describeError(e)).toEqual(want);
  });
});
