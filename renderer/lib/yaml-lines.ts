// Maps the server's field paths (`spec.containers[0].image`) to lines of the YAML the user wrote.
import { isNode, parseAllDocuments, type Document } from 'yaml';

export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]|\[([^\]]+)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3].replace(/^["']|["']$/g, ''));
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The 1-based line where `field` is, or where its nearest existing parent is; undefined if nothing matches. */
export function lineOfField(text: string, field: string, docName?: string): number | undefined {
  const path = fieldPath(field);
  const docs = parseAllDocuments(text) as Document[];
  const ordered = docName
    ? [...docs].sort((a, b) => Number(b.getIn(['metadata', 'name']) === docName) - Number(a.getIn(['metadata', 'name']) === docName))
    : docs;
  for (const doc of ordered) {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        // a scalar's range is its value; point at the key's line, which is the same line in block style
        return lineAt(text, node.range[0]);
      }
    }
  }
  return undefined;
}
