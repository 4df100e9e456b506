// The sources a person has added, as the data panel edits them, and how they become the data worker's
// PrepareRequest. A dataset is named by a hash of everything that shapes it, so the same files and settings
// find the dataset already prepared (after a reload too) and a checkpoint names the data it was trained on.
import { baseName, detectFormat, partOf, type SourceFormat, type TextSplit } from '../data/source';
import type { DiversityOptions } from '../data/diversity/cluster-pass';
import type { RuleOverrides } from '../data/rules/defaults';
import type { DataPart, TaskSpec } from '../data/tasks/layouts';
import type { SourceLayout } from '../worker/data-layout-preview';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import type { ChatTemplateSpec } from '../data/sft/chat-template';
import type { InputFile, PrepareRequest, PrepareSource } from '../worker/data-api';

export type FormatKind = SourceFormat['kind'];

export interface SourceEntry {
  readonly id: number;
  name: string;
  category: string;
  weight: number;
  kind: FormatKind;
  /** JSONL, CSV and Parquet: the field holding the text. */
  textField: string;
  /** Plain text: how a file splits into documents. */
  split: TextSplit;
  /** JSONL, CSV and Parquet: rows as text (textField), through a task layout (D3), or as SFT conversations. */
  layout: SourceLayout;
  /** Task layouts: role -> field given by the person, over the fields recognised on the first row. */
  roleFields: Record<string, string>;
  /** Task layouts: names for numeric labels, index 0 first (the CLI's labels=A|B|...). */
  labels: string[];
  /** The files, or a loader for files fetched on demand (the default corpus). */
  readonly files: readonly FileRef[];
  readonly origin: 'default' | 'upload';
  /** What the source is (the default corpus describes its files). */
  readonly description?: string;
}

/** A file as the page knows it before reading: enough to name, size and hash it, and to load it. */
export interface FileRef {
  readonly name: string;
  readonly size: number;
  /** Identifies the file's content for the dataset hash (size and modification time for uploads, the URL for the corpus). */
  readonly stamp: string;
  load(): Promise<InputFile>;
}

export interface BenchmarkEntry {
  readonly id: number;
  file: FileRef;
  fields: string;
}

export const ACCEPTED = '.txt,.md,.text,.jsonl,.ndjson,.json,.csv,.tsv,.parquet,.gz';
export const CATEGORIES = ['books', 'web', 'speeches', 'wiki', 'code', 'math', 'qa', 'chat', 'other'];

let nextId = 1;
export const newId = (): number => nextId++;

export function fileRefOf(f: File): FileRef {
  return { name: f.name, size: f.size, stamp: `${f.size}:${f.lastModified}`, load: async () => f };
}

/** A source name that is unique among `taken`: the file name without its extensions, then -2, -3... */
export function uniqueName(fileName: string, taken: ReadonlySet<string>): string {
  const stem = baseName(fileName).replace(/(\.gz)?$/i, '').replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '-') || 'source';
  let name = stem;
  for (let i = 2; taken.has(name); i++) name = `${stem}-${i}`;
  return name;
}

export function sourceFromFile(f: FileRef, taken: ReadonlySet<string>): SourceEntry {
  const fmt = detectFormat(f.name);
  return {
    id: newId(), name: uniqueName(f.name, taken), category: 'web', weight: 1,
    kind: fmt.kind, textField: fmt.kind === 'text' ? 'text' : fmt.textField, split: fmt.kind === 'text' ? fmt.split : 'blank-line',
    layout: 'text', roleFields: {}, labels: [], files: [f], origin: 'upload',
  };
}

export function formatOf(s: SourceEntry): SourceFormat {
  return s.kind === 'text' ? { kind: 'text', split: s.split } : { kind: s.kind, textField: s.textField || 'text' };
}

