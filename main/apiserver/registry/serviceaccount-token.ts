// serviceaccounts/token (upstream's TokenREST in pkg/registry/core/serviceaccount/storage/token.go): a TokenRequest
// answers with a signed, bounded token for the ServiceAccount; nothing is stored.
import { errors } from '../../api/errors';
import { ISSUER, type TokenSigner } from '../authn';
import type { Obj } from './common';
import type { SubresourceStorage } from './types';

export function tokenREST(signer: TokenSigner): SubresourceStorage {
  return {
    async create(req, s, body, store) {
      const name = req.name!;
      const sa = store.get(s, req.namespace, name).value;
      const spec = (body.spec as Obj | undefined) ?? {};
      const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
      if (expirationSeconds < 600) {
        throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, [{ field: 'spec.expirationSeconds', type: 'FieldValueInvalid', message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes` }]);
      }
      const iat = Math.floor(Date.now() / 1000);
      const audiences = (spec.audiences as string[] | undefined)?.length ? (spec.audiences as string[]) : [ISSUER];
      const token = signer.sign({
        iss: ISSUER, sub: `system:serviceaccount:${req.namespace}:${name}`, aud: audiences, iat, nbf: iat, exp: iat + expirationSeconds,
        'kubernetes.io': { namespace: req.namespace!, serviceaccount: { name, uid: sa.metadata.uid! } },
      });
      return {
        kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name, namespace: req.namespace, creationTimestamp: null },
        spec: { audiences, expirationSeconds, boundObjectRef: null },
        status: { token, expirationTimestamp: new Date((iat + expirationSeconds) * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
      };
    },
  };
}
