// Which web permission prompts the window grants: the clipboard for our own page (copy buttons, the terminal's
// copy/paste), nothing else for anyone (no camera, notifications, geolocation...).

const GRANTED_TO_OUR_PAGE = new Set(['clipboard-read', 'clipboard-sanitized-write']);

export function grantPermission(permission: string, requestingUrl: string | undefined, isOurs: (url: string) => boolean): boolean {
  return GRANTED_TO_OUR_PAGE.has(permission) && !!requestingUrl && isOurs(requestingUrl);
}