/** The task spec the source is read with, as the CLI's LAYOUT,ROLE=FIELD,...,labels=A|B gives it; null for text and SFT. */
export function taskOf(s: SourceEntry): TaskSpec | null {
  if (s.kind === 'text' || s.layout === 'text' || s.layout === 'sft') return null;
  const fields = Object.fromEntries(Object.entries(s.roleFields).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
  return { layout: s.layout, ...(Object.keys(fields).length ? { fields } : {}), ...(s.labels.length ? { labels: [...s.labels] } : {}) };
}

export const isSft = (s: SourceEntry): boolean => s.kind !== 'text' && s.layout === 'sft';

/** The recipe part the pipeline will give the source (D3 for a task layout, D2 for the synthetic categories). */
export function sourcePart(s: SourceEntry): DataPart {
  return partOf({ task: taskOf(s) ?? undefined, category: s.category });
}

/** What the worker is told about how the source reads: the CLI's :FIELD, :LAYOUT,... or :sft. */
function readingOf(s: SourceEntry): { format?: SourceFormat; task?: TaskSpec; sft?: boolean } {
  const task = taskOf(s);
  if (task) return { task };
  if (isSft(s)) return { sft: true };
  return { format: formatOf(s) };
}

export interface PrepareSettings {
  sources: readonly SourceEntry[];
  benchmarks: readonly BenchmarkEntry[];
  rules: RuleOverrides;
  tokenizer: TokenizerChoice;
  /** Hash of a tokenizer.json chosen by file (its content is not part of `tokenizer` until loaded). */
  tokenizerStamp: string;
  seqLen: number;
  valFraction: number;
  seed: number;
  /** Topic clusters (off when absent). */
  diversity?: DiversityOptions;
  /** The imported model's template for SFT sources (ChatML when absent). */
  chatTemplate?: ChatTemplateSpec;
}

/** `ds-` and 16 hex digits of SHA-256 over everything that shapes the dataset. */
export async function datasetName(s: PrepareSettings): Promise<string> {
  const key = JSON.stringify({
    v: 1,
    // A text source's key is what it was before layouts existed, so datasets prepared earlier are found again.
    sources: s.sources.map((src) => {
      const { format, ...reading } = readingOf(src);
      return { name: src.name, category: src.category, weight: src.weight, format: format ?? formatOf(src), ...reading, files: src.files.map((f) => [f.name, f.stamp]) };
    }),
    benchmarks: s.benchmarks.map((b) => [b.file.name, b.file.stamp, b.fields]),
    rules: s.rules,
    tokenizer: s.tokenizer.kind === 'json' ? { kind: 'json', stamp: s.tokenizerStamp } : s.tokenizer,
    seqLen: s.seqLen, valFraction: s.valFraction, seed: s.seed,
    ...(s.diversity ? { diversity: s.diversity } : {}),
    // Only SFT sources read the template: other datasets keep the names they had.
    ...(s.chatTemplate && s.sources.some(isSft) ? { chatTemplate: [s.chatTemplate.template, s.chatTemplate.bosToken, s.chatTemplate.eosToken] } : {}),
  });
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return `ds-${[...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The worker's request, loading every file (fetching the default corpus' files on first use). */
export async function prepareRequest(dataset: string, s: PrepareSettings): Promise<PrepareRequest> {
  const sources: PrepareSource[] = [];
  for (const src of s.sources) {
    sources.push({
      name: src.name, category: src.category, weight: src.weight, ...readingOf(src),
      files: await Promise.all(src.files.map((f) => f.load())),
    });
  }
  const benchmarks = await Promise.all(s.benchmarks.map(async (b) => ({ files: [await b.file.load()], fields: b.fields || '*' })));
  return {
    dataset, sources, benchmarks, rules: s.rules, tokenizer: s.tokenizer, seqLen: s.seqLen, valFraction: s.valFraction, seed: s.seed,
    ...(s.diversity ? { diversity: s.diversity } : {}),
    ...(s.chatTemplate ? { chatTemplate: s.chatTemplate } : {}),
  };
}
