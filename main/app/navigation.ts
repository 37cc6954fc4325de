// What the window does with a link: stay on our page, or leave it to the system browser (http/https only).

export interface LinkDecision {
  /** let the page navigate there */
  allow: boolean;
  /** hand this URL to the system browser */
  openExternal?: string;
}

/** Only web links go to the system browser; javascript:, file:, data: and the like never leave the app. */
export function externalUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** will-navigate: our own page may move within itself; anything else is stopped (and web links opened outside). */
export function decideNavigation(url: string, isOurs: (url: string) => boolean): LinkDecision {
  if (isOurs(url)) return { allow: true };
  const ext = externalUrl(url);
  return ext ? { allow: false, openExternal: ext } : { allow: false };
}

/** window.open and target=_blank: never a new Electron window; our own page never goes to the browser. */
export function decideWindowOpen(url: string, isOurs: (url: string) => boolean): LinkDecision {
  if (isOurs(url)) return { allow: false };
  const ext = externalUrl(url);
  return ext ? { allow: false, openExternal: ext } : { allow: false };
}

/** did-start-navigation: a new document in the main frame (reload, load) ends the page's bridge connection;
 * a route change inside the page (the router's hash navigation) does not. */
export function endsPage(nav: { isMainFrame: boolean; isSameDocument: boolean }): boolean {
  return nav.isMainFrame && !nav.isSameDocument;
}
