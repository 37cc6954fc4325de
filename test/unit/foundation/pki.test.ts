import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import { ensurePki, writeKubeconfig } from '../../../main/apiserver/pki';
import { setLogSink } from '../../../main/log';

// Creating the PKI is two RSA-2048 key generations (a random prime search, 0.1-2 s each on a quiet core and
// several times that on a loaded one; 7.4 s seen) plus pure-JS signing: inherently slow, so not the 5 s default.
describe('pki', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    setLogSink(() => {});
    dir = await mkdtemp(join(tmpdir(), 'kubelab-pki-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('creates a CA, a serving cert for 127.0.0.1/localhost and tokens, private to the user', async () => {
    const pki = await ensurePki(join(dir, 'data'));
    const ca = new X509Certificate(pki.caCert);
    const cert = new X509Certificate(pki.cert);
    expect(ca.ca).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(pki.tokens.admin).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(pki.tokens.ui).not.toBe(pki.tokens.admin);
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
    expect((await stat(pki.dir)).mode & 0o777).toBe(0o700);
    for (const f of ['ca.crt', 'ca.key', 'apiserver.crt', 'apiserver.key', 'tokens.json']) {
      expect((await stat(join(pki.dir, f))).mode & 0o777, f).toBe(0o600);
    }
  });

  it('reuses everything on a later start', async () => {
    const a = await ensurePki(join(dir, 'data'));
    const b = await ensurePki(join(dir, 'data'));
    expect(b.caCert).toBe(a.caCert);
    expect(b.cert).toBe(a.cert);
    expect(b.tokens).toEqual(a.tokens);
  });

  it('writes a kubeconfig (0600) with CA data, server, token and context kubelab', async () => {
    const pki = await ensurePki(join(dir, 'data'));
    const path = await writeKubeconfig(join(dir, 'data'), pki, 'https://127.0.0.1:6443');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const kc = parse(await readFile(path, 'utf8'));
    expect(kc['current-context']).toBe('kubelab');
    expect(kc.clusters[0].cluster.server).toBe('https://127.0.0.1:6443');
    expect(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(pki.caCert);
    expect(kc.users[0].user.token).toBe(pki.tokens.admin);
  });
});
