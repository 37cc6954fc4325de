import { describe, expect, it } from 'vitest';
import { checkPermission, grantPermission } from '../../../main/app/permissions';
import { rendererLocation } from '../../../main/app/renderer-location';

const page = rendererLocation({ isPackaged: true, rendererIndex: '/app/out/renderer/index.html' });
const ours = 'file:///app/out/renderer/index.html#/r/pods/default/web/exec';

describe('grantPermission', () => {
  it.each([
    ['paste into the terminal', 'clipboard-read', ours, true],
    ['a copy button', 'clipboard-sanitized-write', ours, true],
    ['the camera', 'media', ours, false],
    ['notifications', 'notifications', ours, false],
    ['geolocation', 'geolocation', ours, false],
    ['opening external protocols', 'openExternal', ours, false],
    ['the clipboard for a page that is not ours', 'clipboard-read', 'https://evil.example/', false],
    ['the clipboard with no requesting URL', 'clipboard-read', undefined, false],
  ])('%s (%s) -> %s', (_what, permission, url, granted) => {
    expect(grantPermission(permission, url, page.isOurs)).toBe(granted);
  });
});

describe('checkPermission', () => {
  it.each([
    ['the clipboard for our page, by its URL', 'clipboard-read', { requestingUrl: ours, requestingOrigin: 'file://' }, true],
    ['the frame URL when Electron gives none in details', 'clipboard-sanitized-write', { webContentsUrl: ours, requestingOrigin: 'file://' }, true],
    ['an origin alone (file://) names no page of ours', 'clipboard-read', { requestingOrigin: 'file://' }, false],
    ['another page', 'clipboard-read', { requestingUrl: 'https://evil.example/x', requestingOrigin: 'https://evil.example' }, false],
    ['anything else for our page', 'notifications', { requestingUrl: ours }, false],
    ['nothing at all', 'clipboard-read', {}, false],
  ])('%s (%s) -> %s', (_what, permission, ask, granted) => {
    expect(checkPermission(permission, ask, page.isOurs)).toBe(granted);
  });
});
