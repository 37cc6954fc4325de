// Page object for the kubelab workspace: what a user does, in the words of the UI's test ids.
import type { Page } from 'playwright-core';
import { mkdir } from 'node:fs/promises';

export const SCREENSHOTS = 'test-results/screenshots';

export class LabPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('nav[aria-label=Main]').waitFor();
  }

  async go(hash: string): Promise<void> {
    await this.page.evaluate((h) => ((globalThis as any).location.hash = h), hash);
  }

  row(name: string) {
    return this.page.locator(`[data-testid=row][data-name="${name}"]`);
  }

  /** The STATUS chip text of a row, or '' if the row is not there. */
  async rowStatus(name: string): Promise<string> {
    const chip = this.row(name).locator('[data-col=status] [data-status]');
    return (await chip.count()) ? ((await chip.first().getAttribute('data-status')) ?? '') : '';
  }

  /** Records every STATUS a row shows, however briefly (a MutationObserver in the page). */
  async recordStatuses(name: string): Promise<() => Promise<string[]>> {
    // runs in the page (the test's tsconfig has no DOM types, hence `any`)
    await this.page.evaluate((n) => {
      const g = globalThis as any;
      const document = g.document;
      const w = g as { __seen?: Record<string, string[]> };
      w.__seen ??= {};
      const seen = (w.__seen[n] = [] as string[]);
      const look = () => {
        const el = document.querySelector(`[data-testid=row][data-name="${n}"] [data-col=status] [data-status]`);
        const s = el?.getAttribute('data-status');
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      };
      new g.MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      look();
    }, name);
    return () => this.page.evaluate((n) => ((globalThis as any).__seen as Record<string, string[]>)[n], name);
  }

  /** Records every pull state and layer line the pod page shows, however briefly: `Pulling 1a2b3c: Downloading`. */
  async recordPull(): Promise<() => Promise<string[]>> {
    await this.page.evaluate(() => {
      const g = globalThis as any;
      const seen: string[] = (g.__pull = []);
      const look = () => {
        for (const img of g.document.querySelectorAll('[data-testid=pull-image]')) {
          const state = img.getAttribute('data-state');
          const lines = [...img.querySelectorAll('[data-testid=pull-layer]')].map(
            (l: any) => `${state} ${l.getAttribute('data-layer')}: ${l.getAttribute('data-layer-status')}`,
          );
          for (const s of lines.length ? lines : [String(state)]) if (!seen.includes(s)) seen.push(s);
        }
      };
      new g.MutationObserver(look).observe(g.document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      look();
    });
    return () => this.page.evaluate(() => (globalThis as any).__pull as string[]);
  }

  /** Replaces the YAML editor's text as a user would (select all, type). */
  async setEditor(text: string): Promise<void> {
    const content = this.page.locator('[data-testid=yaml-editor] .cm-content');
    await content.click();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
  }

  async editorText(): Promise<string> {
    return this.page.locator('[data-testid=yaml-editor] .cm-content').innerText();
  }

  /** Applies; a successful apply leaves the editor for what was created, so wait for that. */
  async applyEditor(): Promise<void> {
    await this.page.locator('[data-testid=apply]').click();
    await this.page.waitForFunction(() => (globalThis as any).location.hash !== '#/create');
  }

  /** Applies a manifest the server must refuse: the page stays on the editor. */
  async applyEditorExpectingError(): Promise<void> {
    await this.page.locator('[data-testid=apply]').click();
    await this.page.locator('[data-testid=apply-error]').waitFor();
  }

  async confirm(): Promise<void> {
    await this.page.locator('[data-testid=confirm]').click();
  }

  async prompt(value: string): Promise<void> {
    const input = this.page.locator('[data-testid=prompt-input]');
    await input.fill(value);
    await this.page.locator('[data-testid=prompt-ok]').click();
  }

  async terminalText(): Promise<string> {
    return (await this.page.locator('[data-testid=terminal] .xterm-rows').innerText()).replace(/\u00a0/g, ' ');
  }

  /** Opens a node's detail page (what `kubectl describe node` shows) and waits for it. */
  async openNode(name: string): Promise<void> {
    await this.go(`#/r/nodes/${name}`);
    await this.page.locator(`[data-testid=node-detail] h1:text-is("${name}")`).waitFor();
    await this.page.locator('[data-testid=node-status]').waitFor();
  }

  /** The NODE column of a pod's row in the Pods list ('' while it is not bound). */
  async podNode(name: string): Promise<string> {
    const cell = this.row(name).locator('[data-col=node]');
    return (await cell.count()) ? (await cell.innerText()).trim() : '';
  }

  /** The terminal of the dock tab in view. */
  dockTerminal() {
    return this.page.locator('[data-dock-pane][data-active=true] [data-testid=terminal]');
  }

  async dockTerminalText(): Promise<string> {
    return (await this.dockTerminal().locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ');
  }

  dockTab(pod: string) {
    return this.page.locator(`[data-testid=dock-tab][data-pod="${pod}"]`);
  }

  /** A Docker context's row in the Overview's nodes panel (NodesManager). */
  contextRow(context: string) {
    return this.page.locator(`[data-testid=nodes-manager] tr[data-context="${context}"]`);
  }

  async shot(name: string): Promise<void> {
    await mkdir(SCREENSHOTS, { recursive: true });
    await this.page.waitForTimeout(300); // let transitions settle so the picture is the steady state
    await this.page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
  }
}
