// run.json: one training run as a small, self-contained JSON — its data recipe, model and training settings,
// loss curves and benchmark scores — so runs on different mixtures can be laid side by side (HARE's ablation
// table, on the user's own data) long after the data and weights are gone. The page keeps them in OPFS, Node
// beside each saved checkpoint; both export and import the same JSON.
import type { ModelConfig } from '../model/config';
import type { DataPart } from '../data/tasks/layouts';

export const RUN_FORMAT = 'leveret-run';
export const RUN_VERSION = 1;
export const RUN_FILE = 'run.json';
/** Curves are thinned to at most this many points, so a record stays small for any run length. */
export const MAX_CURVE_POINTS = 1000;

export interface RecipeSource {
  name: string;
  category: string;
  /** The recipe part (D1 cleaned open data, D2 synthetic, D3 task data); absent in records made before parts. */
  part?: DataPart;
  weight: number;
  /** Share of training tokens after normalising the weights over the sources in play. */
  share: number;
  tokens: number;
  records: number;
}

/** What the data was: enough to tell two mixtures apart and say what cleaning and decontamination did. */
export interface DataRecipe {
  sources: RecipeSource[];
  tokenizer: { name: string; vocabSize: number };
  /** Rules that were switched on, in the order records meet them. */
  rulesEnabled: string[];
  /** Benchmark files the data was decontaminated against (empty: no decontamination). */
  decontaminatedAgainst: string[];
  documentsRead: number;
  documentsKept: number;
  /** Records removed per rule (rules with no removal are absent). */
  removedByRule: Record<string, number>;
  tokens: number;
}

export interface TaskScore {
  n: number;
  acc: number;
  /** null below two documents, where the standard error is undefined (JSON has no NaN). */
  acc_stderr: number | null;
  acc_norm?: number;
  acc_norm_stderr?: number;
  /** Few-shot examples per prompt. */
  shots: number;
  /** The optimizer step of the weights that were scored. */
  step: number;
  /** The benchmark file, by name. */
  file?: string;
}

/** [step, loss] pairs; loss is null where training diverged (JSON has no NaN). */
export type Curve = [number, number | null][];

export interface RunRecord {
  format: typeof RUN_FORMAT;
  formatVersion: typeof RUN_VERSION;
  /** Stable identity (a time-based id), kept across renames, exports and imports. */
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  recipe: DataRecipe | null;
  model: ModelConfig;
  /** Training settings as the trainer used them: steps, batch, seqLen, lr, warmup, seed... */
  training: Record<string, number | string | boolean>;
  step: number;
  tokensSeen: number;
  curves: { train: Curve; val: Curve };
  /** Scores by task name; the latest evaluation of each task. */
  scores: Record<string, TaskScore>;
  /** Each task's score (acc_norm where the task has it, else acc) at every step it was evaluated: [step, score]. */
  scoreCurves?: Record<string, Curve>;
}

export class RunRecordError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(`${file}: ${field}: ${detail}`);
    this.name = 'RunRecordError';
  }
}

export function newRunId(now = new Date(), rand = Math.random): string {
  return `${now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.floor(rand() * 0x100000).toString(16).padStart(5, '0')}`;
}

