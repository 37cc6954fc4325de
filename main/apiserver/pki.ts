// The lab's PKI: a CA, a serving certificate for 127.0.0.1/localhost, and bearer tokens, made on first start
// and reused afterwards, so a kubeconfig written once keeps working across restarts.
import { generateKeyPair, randomBytes, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../atomic-file';
import { logger } from '../log';

const log = logger('pki');

export interface Pki {
  /** <dataDir>/pki */
  dir: string;
  caCert: string;
  caKey: string;
  /** serving certificate + key for the API server (PEM) */
  cert: string;
  key: string;
  tokens: {
    /** bearer token of the cluster admin (kubeconfig user) */
    admin: string;
    /** token the UI server accepts (once in ?token=, then a cookie) */
    ui: string;
  };
}

const files = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  cert: 'apiserver.crt',
  key: 'apiserver.key',
  tokens: 'tokens.json',
} as const;

/** Names the serving certificate answers for. */
export const servingNames = {
  ips: ['127.0.0.1', '::1'],
  dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
};

const day = 24 * 3600 * 1000;

async function readIf(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const generateRsa = promisify(generateKeyPair);

interface KeyPair {
  privatePem: string;
  forgePub: forge.pki.rsa.PublicKey;
}

/**
 * An RSA key pair, made by node's native generator off the event loop (forge's pure-JS RSA takes seconds);
 * the CA's and the serving certificate's are made at once, in parallel: at a first start they were most of the
 * time to the ready line.
 */
async function newKeyPair(): Promise<KeyPair> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgePriv = forge.pki.privateKeyFromPem(privatePem);
  return { privatePem, forgePub: forge.pki.setRsaPublicKey(forgePriv.n, forgePriv.e) };
}

/** Signs cert (sha256WithRSAEncryption, PKCS #1 v1.5, as forge's cert.sign) with node's native RSA instead of forge's. */
function signCertificate(cert: forge.pki.Certificate, signerPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  // forge's own step (its typings leave it out)
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  cert.signature = sign('sha256', Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary'), signerPem).toString('binary');
}

function serial(): string {
  // positive, 16 bytes: leading byte below 0x80
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

function createCa({ privatePem, forgePub }: KeyPair): { cert: string; key: string } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePub;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3650 * day);
  const subject = [
    { name: 'commonName', value: 'kubelab-ca' },
    { name: 'organizationName', value: 'kubelab' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, privatePem);
  return { cert: forge.pki.certificateToPem(cert), key: privatePem };
}

function createServing(caCertPem: string, caKeyPem: string, { privatePem, forgePub }: KeyPair): { cert: string; key: string } {
  const caCert = forge.pki.certificateFromPem(caCertPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePub;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * day);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...servingNames.dns.map((value) => ({ type: 2, value })), ...servingNames.ips.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  signCertificate(cert, caKeyPem);
  return { cert: forge.pki.certificateToPem(cert), key: privatePem };
}

/** True when the serving cert is signed by the CA and valid for at least 30 more days. */
function servingUsable(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return cert.verify(ca.publicKey) && new Date(cert.validTo).getTime() - Date.now() > 30 * day && cert.checkIP('127.0.0.1') !== undefined;
  } catch {
    return false;
  }
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Loads the PKI from `<dataDir>/pki`, creating whatever is missing (dir 0700, files 0600). */
export async function ensurePki(dataDir: string): Promise<Pki> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const dir = join(dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const p = (f: string) => join(dir, f);

  let caCert = await readIf(p(files.caCert));
  let caKey = await readIf(p(files.caKey));
  let caCreated = false;
  // a new CA means a new serving certificate too: both keys are generated at once
  const servingKey = !caCert || !caKey ? newKeyPair() : undefined;
  servingKey?.catch(() => undefined);
  if (!caCert || !caKey) {
    ({ cert: caCert, key: caKey } = createCa(await newKeyPair()));
    await writeFileAtomic(p(files.caKey), caKey);
    await writeFileAtomic(p(files.caCert), caCert);
    caCreated = true;
    log.info('created cluster CA', { path: p(files.caCert) });
  }

  let cert = await readIf(p(files.cert));
  let key = await readIf(p(files.key));
  if (caCreated || !cert || !key || !servingUsable(cert, caCert)) {
    ({ cert, key } = createServing(caCert, caKey, await (servingKey ?? newKeyPair())));
    await writeFileAtomic(p(files.key), key);
    await writeFileAtomic(p(files.cert), cert);
    log.info('created API serving certificate', { names: [...servingNames.ips, ...servingNames.dns].join(',') });
  }

  let tokens: Pki['tokens'] | undefined;
  const raw = await readIf(p(files.tokens));
  if (raw) {
    try {
      const t = JSON.parse(raw) as Partial<Pki['tokens']>;
      if (typeof t.admin === 'string' && t.admin && typeof t.ui === 'string' && t.ui) tokens = { admin: t.admin, ui: t.ui };
    } catch {}
  }
  if (!tokens) {
    tokens = { admin: newToken(), ui: newToken() };
    await writeFileAtomic(p(files.tokens), JSON.stringify(tokens, null, 2) + '\n');
    log.info('created admin and UI tokens');
  }
  return { dir, caCert, caKey, cert, key, tokens };
}

/** Kubeconfig for the admin user: CA data, server, token, context `kubelab`. */
export function kubeconfigYaml(pki: Pki, server: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubelab', cluster: { server, 'certificate-authority-data': Buffer.from(pki.caCert).toString('base64') } }],
    users: [{ name: 'kubelab-admin', user: { token: pki.tokens.admin } }],
    contexts: [{ name: 'kubelab', context: { cluster: 'kubelab', user: 'kubelab-admin', namespace: 'default' } }],
    'current-context': 'kubelab',
    preferences: {},
  });
}

/** Writes `<dataDir>/kubeconfig` (mode 0600) and returns its path. */
export async function writeKubeconfig(dataDir: string, pki: Pki, server: string): Promise<string> {
  const path = join(dataDir, 'kubeconfig');
  await writeFileAtomic(path, kubeconfigYaml(pki, server));
  return path;
}
