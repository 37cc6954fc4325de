// A kind's name in the UI: translated where the app knows it, else the Kind discovery gives (a CRD's own name).
import type { KindDef } from './kinds';

export function kindLabel(k: KindDef, t: (key: string) => string, te: (key: string) => boolean): string {
  const key = `nav.${k.id}`;
  return te(key) ? t(key) : k.kind;
}
