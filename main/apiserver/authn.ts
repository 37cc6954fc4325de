// Authentication: bearer tokens. The admin token from the kubeconfig, and service-account
// tokens minted by `serviceaccounts/token` (JWT, HS256, key kept in the data dir, mode 0600).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../atomic-file';
import type { UserInfo } from './types';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp: number;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
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

  /** The claims of a well-signed, unexpired token; undefined otherwise. */
  verify(token: string, nowSec = Math.floor(Date.now() / 1000)): ServiceAccountClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const want = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    const got = Buffer.from(parts[2], 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    try {
      const c = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as ServiceAccountClaims;
      if (c.iss !== ISSUER || typeof c.exp !== 'number' || c.exp < nowSec) return undefined;
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

/**
 * Resolve a bearer token to a user; undefined means 401. `accountUid` lets the caller check that
 * the service account still exists (a token of a deleted account is refused, as upstream).
 */
export function authenticateToken(
  token: string | undefined,
  tokens: { admin: string },
  signer: TokenSigner,
  accountUid: (namespace: string, name: string) => string | undefined,
): Authenticated | undefined {
  if (!token) return undefined;
  const a = Buffer.from(token);
  const b = Buffer.from(tokens.admin);
  if (a.length === b.length && timingSafeEqual(a, b)) return { user: adminUser, method: 'admin token' };
  const c = signer.verify(token);
  if (!c) return undefined;
  const { namespace, serviceaccount } = c['kubernetes.io'];
  if (accountUid(namespace, serviceaccount.name) !== serviceaccount.uid) return undefined;
  return { user: serviceAccountUser(namespace, serviceaccount.name, serviceaccount.uid), method: 'service account token' };
}
