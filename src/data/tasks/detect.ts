// Field recognition for task rows: which field plays which role (layouts.ts), found on a row and then fixed
// for the file, and the template context built from each row. A row that does not fit (a field missing, an
// answer that names no choice, a label with no name) throws RowError naming the field, as the benchmark
// readers in src/eval/tasks do; the pipeline reports it as a problem with its file and line and goes on.
import { RowError } from '../../eval/tasks/task';
import { getField } from '../read/record';
import { LAYOUT_ROLES, NLI_LABELS, type TaskSpec } from './layouts';

/** Role -> field path, plus numbered choice fields (PIQA's sol1, sol2; Winogrande's option1, option2). */
export interface FieldMap {
  roles: Record<string, string>;
  /** Choice fields in their numbering order, when the choices are separate fields. */
  numbered?: { fields: string[]; base: number };
}

const NUMBERED = /^(sol|option|ending|choice|opt|answer)(\d+)$/;

/** Separate choice fields, in order: sol1, sol2 / option1, option2 / ending0.. (the first family found). */
function numberedFields(row: Record<string, unknown>): FieldMap['numbered'] | undefined {
  const families = new Map<string, { n: number; key: string }[]>();
  for (const key of Object.keys(row)) {
    const m = NUMBERED.exec(key);
    if (m && typeof row[key] === 'string') families.set(m[1], [...(families.get(m[1]) ?? []), { n: Number(m[2]), key }]);
  }
  for (const list of families.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.n - b.n);
    return { fields: list.map((e) => e.key), base: list[0].n };
  }
  return undefined;
}

function present(row: Record<string, unknown>, path: string): boolean {
  const v = getField(row, path);
  return v !== undefined && v !== null;
}

/**
 * The field of each role on this row: the user's override, else the first candidate the row has. Returns
 * the roles that could not be found instead when a required one is missing.
 */
export function detectFields(spec: TaskSpec, row: Record<string, unknown>): FieldMap | { missing: string[] } {
  const roles: Record<string, string> = {};
  const missing: string[] = [];
  let numbered: FieldMap['numbered'];
  for (const role of LAYOUT_ROLES[spec.layout]) {
    const given = spec.fields?.[role.name];
    const found = given ?? role.candidates.find((c) => present(row, c));
    if (found !== undefined) { roles[role.name] = found; continue; }
    if (spec.layout === 'mc' && role.name === 'choices') {
      numbered = numberedFields(row);
      if (numbered) continue;
    }
    if (!role.optional) missing.push(`${role.name} (tried ${role.candidates.join(', ')})`);
  }
  // Winogrande's options sit beside its answer field: look for them even when the answer was found.
  if (spec.layout === 'cloze') numbered = numberedFields(row);
  return missing.length > 0 ? { missing } : { roles, numbered };
}

/** A string from a field that may hold one directly, in a list (SQuAD's answers.text), or as {text|value}. */
function firstString(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) { for (const x of v) { const s = firstString(x); if (s !== undefined) return s; } return undefined; }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return firstString(o.text ?? o.value ?? o.answer);
  }
  return undefined;
}

function need(row: Record<string, unknown>, path: string): string {
  const s = firstString(getField(row, path));
  if (s === undefined) throw new RowError(`field "${path}" is missing or empty`);
  return s;
}

function optional(row: Record<string, unknown>, path: string | undefined): string {
  return path === undefined ? '' : (firstString(getField(row, path)) ?? '');
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** An integer given as a number or a string of digits (datasets store labels both ways), else null. */
function integer(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return null;
}

function choiceList(row: Record<string, unknown>, fields: FieldMap): { texts: string[]; labels: string[] | null } {
  if (fields.numbered) return { texts: fields.numbered.fields.map((f) => need(row, f)), labels: null };
  const path = fields.roles.choices;
  const v = getField(row, path);
  if (!Array.isArray(v) || v.length < 2 || v.some((x) => typeof x !== 'string' || x.trim() === '')) {
    throw new RowError(`field "${path}" must be a list of at least 2 non-empty strings`);
  }
  // ARC / OpenBookQA keep the labels beside the texts: choices.text with choices.label.
  const labelPath = path.endsWith('.text') ? `${path.slice(0, -5)}.label` : null;
  const labels = labelPath ? getField(row, labelPath) : undefined;
  const ok = Array.isArray(labels) && labels.length === v.length && labels.every((l) => typeof l === 'string' || typeof l === 'number');
  return { texts: v as string[], labels: ok ? (labels as unknown[]).map(String) : null };
}

/** Index of the right choice: a label (ARC's "B" or "3"), a 0-based index (MMLU, HellaSwag, PIQA), a letter,
 *  a list of 0/1 flags (TruthfulQA's mc1_targets.labels), or the right choice's own text. */
function answerIndex(v: unknown, texts: string[], labels: string[] | null, field: string): number {
  if (Array.isArray(v) && v.every((x) => x === 0 || x === 1) && v.length === texts.length && v.includes(1)) return v.indexOf(1);
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v).trim();
    if (labels) { const i = labels.indexOf(s); if (i >= 0) return i; }
    const n = integer(v);
    if (n !== null && n >= 0 && n < texts.length) return n;
    const letter = LETTERS.slice(0, texts.length).indexOf(s.toUpperCase());
    if (s.length === 1 && letter >= 0) return letter;
    const byText = texts.indexOf(s);
    if (byText >= 0) return byText;
  }
  const shown = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null);
  throw new RowError(`field "${field}" (${shown}) names none of the ${texts.length} choices`);
}

