// Authentication: bearer tokens. The admin token from the kubeconfig, and service-account
// tokens minted by `serviceaccounts/token` (JWT, HS256, key kept in the data dir, mode 0600).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../atomic-file';
import type { UserInfo } from './types';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** A reference to the object a token is bound to, as upstream's claims carry it. */
export interface BoundRef {
  name: string;
  uid: string;
}

/** upstream's pkg/serviceaccount claims: the standard ones plus `kubernetes.io` (namespace, service account, bound pod or secret). */
export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp: number;
  jti?: string;
  'kubernetes.io': { namespace: string; serviceaccount: BoundRef; pod?: BoundRef; secret?: BoundRef; warnafter?: number };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Signs and verifies service-account tokens with one key that survives restarts. */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(dataDir?: string) {
    if (!dataDir) {
      this.key = randomBytes(32);
      return;
    }
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'sa-signing.key');
    if (existsSync(file)) {
      this.key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    } else {
      this.key = randomBytes(32);
      writeFileAtomicSync(file, this.key.toString('base64') + '\n');
    }
  }

  sign(claims: ServiceAccountClaims): string {
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  /** The claims of a well-signed, unexpired token of our issuer; undefined otherwise (validate() says why). */
  verify(token: string, nowSec = Math.floor(Date.now() / 1000)): ServiceAccountClaims | undefined {
    const c = this.claims(token);
    return c && !timeError(c, nowSec) ? c : undefined;
  }

  /** The claims of a token this key signed, whatever they say; undefined when the signature does not match. */
  claims(token: string): ServiceAccountClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const want = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    const got = Buffer.from(parts[2], 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    try {
      const c = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as ServiceAccountClaims;
      if (c.iss !== ISSUER || typeof c.exp !== 'number' || typeof c['kubernetes.io']?.serviceaccount?.name !== 'string') return undefined;
      return c;
    } catch {
      return undefined;
    }
  }
}

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

export const adminUser: UserInfo = { username: 'kubelab-admin', groups: ['system:masters', 'system:authenticated'] };

/** The API server's own identity, for bootstrap and internal writes. */
export const apiserverUser: UserInfo = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export interface Authenticated {
  user: UserInfo;
  /** how: `admin token`, `service account token` */
  method: string;
}

/** What a bound token's validity depends on: the objects it names, as the store has them now. */
export interface BoundObjects {
  /** the service account's uid, undefined once it is gone */
  serviceAccountUid(namespace: string, name: string): string | undefined;
  pod?(namespace: string, name: string): { uid?: string; deletionTimestamp?: string } | undefined;
  secret?(namespace: string, name: string): { uid?: string } | undefined;
}

const timeError = (c: ServiceAccountClaims, now: number): string | undefined =>
  typeof c.exp !== 'number' || c.exp < now
    ? 'service account token has expired'
    : typeof c.nbf === 'number' && c.nbf > now
      ? 'service account token is not valid yet'
      : undefined;

export type TokenReviewResult = { user: UserInfo; audiences: string[] } | { error: string };

/**
 * upstream's service-account JWT authenticator and its validator (pkg/serviceaccount/claims.go): signature, issuer,
 * expiry and not-before, an audience the caller accepts, then the bound objects: the service account, and the pod or
 * secret the token is bound to, still there with the same uid (a pod deleted more than 60 s ago invalidates it).
 */
export function reviewServiceAccountToken(
  token: string,
  signer: TokenSigner,
  objects: BoundObjects,
  audiences: string[] = [ISSUER],
  nowSec = Math.floor(Date.now() / 1000),
): TokenReviewResult {
  const c = signer.claims(token);
  if (!c) return { error: 'invalid bearer token' };
  const late = timeError(c, nowSec);
  if (late) return { error: late };
  const tokenAudiences = Array.isArray(c.aud) ? c.aud : [c.aud as unknown as string];
  const accepted = audiences.filter((a) => tokenAudiences.includes(a));
  if (!accepted.length) return { error: `token audiences ${goQuoted(tokenAudiences)} is invalid for the target audiences ${goQuoted(audiences)}` };
  const { namespace, serviceaccount, pod, secret } = c['kubernetes.io'];
  const saUid = objects.serviceAccountUid(namespace, serviceaccount.name);
  if (saUid === undefined) return { error: `service account ${serviceaccount.name} has been deleted` };
  if (saUid !== serviceaccount.uid) return { error: `service account UID (${saUid}) does not match claim (${serviceaccount.uid})` };
  const extra: Record<string, string[]> = {};
  if (pod) {
    const p = objects.pod?.(namespace, pod.name);
    if (!p) return { error: `pod ${namespace}/${pod.name} has been deleted` };
    if (p.uid !== pod.uid) return { error: `pod UID (${p.uid}) does not match claim (${pod.uid})` };
    if (p.deletionTimestamp && Date.parse(p.deletionTimestamp) < (nowSec - 60) * 1000) return { error: `pod ${namespace}/${pod.name} has been deleted` };
    extra['authentication.kubernetes.io/pod-name'] = [pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [pod.uid];
  }
  if (secret) {
    const sec = objects.secret?.(namespace, secret.name);
    if (!sec) return { error: `secret ${namespace}/${secret.name} has been deleted` };
    if (sec.uid !== secret.uid) return { error: `secret UID (${sec.uid}) does not match claim (${secret.uid})` };
  }
  if (c.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${c.jti}`];
  const user = serviceAccountUser(namespace, serviceaccount.name, serviceaccount.uid);
  return { user: Object.keys(extra).length ? { ...user, extra } : user, audiences: accepted };
}

/** Go's %q of a []string. */
const goQuoted = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/**
 * Resolve a bearer token to a user; undefined means 401. `accountUid` (or the bound objects) lets the caller check that
 * the service account, and the pod or secret a token is bound to, still exist (a token of a deleted one is refused, as upstream).
 */
export function authenticateToken(
  token: string | undefined,
  tokens: { admin: string },
  signer: TokenSigner,
  accountUid: BoundObjects['serviceAccountUid'] | BoundObjects,
): Authenticated | undefined {
  if (!token) return undefined;
  const a = Buffer.from(token);
  const b = Buffer.from(tokens.admin);
  if (a.length === b.length && timingSafeEqual(a, b)) return { user: adminUser, method: 'admin token' };
  const objects = typeof accountUid === 'function' ? { serviceAccountUid: accountUid } : accountUid;
  const r = reviewServiceAccountToken(token, signer, objects);
  if ('error' in r) return undefined;
  return { user: r.user, method: 'service account token' };
}
