import { describe, expect, it } from 'vitest';
import { grantPermission } from '../../../main/app/permissions';
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
