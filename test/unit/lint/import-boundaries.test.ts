import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

/** The import-boundary rules of eslint.config.js, run on snippets placed where a real file would be. */
const eslint = new ESLint({ cwd: process.cwd() });
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath });
  return res.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

// The first lintText loads the whole config and its parsers (seconds on a loaded machine): more than unit's 5 s default.
const LINT_TIMEOUT_MS = 60_000;

describe('import boundaries', () => {
  it(
    'Electron only in main/app',
    async () => {
      expect(await restricted('main/app/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
      const msgs = await restricted('main/kubelet/x.ts', "import { app } from 'electron';\nexport const a = app;\n");
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toContain('main/app only');
    },
    LINT_TIMEOUT_MS,
  );

  it(
    "the renderer shares only main/'s pure modules, and no Node modules",
    async () => {
      const ok =
        "import { R } from '../../main/client/types';\nimport type { KubeObject } from '../../main/api/object';\nexport const r: [typeof R, KubeObject?] = [R];\n";
      expect(await restricted('renderer/lib/x.ts', ok)).toEqual([]);
      for (const bad of [
        '../../main/store/wal',
        '../../main/cluster',
        '../../main/apiserver/core',
        '../../main/api/sub/deeper',
        'node:fs',
        'dockerode',
        'electron',
      ]) {
        expect(await restricted('renderer/lib/x.ts', `import * as m from '${bad}';\nexport const x = m;\n`), bad).toHaveLength(1);
      }
    },
    LINT_TIMEOUT_MS,
  );
});
