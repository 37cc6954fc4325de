// Which web permissions the window has: the clipboard for our own page (copy buttons, the terminal's copy/paste),
// nothing else for anyone (no camera, notifications, geolocation, devices...). Electron asks twice: a request
// handler for prompts, and a check handler for the silent queries (navigator.permissions, clipboard reads);
// both refuse by default. Electron-free, so the rules are unit-tested.

const GRANTED_TO_OUR_PAGE = new Set(['clipboard-read', 'clipboard-sanitized-write']);

export function grantPermission(permission: string, requestingUrl: string | undefined, isOurs: (url: string) => boolean): boolean {
  return GRANTED_TO_OUR_PAGE.has(permission) && !!requestingUrl && isOurs(requestingUrl);
}

/**
 * The check handler's answer. Electron gives it an origin, and for file:// pages only 'file://', which names no
 * page: the URL of the frame that asks (details.requestingUrl, else its webContents) decides instead.
 */
export function checkPermission(
  permission: string,
  ask: { requestingUrl?: string; webContentsUrl?: string; requestingOrigin?: string },
  isOurs: (url: string) => boolean,
): boolean {
  const url = ask.requestingUrl || ask.webContentsUrl || ask.requestingOrigin;
  return grantPermission(permission, url, isOurs);
}