function labelName(v: unknown, names: readonly string[] | undefined, field: string): string {
  const n = integer(v);
  if (n !== null) {
    if (n < 0) throw new RowError(`field "${field}" is ${n}: no gold label`);
    if (!names) throw new RowError(`field "${field}" is the number ${n}: name the labels (labels=NAME|NAME|..., index 0 first)`);
    if (n >= names.length) throw new RowError(`field "${field}" is ${n}, but only ${names.length} label names are given`);
    return names[n];
  }
  const s = firstString(v);
  if (s === undefined || s === '-') throw new RowError(`field "${field}" is missing or has no gold label`);
  return s;
}

/** Blank markers in cloze texts: Winogrande's "_", "___", [MASK], <mask>, [BLANK]. */
const BLANK = /(?<![\w])_+(?![\w])|\[MASK\]|<mask>|\[BLANK\]/i;

/** The variables a template of this layout sees (documented for users in templates.ts); `row` is the original. */
export function taskContext(spec: TaskSpec, fields: FieldMap, row: Record<string, unknown>): Record<string, unknown> {
  const r = fields.roles;
  switch (spec.layout) {
    case 'mc': {
      const { texts: raw, labels } = choiceList(row, fields);
      // PIQA's solutions end in a full stop; templates put their own punctuation around choices.
      const texts = raw.map((t) => t.trim().replace(/(?<!\.)\.$/, ''));
      const answerField = r.answer;
      const gold = answerIndex(getField(row, answerField), raw, labels, answerField);
      const letters = spec.labels ? [...spec.labels] : labels && labels.every((l) => /^[A-Z]$/.test(l)) ? labels : [...LETTERS.slice(0, texts.length)];
      if (letters.length < texts.length) throw new RowError(`${texts.length} choices but ${letters.length} labels`);
      return { question: need(row, r.question).trim(), choices: texts, labels: letters.slice(0, texts.length), answer: texts[gold],
        answer_label: letters[gold], answer_index: gold, subject: optional(row, r.subject).replaceAll('_', ' '), fact: optional(row, r.fact), row };
    }
    case 'qa':
      return { question: need(row, r.question).trim(), answer: need(row, r.answer).trim(), context: optional(row, r.context).trim(),
        title: optional(row, r.title), row };
    case 'cloze': return clozeContext(fields, row);
    case 'summary':
      return { document: need(row, r.document).trim(), summary: need(row, r.summary).trim(), title: optional(row, r.title), row };
    case 'nli':
      return { premise: need(row, r.premise).trim(), hypothesis: need(row, r.hypothesis).trim(),
        label: labelName(getField(row, r.label), spec.labels ?? NLI_LABELS, r.label), row };
    case 'classification':
      return { text: need(row, r.text).trim(), label: labelName(getField(row, r.label), spec.labels, r.label), row };
    default: throw new Error(`unknown layout ${String(spec.layout satisfies never)}`);
  }
}

function clozeContext(fields: FieldMap, row: Record<string, unknown>): Record<string, unknown> {
  const textField = fields.roles.text;
  const text = need(row, textField).trim();
  const options = fields.numbered ? fields.numbered.fields.map((f) => need(row, f)) : [];
  let answer: string;
  if (fields.numbered && fields.roles.answer === undefined) {
    throw new RowError('options found but no answer field (tried answer, target, label, word)');
  }
  if (fields.numbered) {
    // Winogrande: option1/option2 with answer "1"/"2", counted in the options' own numbering.
    const v = getField(row, fields.roles.answer);
    const n = integer(v);
    const i = n === null ? options.indexOf(String(v)) : n - fields.numbered.base;
    if (i < 0 || i >= options.length) throw new RowError(`field "${fields.roles.answer}" (${JSON.stringify(v ?? null)}) names none of the options`);
    answer = options[i];
  } else if (fields.roles.answer !== undefined) {
    answer = need(row, fields.roles.answer).trim();
  } else {
    // LAMBADA: the answer is the passage's last word.
    const m = /^([\s\S]*\S)\s+(\S+?)[.!?"'”’]*$/.exec(text);
    if (!m) throw new RowError(`field "${textField}" has no last word to predict`);
    return { text: `${m[1]} ___`, before: m[1], after: '', filled: text, answer: m[2], options, row };
  }
  const blank = BLANK.exec(text);
  if (!blank) return { text: `${text} ___`, before: text, after: '', filled: `${text} ${answer}`, answer, options, row };
  const before = text.slice(0, blank.index);
  const after = text.slice(blank.index + blank[0].length);
  return { text: `${before}___${after}`, before: before.trimEnd(), after: after.trimStart(), filled: `${before}${answer}${after}`, answer, options, row };
}
