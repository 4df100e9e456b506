// What a source is: named files of one format, a category and a mixture weight. Files are anything with a
// name and a byte stream, so a browser File and a Node file wrapper (source-file.node.ts) both fit.
import type { DataPart, TaskSpec } from './tasks/layouts';

/** One input file. A browser `File` satisfies this interface as it is. */
export interface SourceFile {
  readonly name: string;
  readonly size?: number;
  stream(): ReadableStream<Uint8Array>;
  /** Random access, needed by Parquet (its index is at the end). Without it a Parquet file is buffered whole. */
  slice?(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** How a text file splits into documents. */
export type TextSplit = 'file' | 'blank-line' | 'line';

export type SourceFormat =
  | { kind: 'text'; split: TextSplit }
  | { kind: 'jsonl' | 'csv' | 'parquet'; textField: string };

/** HARE's two length classes: pretraining text (long) and task-style data such as Q&A (short). */
export type LengthClass = 'long' | 'short';

export interface SourceSpec {
  /** Unique within a run; names the shards and the report rows. */
  name: string;
  /** web, books, code, math, wiki, qa, speeches, ... (free text, shown in the report). */
  category: string;
  /** Share of training tokens drawn from this source, relative to the other sources' weights. */
  weight: number;
  files: SourceFile[];
  /** Detected from each file's extension when omitted (see detectFormat). */
  format?: SourceFormat;
  /** Which length cap applies; by default 'short' for the categories in SHORT_CATEGORIES, else 'long'. */
  lengthClass?: LengthClass;
  /** A task dataset (D3): each row rendered into text through one of its layout's templates (tasks/). */
  task?: TaskSpec;
  /** Instruction data (JSONL conversations, sft/layouts.ts) for supervised fine-tuning: rendered with the chat
   *  template and packed whole with a loss mask by sft/sft-pass.ts instead of passes 1 and 2. */
  sft?: boolean;
  /** The recipe part the source belongs to; by default D3 for a task source, D2 for category synthetic, else D1 (partOf). */
  part?: DataPart;
}

/** Categories of synthetic text written by a model (`npm run synth`): HARE's D2. */
export const SYNTHETIC_CATEGORIES: readonly string[] = ['synthetic', 'synth'];

/** D3 for task sources, D2 for the synthetic categories, D1 otherwise, unless the source says. */
export function partOf(spec: Pick<SourceSpec, 'task' | 'part'> & { readonly category?: string }): DataPart {
  if (spec.part) return spec.part;
  if (spec.task) return 'D3';
  return spec.category !== undefined && SYNTHETIC_CATEGORIES.includes(spec.category.toLowerCase()) ? 'D2' : 'D1';
}

/** Categories whose samples are short task data in HARE's sense, capped at the short length. */
export const SHORT_CATEGORIES: readonly string[] = ['qa', 'q&a', 'nlp', 'task', 'instruction', 'chat'];

export function lengthClassOf(spec: Pick<SourceSpec, 'category' | 'lengthClass'>): LengthClass {
  return spec.lengthClass ?? (SHORT_CATEGORIES.includes(spec.category.toLowerCase()) ? 'short' : 'long');
}

/** The text field assumed for JSONL, CSV and Parquet when the user names none. */
export const DEFAULT_TEXT_FIELD = 'text';

/**
 * The format implied by a file name: .txt/.md/.text (one document per blank-line block), .jsonl/.ndjson/.json,
 * .csv/.tsv, .parquet, each optionally followed by .gz. Unknown extensions are read as text.
 */
export function detectFormat(fileName: string, textField = DEFAULT_TEXT_FIELD): SourceFormat {
  const name = fileName.toLowerCase().replace(/\.gz$/, '');
  if (/\.(jsonl|ndjson|json)$/.test(name)) return { kind: 'jsonl', textField };
  if (/\.(csv|tsv)$/.test(name)) return { kind: 'csv', textField };
  if (name.endsWith('.parquet')) return { kind: 'parquet', textField };
  return { kind: 'text', split: 'blank-line' };
}

/** The file name without folders, as the report and cleaned.jsonl show it (the same in the page and in Node). */
export function baseName(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] || name;
}
