// An object as `kubectl get -o yaml` shows it, and what an edit of it would send. Pure.
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../main/api/object';
import type { AnyObject } from './objects';

/** YAML of an object, managedFields left out (as kubectl shows it); Secret values hidden unless asked for. */
export function objectYaml(o: AnyObject | undefined, opts: { hideSecretData?: string } = {}): string {
  if (!o) return '';
  const c = structuredClone(o) as AnyObject & { data?: Record<string, string> };
  delete c.metadata?.managedFields;
  if (opts.hideSecretData && c.kind === 'Secret' && c.data) c.data = Object.fromEntries(Object.keys(c.data).map((k) => [k, `<${opts.hideSecretData}>`]));
  return stringify(c);
}

export type EditParse = { object: KubeObject } | { error: string; line?: number };

/** The edited text as the object to PUT: one YAML document of the same kind and name (a rename is a different object). */
export function parseEdit(text: string, original: AnyObject): EditParse {
  const docs = parseAllDocuments(text);
  if (Array.isArray(docs) && docs.length !== 1) return { error: 'the edited YAML must hold exactly one object' };
  const doc = Array.isArray(docs) ? docs[0] : docs;
  const err = doc.errors[0];
  if (err) return { error: `error parsing YAML: ${err.message.split('\n')[0]}`, line: err.linePos?.[0]?.line };
  const obj = doc.toJS() as KubeObject | null;
  if (!obj || typeof obj !== 'object' || !obj.metadata) return { error: 'error validating data: metadata must be set' };
  if (obj.kind !== original.kind || obj.apiVersion !== original.apiVersion) return { error: `the kind must stay ${original.apiVersion}/${original.kind}` };
  if (obj.metadata.name !== original.metadata.name || (obj.metadata.namespace ?? undefined) !== (original.metadata.namespace ?? undefined)) {
    return { error: 'the name and namespace cannot change (that would be another object)' };
  }
  return { object: obj };
}
