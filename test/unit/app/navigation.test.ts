import { describe, expect, it } from 'vitest';
import { decideNavigation, decideWindowOpen, endsPage, externalUrl } from '../../../main/app/navigation';
import { rendererLocation } from '../../../main/app/renderer-location';

const page = rendererLocation({ isPackaged: true, rendererIndex: '/app/out/renderer/index.html' });

describe('navigation and new windows', () => {
  it.each([
    ['a route of our page', 'file:///app/out/renderer/index.html#/r/pods', { allow: true }],
    ['a web page', 'https://kubernetes.io/docs/', { allow: false, openExternal: 'https://kubernetes.io/docs/' }],
    ['a NodePort on this machine', 'http://127.0.0.1:30080/', { allow: false, openExternal: 'http://127.0.0.1:30080/' }],
    ['javascript:', 'javascript:alert(1)', { allow: false }],
    ['another file', 'file:///etc/passwd', { allow: false }],
    ['data:', 'data:text/html,<script>alert(1)</script>', { allow: false }],
    ['a custom scheme', 'vscode://file/etc/passwd', { allow: false }],
    ['not a URL', 'not a url', { allow: false }],
  ])('will-navigate to %s', (_what, url, decision) => {
    expect(decideNavigation(url, page.isOurs)).toEqual(decision);
  });

  it.each([
    ['a web page', 'https://kubernetes.io/', { allow: false, openExternal: 'https://kubernetes.io/' }],
    ['our own page (stays here, never a browser tab)', 'file:///app/out/renderer/index.html#/x', { allow: false }],
    ['javascript:', 'javascript:void(0)', { allow: false }],
    ['file:', 'file:///etc/passwd', { allow: false }],
    ['data:', 'data:text/html;base64,PHNjcmlwdD4=', { allow: false }],
    ['blob:', 'blob:file:///123', { allow: false }],
    ['about:blank', 'about:blank', { allow: false }],
  ])('window.open of %s is denied', (_what, url, decision) => {
    expect(decideWindowOpen(url, page.isOurs)).toEqual(decision);
  });

  it('only http(s) with a host goes to the system browser', () => {
    expect(externalUrl('http:/nohost')).toBe('http://nohost/');
    expect(externalUrl('https://')).toBeUndefined();
    expect(externalUrl('ftp://example.com/')).toBeUndefined();
  });

  it.each([
    ['a reload', { isMainFrame: true, isSameDocument: false }, true],
    ['a route change (hash navigation)', { isMainFrame: true, isSameDocument: true }, false],
    ['an iframe loading', { isMainFrame: false, isSameDocument: false }, false],
  ])("%s ends the page's bridge connection: %s", (_what, nav, ends) => {
    expect(endsPage(nav)).toBe(ends);
  });
});
