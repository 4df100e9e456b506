// Seeds for synthetic text (HARE's D2): N records of a prepared dataset drawn evenly across its topic clusters,
// each turned into a topic phrase a prompt template can use. Reads the dataset through a DataStore, so the
// page's worker (OPFS) and the CLI (a folder) draw the same seeds from the same dataset and seed.
//
// Groups are (source, cluster) pairs from `_cluster` on cleaned.jsonl lines and report.json's `diversity`;
// without clusters there is one group and the draw is uniform over records. Seeds are dealt round-robin over
// the groups (group order: sources as in the report, clusters by number), so a small cluster gives as many
// seeds as a large one until it runs out. Within a group, records are taken in the order of a seeded hash of
// their line, so the draw is fixed by the seed and independent of the other groups. With fewer records than
// N, the round-robin starts again from the first record; the seed index still changes the template and the
// sampler's seed, so a repeated record does not repeat a prompt. Memory: 12 bytes a line, and the N seeds.
import { CLEANED_FILE } from '../cleaned-record';
import type { SourceClusters } from '../diversity/cluster-pass';
import { byteLines } from '../read/lines';
import type { PipelineReport } from '../report';
import { hashUnit } from '../rng';
import type { DataStore } from '../store';

export const REPORT_FILE = 'report.json';
/** Salt of the hash that orders a group's records (apart from the pipeline's own hashes). */
export const SEED_SALT = 0x73656564;
const MAX_LINE_BYTES = 32 * 1024 * 1024;
/** A seed's excerpt: the record's first sentence, at most this many characters (cut at a word). */
export const EXCERPT_CHARS = 300;
/** Top words of a cluster that make its topic phrase. */
export const TOPIC_TERMS = 5;

export interface Seed {
  /** 0 .. N-1: the order seeds are dealt in, and each output record's key for resuming. */
  readonly index: number;
  readonly source: string;
  /** The record's topic cluster, null when the dataset was prepared without --clusters. */
  readonly cluster: number | null;
  /** cleaned.jsonl line (1-based) the seed came from. */
  readonly line: number;
  /** The cluster's top words, or the excerpt's first words without clusters. */
  readonly topic: string;
  readonly terms: readonly string[];
  readonly excerpt: string;
  /** The record's original fields (underscore fields and the text left out), for user templates. */
  readonly row: Readonly<Record<string, unknown>>;
}

export interface SeedDraw {
  readonly seeds: Seed[];
  /** Whether the dataset had topic clusters; false: drawn uniformly, and `method` says so. */
  readonly clustered: boolean;
  readonly groups: number;
  readonly records: number;
  /** How the seeds were drawn, in words (printed by the CLI, stored for the page). */
  readonly method: string;
}

/** The text of a cleaned line: `_text` (joined fields), `text`, else its longest own string field. */
export function lineText(obj: Record<string, unknown>): string {
  if (typeof obj._text === 'string') return obj._text;
  if (typeof obj.text === 'string') return obj.text;
  let best = '';
  for (const [k, v] of Object.entries(obj)) if (!k.startsWith('_') && typeof v === 'string' && v.length > best.length) best = v;
  return best;
}

/** The first sentence of `text`, at most EXCERPT_CHARS characters, cut at a word when longer. */
export function firstSentence(text: string, chars = EXCERPT_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^.*?[.!?…](?=\s|$)/.exec(flat);
  const s = m ? m[0] : flat;
  if (s.length <= chars) return s;
  const cut = s.slice(0, chars);
  const space = cut.lastIndexOf(' ');
  return `${space > chars / 2 ? cut.slice(0, space) : cut}…`;
}

/**
 * Per-group quotas that deal `n` seeds round-robin over groups of these sizes: each round gives one to every
 * group with records left. With fewer records than n every group gives all it has (the caller wraps).
 */
export function roundRobinQuotas(sizes: readonly number[], n: number): number[] {
  const quota = sizes.map(() => 0);
  let left = Math.min(n, sizes.reduce((a, b) => a + b, 0));
  while (left > 0) {
    for (let g = 0; g < sizes.length && left > 0; g++) if (quota[g] < sizes[g]) { quota[g]++; left--; }
  }
  return quota;
}

async function* jsonLines(store: DataStore): AsyncGenerator<{ line: number; obj: Record<string, unknown> }> {
  const decoder = new TextDecoder();
  for await (const l of byteLines(await store.readStream(CLEANED_FILE), MAX_LINE_BYTES)) {
    if (!l.bytes || l.bytes.length === 0) continue;
    let obj: unknown;
    try { obj = JSON.parse(decoder.decode(l.bytes)); } catch { throw new Error(`${CLEANED_FILE} line ${l.line} is not JSON: is this a dataset folder from npm run data?`); }
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) yield { line: l.line, obj: obj as Record<string, unknown> };
  }
}

const groupKey = (source: string, cluster: number | null) => `${source}\u0000${cluster ?? ''}`;

