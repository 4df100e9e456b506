// What a source card shows about a JSONL, CSV or Parquet file read as a task (D3) or SFT source: the layout its
// first row looks like, the field found for each role of the chosen layout, and the first rows rendered through
// that layout exactly as the pipeline renders them (the same TaskRenderer, source name and seed, so the template
// each row gets here is the one it gets in cleaned.jsonl; SFT rows through the template the data step will use:
// the imported model's, else ChatML).
import { RowError } from '../eval/tasks/task';
import { ALL_FIELDS } from '../data/read/record';
import { readRecords } from '../data/read/records';
import { baseName, type SourceFile } from '../data/source';
import { detectFields } from '../data/tasks/detect';
import type { TaskLayout, TaskSpec } from '../data/tasks/layouts';
import { TaskRenderer } from '../data/tasks/renderer';
import { ChatTemplate, defaultChatTemplate, type ChatTemplateSpec } from '../data/sft/chat-template';
import { detectSftLayout, sftMessages, SftRowError } from '../data/sft/layouts';

/** How a source's rows become text: as they are (a text field), through a task layout, or as SFT conversations. */
export type SourceLayout = 'text' | TaskLayout | 'sft';
export const SOURCE_LAYOUTS: readonly SourceLayout[] = ['text', 'mc', 'qa', 'cloze', 'summary', 'nli', 'classification', 'sft'];

/** Rows rendered on the card: few enough to read at a glance. */
export const PREVIEW_ROWS = 3;

export interface LayoutPreviewRequest {
  /** Null: only recognise the layout. */
  layout: SourceLayout | null;
  fields?: Record<string, string>;
  labels?: string[];
  /** The source's name and the data seed: they choose each row's template, as in the pipeline. */
  source: string;
  seed: number;
  /** SFT rows' template (the imported model's); ChatML when absent. */
  chatTemplate?: ChatTemplateSpec;
}

export interface LayoutPreview {
  file: string;
  /** The layout the first row fits (SFT first, then the task layouts from the most specific); null: plain text. */
  recognised: SourceLayout | null;
  /** The first row's top-level fields (offered for the role fields; a text field among them keeps the text layout). */
  columns: string[];
  /** Role -> field on the first row that fits (numbered choices joined by commas); empty for text and SFT. */
  fields: Record<string, string>;
  /** Roles the first row has no field for, with the names tried. */
  missing: string[];
  rows: { line: number; text?: string; error?: string }[];
  /** SFT: where the template the rows were rendered with comes from ('default (ChatML)', a tokenizer_config.json). */
  template?: string;
}

/** Most specific first: a row with question, choices and answer is mc before it is qa; cloze only with numbered options. */
const RECOGNITION_ORDER: readonly TaskLayout[] = ['mc', 'nli', 'summary', 'qa', 'classification', 'cloze'];

export function recogniseLayout(row: Record<string, unknown>): SourceLayout | null {
  if (detectSftLayout(row)) return 'sft';
  for (const layout of RECOGNITION_ORDER) {
    const found = detectFields({ layout }, row);
    if ('missing' in found) continue;
    // A lone text field (LAMBADA-style cloze) is what every prose file looks like: not a recognition.
    if (layout === 'cloze' && !found.numbered) continue;
    return layout;
  }
  return null;
}

export async function previewLayout(file: SourceFile, kind: 'jsonl' | 'csv' | 'parquet', req: LayoutPreviewRequest): Promise<LayoutPreview> {
  const rows: Record<string, unknown>[] = [];
  const lines: number[] = [];
  let fileName = baseName(file.name);
  for await (const r of readRecords(file, { kind, textField: ALL_FIELDS }, { maxRecordBytes: 1 << 20 }, () => undefined)) {
    if (!r.fields) continue;
    rows.push(r.fields);
    lines.push(r.line);
    fileName = r.file;
    if (rows.length >= PREVIEW_ROWS) break; // leaving the loop closes the reader and its file
  }
  const out: LayoutPreview = { file: fileName, recognised: rows.length ? recogniseLayout(rows[0]) : null,
    columns: rows.length ? Object.keys(rows[0]) : [], fields: {}, missing: [], rows: [] };
  const layout = req.layout;
  if (layout === null || layout === 'text') return out;
  if (layout === 'sft') {
    const spec = req.chatTemplate ?? defaultChatTemplate();
    out.template = spec.origin;
    const template = new ChatTemplate(spec);
    const sft = rows.length ? detectSftLayout(rows[0]) : null;
    if (!sft) { out.missing = ['a conversation (messages / conversations, prompt + completion, or instruction + output)']; return out; }
    out.rows = rows.map((row, i) => {
      try { return { line: lines[i], text: template.render(sftMessages(row, sft), false) }; } catch (e) {
        if (e instanceof SftRowError) return { line: lines[i], error: e.message };
        throw e;
      }
    });
    return out;
  }
  const spec: TaskSpec = { layout, ...(req.fields && Object.keys(req.fields).length ? { fields: req.fields } : {}), ...(req.labels?.length ? { labels: req.labels } : {}) };
  if (rows.length) {
    const found = detectFields(spec, rows[0]);
    if ('missing' in found) out.missing = found.missing;
    else out.fields = { ...found.roles, ...(found.numbered ? { choices: found.numbered.fields.join(',') } : {}) };
  }
  const renderer = new TaskRenderer(spec, req.source, req.seed);
  out.rows = rows.map((row, i) => {
    try { return { line: lines[i], text: renderer.render(row, fileName, lines[i]).text }; } catch (e) {
      if (e instanceof RowError) return { line: lines[i], error: e.message };
      throw e;
    }
  });
  return out;
}
