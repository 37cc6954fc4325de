// The namespace of an admission request: from the API server's per-request read when it offers one, else through
// the in-process client (tests that build attributes by hand). undefined when the namespace does not exist.
import { isStatusError } from '../../api/errors';
import type { KubeObject } from '../../api/object';
import { R } from '../../client/types';
import type { AdmissionAttributes } from './types';

export async function requestNamespace(a: AdmissionAttributes): Promise<KubeObject | undefined> {
  if (a.namespaceObject) return a.namespaceObject();
  try {
    return await a.client.get(R.namespaces, a.namespace);
  } catch (e) {
    if (isStatusError(e, 'NotFound')) return undefined;
    throw e;
  }
}