export async function drawSeeds(store: DataStore, n: number, seed: number): Promise<SeedDraw> {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`the number of seeds must be a positive integer, got ${n}`);
  const names = await store.list();
  if (!names.includes(CLEANED_FILE)) throw new Error(`has no ${CLEANED_FILE} (prepare it with npm run data first)`);
  let report: Partial<PipelineReport> | null = null;
  if (names.includes(REPORT_FILE)) report = JSON.parse(await store.readText(REPORT_FILE)) as Partial<PipelineReport>;
  const clusterRows = new Map<string, SourceClusters>();
  for (const s of report?.diversity?.sources ?? []) clusterRows.set(s.source, s);
  const sourceOrder = (report?.sources ?? []).map((s) => s.name);

  // Pass 1: every line's group and hash key.
  const groupOf: number[] = [], keyOf: number[] = [], lineOf: number[] = [];
  const groups: { source: string; cluster: number | null }[] = [];
  const groupIds = new Map<string, number>();
  let clustered = false;
  for await (const { line, obj } of jsonLines(store)) {
    const source = typeof obj._source === 'string' ? obj._source : '';
    const cluster = Number.isInteger(obj._cluster) ? (obj._cluster as number) : null;
    if (cluster !== null) clustered = true;
    const key = groupKey(source, cluster);
    let g = groupIds.get(key);
    if (g === undefined) { g = groups.length; groupIds.set(key, g); groups.push({ source, cluster }); }
    groupOf.push(g); keyOf.push(hashUnit(seed, SEED_SALT, line)); lineOf.push(line);
  }
  if (groupOf.length === 0) throw new Error(`${CLEANED_FILE} holds no record to draw seeds from`);
  // Without clusters: one group, uniform over all records.
  if (!clustered) { groups.length = 1; groups[0] = { source: '', cluster: null }; groupOf.fill(0); }
  const rank = (s: string) => { const i = sourceOrder.indexOf(s); return i < 0 ? sourceOrder.length : i; };
  const order = groups.map((_, g) => g).sort((a, b) =>
    rank(groups[a].source) - rank(groups[b].source) || groups[a].source.localeCompare(groups[b].source) ||
    (groups[a].cluster ?? 0) - (groups[b].cluster ?? 0));
  const members: number[][] = groups.map(() => []);
  groupOf.forEach((g, i) => members[g].push(i));
  for (const m of members) m.sort((a, b) => keyOf[a] - keyOf[b] || a - b);
  const quota = roundRobinQuotas(order.map((g) => members[g].length), n);
  // The dealing order: round r gives each group (in order) its r-th record while its quota lasts.
  const dealt: number[] = [];
  for (let r = 0; dealt.length < quota.reduce((a, b) => a + b, 0); r++) {
    order.forEach((g, k) => { if (r < quota[k]) dealt.push(members[g][r]); });
  }

  // Pass 2: the chosen lines' text and fields.
  const wanted = new Map<number, number>(); // line -> position in dealt
  dealt.forEach((i, at) => wanted.set(lineOf[i], at));
  const picked: { excerpt: string; row: Record<string, unknown>; source: string; cluster: number | null; line: number }[] = new Array(dealt.length);
  for await (const { line, obj } of jsonLines(store)) {
    const at = wanted.get(line);
    if (at === undefined) continue;
    const text = lineText(obj), row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!k.startsWith('_') && v !== text) row[k] = v;
    const g = groups[groupOf[dealt[at]]];
    picked[at] = { excerpt: firstSentence(text), row, source: String(obj._source ?? ''), cluster: g.cluster, line };
  }
  const seeds: Seed[] = [];
  for (let index = 0; index < n; index++) {
    const p = picked[index % picked.length];
    const terms = p.cluster === null ? [] : (clusterRows.get(p.source)?.clusters.find((c) => c.cluster === p.cluster)?.terms ?? []).slice(0, TOPIC_TERMS);
    const topic = terms.length > 0 ? terms.join(', ') : p.excerpt.split(' ').slice(0, 8).join(' ').replace(/[.!?…,;:]+$/, '');
    seeds.push({ index, source: p.source, cluster: p.cluster, line: p.line, topic, terms, excerpt: p.excerpt, row: p.row });
  }
  const method = clustered
    ? `${n} seeds dealt round-robin over ${groups.length} topic clusters (${order.map((g, k) => `${groups[g].source}#${groups[g].cluster}: ${quota[k]}`).join(', ')})` +
      (n > dealt.length ? `; only ${dealt.length} records, so records repeat with other templates and sampler seeds` : '')
    : `the dataset has no topic clusters (prepare it with --clusters K to draw evenly over topics): ${n} seeds drawn uniformly from ${dealt.length < n ? `all ${dealt.length}` : groupOf.length} records` +
      (n > dealt.length ? ', records repeating with other templates and sampler seeds' : '');
  return { seeds, clustered, groups: groups.length, records: groupOf.length, method };
}