/** Keeps the first and last point and evenly spaced ones between, so the curve's shape and end survive. */
export function thinCurve(points: Curve, max = MAX_CURVE_POINTS): Curve {
  if (points.length <= max) return points.slice();
  const out: Curve = [];
  const stride = (points.length - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(points[Math.round(k * stride)]);
  return out;
}

export function serializeRun(r: RunRecord): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and checks a run.json; throws RunRecordError naming the file and the first bad field. */
export function parseRun(text: string, file = RUN_FILE): RunRecord {
  if (text.length > 16 * 2 ** 20) throw new RunRecordError(file, '(file)', `is ${text.length} bytes; a run record is at most 16 MiB`);
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new RunRecordError(file, '(file)', `is not JSON (${(e as Error).message})`);
  }
  const fail = (field: string, detail: string): never => { throw new RunRecordError(file, field, detail); };
  if (!isRecord(j) || j.format !== RUN_FORMAT) fail('format', `is not a Leveret run record (no "format": "${RUN_FORMAT}")`);
  const r = j as Record<string, unknown>;
  if (r.formatVersion !== RUN_VERSION) fail('formatVersion', `is ${JSON.stringify(r.formatVersion)}; this Leveret reads ${RUN_VERSION}`);
  for (const f of ['id', 'name', 'createdAt', 'updatedAt'] as const) {
    if (typeof r[f] !== 'string' || (r[f] as string).length === 0 || (r[f] as string).length > 500) fail(f, 'must be a non-empty string of at most 500 characters');
  }
  if (!isRecord(r.model)) fail('model', 'must be an object');
  if (!isRecord(r.training)) fail('training', 'must be an object');
  for (const [k, v] of Object.entries(r.training as Record<string, unknown>)) {
    if (!['number', 'string', 'boolean'].includes(typeof v)) fail(`training.${k}`, `must be a number, string or boolean, got ${JSON.stringify(v)}`);
  }
  if (!isCount(r.step)) fail('step', 'must be a non-negative integer');
  if (!isCount(r.tokensSeen)) fail('tokensSeen', 'must be a non-negative integer');
  if (!isRecord(r.curves)) fail('curves', 'must be {train, val}');
  const curves = r.curves as Record<string, unknown>;
  for (const c of ['train', 'val'] as const) {
    const pts = curves[c];
    if (!Array.isArray(pts)) fail(`curves.${c}`, 'must be a list of [step, loss]');
    (pts as unknown[]).forEach((p, i) => {
      if (!Array.isArray(p) || p.length !== 2 || !isCount(p[0]) || !(p[1] === null || Number.isFinite(p[1]))) {
        fail(`curves.${c}[${i}]`, `must be [step, loss or null], got ${JSON.stringify(p)?.slice(0, 80)}`);
      }
    });
  }
  if (!isRecord(r.scores)) fail('scores', 'must be an object');
  for (const [task, s] of Object.entries(r.scores as Record<string, unknown>)) {
    if (!isRecord(s)) fail(`scores.${task}`, 'must be an object');
    const sc = s as Record<string, unknown>;
    if (!isCount(sc.n)) fail(`scores.${task}.n`, 'must be a non-negative integer');
    if (typeof sc.acc !== 'number') fail(`scores.${task}.acc`, 'must be a number');
    if (typeof sc.acc_stderr !== 'number' && sc.acc_stderr !== null) fail(`scores.${task}.acc_stderr`, 'must be a number or null');
    for (const f of ['acc_norm', 'acc_norm_stderr'] as const) if (sc[f] !== undefined && typeof sc[f] !== 'number') fail(`scores.${task}.${f}`, 'must be a number');
    if (!isCount(sc.shots)) fail(`scores.${task}.shots`, 'must be a non-negative integer');
    if (!isCount(sc.step)) fail(`scores.${task}.step`, 'must be a non-negative integer');
  }
  if (r.scoreCurves !== undefined) {
    if (!isRecord(r.scoreCurves)) fail('scoreCurves', 'must be an object of [step, score] lists');
    for (const [task, pts] of Object.entries(r.scoreCurves as Record<string, unknown>)) {
      if (!Array.isArray(pts)) fail(`scoreCurves.${task}`, 'must be a list of [step, score]');
      (pts as unknown[]).forEach((p, i) => {
        if (!Array.isArray(p) || p.length !== 2 || !isCount(p[0]) || !(p[1] === null || Number.isFinite(p[1]))) {
          fail(`scoreCurves.${task}[${i}]`, `must be [step, score or null], got ${JSON.stringify(p)?.slice(0, 80)}`);
        }
      });
    }
  }
  if (r.recipe !== null && !isRecord(r.recipe)) fail('recipe', 'must be an object or null');
  if (isRecord(r.recipe)) {
    const rec = r.recipe;
    if (!Array.isArray(rec.sources)) fail('recipe.sources', 'must be a list');
    (rec.sources as unknown[]).forEach((s, i) => {
      if (!isRecord(s) || typeof s.name !== 'string' || typeof s.weight !== 'number' || typeof s.share !== 'number') {
        fail(`recipe.sources[${i}]`, 'must be {name, category, weight, share, tokens, records}');
      }
    });
    for (const f of ['rulesEnabled', 'decontaminatedAgainst'] as const) {
      if (!Array.isArray(rec[f]) || !(rec[f] as unknown[]).every((x) => typeof x === 'string')) fail(`recipe.${f}`, 'must be a list of strings');
    }
    if (!isRecord(rec.removedByRule)) fail('recipe.removedByRule', 'must be an object');
  }
  return j as RunRecord;
}
