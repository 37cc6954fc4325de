// The command palette's decisions: which entries match what the user typed, and in which order.

export interface PaletteEntry {
  /** what is shown and matched first (an object's name, an action's title) */
  label: string;
  section: 'action' | 'view' | 'resource';
  /** Kubernetes kind of a resource entry ("Pod"); filters `svc web`-style queries */
  kind?: string;
  namespace?: string;
  /** more words that match, weaker than the label (an action's verb, a view's kind) */
  keywords?: string;
  /** listed only once something is typed (one per namespace would crowd the first screen) */
  typedOnly?: boolean;
  /** its keyboard shortcut, shown beside it (`G P`) */
  shortcut?: string;
}

export interface Ranked<T extends PaletteEntry> {
  entry: T;
  score: number;
  /** indexes into entry.label that matched, for highlighting */
  positions: number[];
}

// kubectl's resource names and short names, so `svc web` or `po/nginx` narrow to one kind: from discovery
// (aliasesOf) once it answered; these until then
const KIND_ALIASES: Record<string, string> = {
  po: 'Pod',
  pod: 'Pod',
  pods: 'Pod',
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  rs: 'ReplicaSet',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  job: 'Job',
  jobs: 'Job',
  svc: 'Service',
  service: 'Service',
  services: 'Service',
  ep: 'Endpoints',
  endpoints: 'Endpoints',
  cm: 'ConfigMap',
  configmap: 'ConfigMap',
  configmaps: 'ConfigMap',
  secret: 'Secret',
  secrets: 'Secret',
  ns: 'Namespace',
  namespace: 'Namespace',
  namespaces: 'Namespace',
  no: 'Node',
  node: 'Node',
  nodes: 'Node',
};

/** The names kubectl accepts for each kind (plural, singular, Kind, short names), as discovery lists them. */
export function aliasesOf(kinds: { kind: string; resource: string; singular?: string; shortNames?: string[] }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of kinds) for (const a of [k.resource, k.singular, k.kind.toLowerCase(), ...(k.shortNames ?? [])]) if (a && !(a in out)) out[a] = k.kind;
  return out;
}

/** Splits `svc web`, `svc/web` or `web` into an optional kind and the text to match. */
export function parseQuery(q: string, aliases: Record<string, string> = KIND_ALIASES): { kind?: string; text: string } {
  const s = q.trim().toLowerCase();
  const m = s.match(/^([a-z]+)(?:\/|\s+)(.*)$/);
  if (m && aliases[m[1]]) return { kind: aliases[m[1]], text: m[2].trim() };
  return { text: s };
}

const boundary = (s: string, i: number) => i === 0 || /[-._/\s:]/.test(s[i - 1]);

/**
 * How well `needle` matches `hay` (both lower case), as VS Code's quick open ranks: exact, then prefix, then a
 * substring at a word start, then any substring, then the letters in order (fewer gaps first). undefined = no match.
 */
export function matchText(needle: string, hay: string): { score: number; positions: number[] } | undefined {
  if (!needle) return { score: 1, positions: [] };
  const span = (from: number) => Array.from({ length: needle.length }, (_, k) => from + k);
  if (hay === needle) return { score: 1000, positions: span(0) };
  if (hay.startsWith(needle)) return { score: 800 - hay.length, positions: span(0) };
  let at = hay.indexOf(needle);
  const first = at;
  while (at > 0 && !boundary(hay, at)) at = hay.indexOf(needle, at + 1);
  if (at > 0) return { score: 600 - hay.length, positions: span(at) };
  if (first >= 0) return { score: 400 - hay.length - first, positions: span(first) };
  // letters in order: reward those at word starts and in runs
  const positions: number[] = [];
  let score = 200 - hay.length;
  let j = 0;
  for (let i = 0; i < hay.length && j < needle.length; i++) {
    if (hay[i] !== needle[j]) continue;
    const prev = positions[positions.length - 1];
    if (boundary(hay, i)) score += 8;
    else if (prev === i - 1) score += 4;
    else score -= 2;
    positions.push(i);
    j++;
  }
  return j === needle.length ? { score, positions } : undefined;
}

const SECTION_ORDER = { action: 0, view: 1, resource: 2 } as const;

/** The entries matching `query`, best first; with an empty query, actions and views come before resources. */
export function rankEntries<T extends PaletteEntry>(entries: T[], query: string, limit = 60, aliases?: Record<string, string>): Ranked<T>[] {
  const parsed = parseQuery(query, aliases);
  const out: Ranked<T>[] = [];
  for (const entry of entries) {
    if (parsed.kind && entry.kind && entry.kind !== parsed.kind) continue;
    if (entry.typedOnly && !parsed.text) continue;
    // actions and views have no kind: they match the whole query ("namespace shop" finds "Switch to namespace shop")
    const text = parsed.kind && !entry.kind ? query.trim().toLowerCase() : parsed.text;
    const label = entry.label.toLowerCase();
    let best = matchText(text, label);
    // `default/web`: the namespace-qualified name
    if (!best && entry.namespace && text.includes('/')) {
      const m = matchText(text, `${entry.namespace}/${label}`.toLowerCase());
      if (m) best = { score: m.score - 50, positions: m.positions.filter((p) => p > entry.namespace!.length).map((p) => p - entry.namespace!.length - 1) };
    }
    if (!best && entry.keywords) {
      const m = matchText(text, entry.keywords.toLowerCase());
      if (m) best = { score: m.score - 300, positions: [] };
    }
    if (best) out.push({ entry, score: best.score, positions: best.positions });
  }
  const typed = !!query.trim();
  // with nothing typed, actions and views keep the order they are declared in (the likeliest first)
  out.sort(
    (a, b) =>
      (typed ? b.score - a.score : 0) ||
      SECTION_ORDER[a.entry.section] - SECTION_ORDER[b.entry.section] ||
      (!typed && a.entry.section !== 'resource' ? 0 : a.entry.label.localeCompare(b.entry.label)) ||
      (a.entry.namespace ?? '').localeCompare(b.entry.namespace ?? ''),
  );
  return out.slice(0, limit);
}

/** Splits a label into plain and matched runs, for `<mark>`. */
export function highlight(label: string, positions: number[]): { text: string; hit: boolean }[] {
  const set = new Set(positions);
  const out: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < label.length; i++) {
    const hit = set.has(i);
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += label[i];
    else out.push({ text: label[i], hit });
  }
  return out;
}
