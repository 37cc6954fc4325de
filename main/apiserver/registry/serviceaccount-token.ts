// serviceaccounts/token (upstream's TokenREST in pkg/registry/core/serviceaccount/storage/token.go): a TokenRequest
// answers with a signed, bounded token for the ServiceAccount, optionally bound to a Pod or Secret; nothing is stored.
import { randomUUID } from 'node:crypto';
import { errors, type FieldError } from '../../api/errors';
import { ISSUER, type ServiceAccountClaims, type TokenSigner } from '../authn';
import type { Obj } from './common';
import { secretStrategy } from './config';
import { podStrategy } from './pods';
import type { SubresourceStorage } from './types';

/** upstream's token.WarnOnlyBoundTokenExpirationSeconds: what the kubelet asks for its projected tokens */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 3607;
/** upstream's token.ExpirationExtensionSeconds: how long such a token really lives (it warns after the hour) */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export interface TokenOptions {
  /** upstream's --api-audiences: who the API server is (default: the issuer) */
  audiences?: string[];
  /** upstream's --service-account-max-token-expiration: longer requests are shortened, with a warning; 0 = no cap */
  maxExpirationSeconds?: number;
  /** upstream's --service-account-extend-token-expiration (default true): the kubelet's hour-long tokens live a year */
  extendExpiration?: boolean;
}

const rfc3339 = (sec: number) => new Date(sec * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

export function tokenREST(signer: TokenSigner, opts: TokenOptions = {}): SubresourceStorage {
  const apiAudiences = opts.audiences?.length ? opts.audiences : [ISSUER];
  const max = opts.maxExpirationSeconds ?? 0;
  return {
    async create(req, s, body, store) {
      const name = req.name!;
      const namespace = req.namespace!;
      const spec = (body.spec as Obj | undefined) ?? {};
      const requested = spec.expirationSeconds === undefined || spec.expirationSeconds === null ? 3600 : spec.expirationSeconds;
      const causes: FieldError[] = [];
      if (typeof requested !== 'number' || !Number.isInteger(requested))
        causes.push({ field: 'spec.expirationSeconds', type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(requested)}: must be an integer` });
      else if (requested < MIN_EXPIRATION_SECONDS)
        causes.push({
          field: 'spec.expirationSeconds',
          type: 'FieldValueInvalid',
          message: `Invalid value: ${requested}: may not specify a duration less than 10 minutes`,
        });
      else if (requested > MAX_EXPIRATION_SECONDS)
        causes.push({
          field: 'spec.expirationSeconds',
          type: 'FieldValueInvalid',
          message: `Invalid value: ${requested}: may not specify a duration larger than 2^32 seconds`,
        });
      if (causes.length) throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, causes);
      let expirationSeconds = requested as number;
      const sa = store.get(s, namespace, name).value;

      const ref = (spec.boundObjectRef as Obj | undefined | null) ?? undefined;
      let pod: { name: string; uid: string } | undefined;
      let secret: { name: string; uid: string } | undefined;
      if (ref) {
        const apiVersion = String(ref.apiVersion ?? '');
        const kind = String(ref.kind ?? '');
        const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
        const refName = String(ref.name ?? '');
        let uid: string | undefined;
        if (group === '' && kind === 'Pod') {
          const p = store.get(podStrategy, namespace, refName).value;
          const podSA = (p.spec as Obj | undefined)?.serviceAccountName ?? 'default';
          if (podSA !== name)
            throw errors.badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
          uid = p.metadata.uid;
          pod = { name: refName, uid: uid! };
        } else if (group === '' && kind === 'Secret') {
          uid = store.get(secretStrategy, namespace, refName).value.metadata.uid;
          secret = { name: refName, uid: uid! };
        } else {
          const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
          throw errors.badRequest(`cannot bind token to object of type ${group ? `${group}/` : ''}${version}, Kind=${kind}`);
        }
        if (ref.uid && ref.uid !== uid) {
          throw errors.conflict(
            { kind, name: refName },
            `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
          );
        }
      }
      const audiences = (spec.audiences as string[] | undefined)?.length ? (spec.audiences as string[]) : apiAudiences;
      if (max > 0 && expirationSeconds > max) {
        (req.warnings ??= []).push(`requested expiration of ${expirationSeconds} seconds shortened to ${max} seconds`);
        expirationSeconds = max;
      }
      // the kubelet's pod-bound tokens for the API itself: valid a year, but marked to warn after the hour asked for
      let lifetime = expirationSeconds;
      let warnAfter: number | undefined;
      const iat = Math.floor(Date.now() / 1000);
      if (
        (opts.extendExpiration ?? true) &&
        pod &&
        expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS &&
        audiences.every((a) => apiAudiences.includes(a))
      ) {
        warnAfter = iat + expirationSeconds;
        lifetime = Math.max(EXPIRATION_EXTENSION_SECONDS, max);
      }
      const claims: ServiceAccountClaims = {
        iss: ISSUER,
        sub: `system:serviceaccount:${namespace}:${name}`,
        aud: audiences,
        iat,
        nbf: iat,
        exp: iat + lifetime,
        jti: randomUUID(),
        'kubernetes.io': {
          namespace,
          serviceaccount: { name, uid: sa.metadata.uid! },
          ...(pod ? { pod } : {}),
          ...(secret ? { secret } : {}),
          ...(warnAfter ? { warnafter: warnAfter } : {}),
        },
      };
      return {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name, namespace, creationTimestamp: null },
        spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
        status: { token: signer.sign(claims), expirationTimestamp: rfc3339(iat + lifetime) },
      };
    },
  };
}
