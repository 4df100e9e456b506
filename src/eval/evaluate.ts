// One task end to end: documents -> text requests (few-shot prompts) -> token requests -> one scorer call
// for all of them (so the scorer can batch and order them as it likes) -> per-document predictions -> the
// task's scores and, for auditing, every request with its log-likelihood.
import type { Scorer } from './scorer';
import { drawFewshot, FewshotError } from './fewshot';
import { mc2, mean, meanStderr, predictions } from './metrics';
import { textRequests, type TextRequest } from './prompt';
import type { EvalProblem, TaskRow } from './read-task-file';
import { tokenRequest, type EncodeTokenizer } from './requests';
import type { TaskFamily } from './tasks/task';
import type { LoglikRequest } from './scorer';

export interface EvalOptions {
  /** Few-shot examples per document. */
  readonly shots: number;
  /** Only the first `limit` documents are scored (all rows still serve as few-shot examples). */
  readonly limit?: number;
  /** Seeds the few-shot draws (the harness's fewshot seed is 1234). */
  readonly seed: number;
  /** Put BOS before every context (the harness's add_bos_token). */
  readonly bos: boolean;
}

/** The --out JSON's per-task scores; acc_norm is null for the tasks where the harness does not report it. */
export interface TaskScores {
  n: number;
  acc: number;
  acc_stderr: number | null;
  acc_norm: number | null;
  acc_norm_stderr: number | null;
}

export interface SampleRequest { context: string; continuation: string; loglik: number; is_greedy: boolean }

export interface Sample {
  doc_id: number;
  /** Line or row of the file the document came from. */
  row: number;
  gold: number;
  pred: number;
  pred_norm: number | null;
  /** truthfulqa_mc2 only: this document's score. */
  mc2?: number;
  requests: SampleRequest[];
}

export interface TaskResult {
  readonly scores: TaskScores;
  readonly samples: Sample[];
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export async function evaluateTask(task: TaskFamily, file: string, rows: readonly TaskRow[], tok: EncodeTokenizer,
                                   scorer: Scorer, opts: EvalOptions, problems: (p: EvalProblem) => void,
                                   onProgress?: (done: number, total: number) => void): Promise<TaskResult> {
  const docs = rows.map((r) => r.doc);
  const n = Math.min(docs.length, opts.limit ?? docs.length);
  // Few-shot pools: every document, or for grouped tasks (MMLU) those of the same group.
  const groups = new Map<string, number[]>();
  docs.forEach((d, i) => {
    const key = d.group ?? '';
    const g = groups.get(key);
    if (g) g.push(i); else groups.set(key, [i]);
  });
  // As the harness's sampler removes the evaluated document by equality, a duplicate row is no example either.
  const keys = opts.shots > 0 ? docs.map((d) => JSON.stringify(d)) : [];
  const sameDoc = (a: number, b: number) => a === b || keys[a] === keys[b];

  interface Pending { doc: number; text: TextRequest[]; first: number }
  const pending: Pending[] = [];
  const tokens: LoglikRequest[] = [];
  for (let i = 0; i < n; i++) {
    const d = docs[i];
    let shots;
    try {
      shots = drawFewshot(groups.get(d.group ?? '')!, i, opts.shots, opts.seed, sameDoc).map((k) => docs[k]);
    } catch (err) {
      if (!(err instanceof FewshotError)) throw err;
      throw new FewshotError(`${file}: ${task.name}${d.group !== undefined ? ` (${d.group})` : ''}: ${err.message}`);
    }
    const text = textRequests(d, shots);
    const encoded = text.map((r) => tokenRequest(tok, r, opts.bos));
    const empty = encoded.findIndex((r) => r === null);
    if (empty >= 0) {
      problems({ file, line: rows[i].row, message: `choice ${empty} of document ${i} encodes to no tokens after its context; document skipped` });
      continue;
    }
    pending.push({ doc: i, text, first: tokens.length });
    tokens.push(...(encoded as LoglikRequest[]));
  }

  const results = await scorer.score(tokens, onProgress);
  const samples: Sample[] = [];
  const accs: number[] = [], norms: number[] = [];
  for (const p of pending) {
    const d = docs[p.doc];
    const res = results.slice(p.first, p.first + p.text.length);
    const lls = res.map((r) => r.loglik);
    const { pred, predNorm } = predictions(lls, d.choices);
    const score = task.mc2 ? mc2(lls, d.mc2Labels!) : pred === d.gold ? 1 : 0;
    accs.push(score);
    if (task.accNorm) norms.push(predNorm === d.gold ? 1 : 0);
    samples.push({
      doc_id: p.doc, row: rows[p.doc].row, gold: d.gold, pred, pred_norm: task.accNorm ? predNorm : null,
      ...(task.mc2 ? { mc2: score } : {}),
      requests: p.text.map((t, k) => ({ context: t.context, continuation: t.continuation, loglik: lls[k], is_greedy: res[k].isGreedy })),
    });
  }
  return {
    scores: {
      n: samples.length,
      acc: samples.length > 0 ? mean(accs) : NaN,
      acc_stderr: finite(meanStderr(accs)),
      acc_norm: task.accNorm && samples.length > 0 ? mean(norms) : null,
      acc_norm_stderr: task.accNorm ? finite(meanStderr(norms)) : null,
    },
    samples,
  };
}
