// electron-builder.yml checked against electron-builder's own JSON schema, with the validator it uses itself,
// so a typo in the packaging config fails here (electron-builder cannot run on these machines: it downloads Electron).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(join(root, 'package.json'));
// the ajv app-builder-lib depends on, resolved from its own folder
const builderLib = require.resolve('app-builder-lib/package.json');
const Ajv = createRequire(builderLib)('ajv') as typeof import('ajv').default;
const schema = JSON.parse(readFileSync(join(builderLib, '..', 'scheme.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const config = () => YAML.parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));

const problems = (cfg: unknown) =>
  validate(cfg)
    ? []
    : (validate.errors ?? [])
        .filter((e) => e.keyword === 'additionalProperties' || e.keyword === 'type' || e.keyword === 'enum')
        .map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    const cfg = config();
    expect(validate(cfg), JSON.stringify(validate.errors, null, 1)).toBe(true);
  });

  it.each([
    ['a misspelled key', (c: Record<string, any>) => (c.linux.targt = c.linux.target)],
    ['a key at the wrong level', (c: Record<string, any>) => (c.synopsis = c.linux.synopsis)],
    ['a wrong type', (c: Record<string, any>) => (c.asar = 'yes')],
    ['a misspelled fuse', (c: Record<string, any>) => (c.electronFuses.runAsNod = false)],
    ['a fuse that is no boolean', (c: Record<string, any>) => (c.electronFuses.runAsNode = 'off')],
  ])('the check catches %s', (_what, mutate) => {
    const cfg = config();
    mutate(cfg);
    expect(validate(cfg)).toBe(false);
    expect(problems(cfg).length).toBeGreaterThan(0);
  });

  it('builds AppImage, deb, dmg and nsis from out/, with templates and the sandbox as extra resources that exist', () => {
    const cfg = config();
    expect([...cfg.linux.target, ...cfg.mac.target, ...cfg.win.target]).toEqual(['AppImage', 'deb', 'dmg', 'nsis']);
    expect(cfg.files).toContain('out/**');
    // main/resources.ts looks for <resourcesPath>/sandbox when packaged
    expect(cfg.extraResources).toEqual(
      expect.arrayContaining([
        { from: 'resources/sandbox', to: 'sandbox' },
        { from: 'resources/templates', to: 'templates' },
      ]),
    );
    for (const r of cfg.extraResources) expect(existsSync(join(root, r.from)), r.from).toBe(true);
  });

  it('flips the fuses that keep the packaged app from running as Node or loading other code', () => {
    const fuses = config().electronFuses;
    expect(fuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    // the installed electron-builder knows this key and these fuses (the schema check above would fail otherwise)
    expect(Object.keys(schema.definitions.FuseOptionsV1.properties)).toEqual(expect.arrayContaining(Object.keys(fuses)));
    // asar integrity is only checked on an app.asar
    expect(config().asar).toBe(true);
  });

  it("the deb keeps Electron's runtime libraries (depends unset) and only recommends Docker", () => {
    const cfg = config();
    expect(cfg.deb.depends).toBeUndefined();
    expect(cfg.deb.recommends).toContain('docker.io | docker-ce');
  });
});
