import { describe, expect, it } from 'vitest';
import { FORBIDDEN_SENDER, refuseSender, type FrameLike } from '../../../main/app/ipc-guard';
import { rendererLocation } from '../../../main/app/renderer-location';

const page = rendererLocation({ isPackaged: true, rendererIndex: '/app/out/renderer/index.html' });
const ours = 'file:///app/out/renderer/index.html#/r/pods';
const frame = (url: string, routingId = 1, processId = 7): FrameLike => ({ url, processId, routingId });
const main = frame(ours);

describe('refuseSender', () => {
  it.each([
    ['our page, main frame', frame(ours), main, false],
    ['our page, main frame, a different wrapper object of the same frame', { ...main }, main, false],
    ['an iframe of our page (another routing id)', frame(ours, 2), main, true],
    ['the same routing id in another renderer process', frame(ours, 1, 8), main, true],
    ['a frame gone (navigated away or destroyed)', null, main, true],
    ['the main frame after it navigated somewhere else', frame('https://example.com/'), frame('https://example.com/'), true],
    ['a file outside the renderer folder', frame('file:///tmp/evil.html'), frame('file:///tmp/evil.html'), true],
    ['a prefix trick on the folder', frame('file:///app/out/renderer-evil/index.html'), frame('file:///app/out/renderer-evil/index.html'), true],
  ])('%s -> refused %s', (_what, senderFrame, mainFrame, refused) => {
    const r = refuseSender({ senderFrame, mainFrame }, page.isOurs);
    expect(r !== undefined).toBe(refused);
  });

  it('refuses with a 403-shaped error envelope, as the API server would', () => {
    expect(refuseSender({ senderFrame: null, mainFrame: main }, page.isOurs)).toEqual({ error: FORBIDDEN_SENDER });
    expect(FORBIDDEN_SENDER).toMatchObject({ status: 403, reason: 'Forbidden' });
  });
});
