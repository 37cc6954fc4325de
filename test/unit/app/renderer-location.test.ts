import { describe, expect, it } from 'vitest';
import { appFiles, rendererLocation } from '../../../main/app/renderer-location';

const packaged = rendererLocation({
  isPackaged: true,
  rendererIndex: '/opt/kubelab/resources/app.asar/out/renderer/index.html',
  devUrl: 'http://localhost:5173',
});
const dev = rendererLocation({ isPackaged: false, rendererIndex: '/src/kubelab/out/renderer/index.html', devUrl: 'http://localhost:5173/' });
const spaced = rendererLocation({ isPackaged: true, rendererIndex: '/Users/Ann Lee/Apps/kubelab.app/Contents/Resources/app.asar/out/renderer/index.html' });

describe('rendererLocation', () => {
  it('loads the packaged file (a dev URL is ignored once packaged), else the dev server', () => {
    expect(packaged.url).toBe('file:///opt/kubelab/resources/app.asar/out/renderer/index.html');
    expect(dev.url).toBe('http://localhost:5173/');
    expect(rendererLocation({ isPackaged: false, rendererIndex: '/x/out/renderer/index.html' }).url).toBe('file:///x/out/renderer/index.html');
  });

  it('a page with a space in its path is still ours (as Chromium reports it, percent-encoded)', () => {
    expect(spaced.url).toBe('file:///Users/Ann%20Lee/Apps/kubelab.app/Contents/Resources/app.asar/out/renderer/index.html');
    expect(spaced.isOurs(`${spaced.url}#/r/pods`)).toBe(true);
  });

  it.each([
    ['the index', 'file:///opt/kubelab/resources/app.asar/out/renderer/index.html', true],
    ['a route', 'file:///opt/kubelab/resources/app.asar/out/renderer/index.html#/r/pods/default/web', true],
    ['an asset', 'file:///opt/kubelab/resources/app.asar/out/renderer/assets/index-abc.js', true],
    ['a sibling folder sharing the prefix', 'file:///opt/kubelab/resources/app.asar/out/renderer-evil/index.html', false],
    ['a way out with ../', 'file:///opt/kubelab/resources/app.asar/out/renderer/../../../../../etc/passwd', false],
    ['a way out with %2e%2e', 'file:///opt/kubelab/resources/app.asar/out/renderer/%2e%2e/main/index.js', false],
    ['another file', 'file:///etc/passwd', false],
    ['a file on a host', 'file://evil.com/opt/kubelab/resources/app.asar/out/renderer/index.html', false],
    ['the dev server', 'http://localhost:5173/', false],
    ['not a URL', 'renderer/index.html', false],
  ])('packaged: %s -> %s', (_what, url, ours) => {
    expect(packaged.isOurs(url)).toBe(ours);
  });

  it.each([
    ['the dev server', 'http://localhost:5173/', true],
    ['a route', 'http://localhost:5173/#/r/pods', true],
    ['a module', 'http://localhost:5173/@vite/client', true],
    ['a host with the dev server as prefix', 'http://localhost:5173.evil.com/', false],
    ['credentials trick', 'http://localhost:5173@evil.com/', false],
    ['another port', 'http://localhost:5174/', false],
    ['https on the same host', 'https://localhost:5173/', false],
    ['the built file', 'file:///src/kubelab/out/renderer/index.html', false],
    ['javascript:', 'javascript:alert(1)', false],
  ])('dev: %s -> %s', (_what, url, ours) => {
    expect(dev.isOurs(url)).toBe(ours);
  });

  it('a dev URL that is not http(s) is not trusted as an origin: the built file loads', () => {
    const odd = rendererLocation({ isPackaged: false, devUrl: 'javascript:alert(1)', rendererIndex: '/x/out/renderer/index.html' });
    expect(odd.url).toBe('file:///x/out/renderer/index.html');
  });

  it('preload and index.html sit beside out/main as electron-vite lays out out/', () => {
    expect(appFiles('/app/out/main')).toEqual({ preload: '/app/out/preload/index.cjs', rendererIndex: '/app/out/renderer/index.html' });
  });
});
