// A task end to end over a toy scorer whose log-likelihoods are known: one scorer call per task, one
// sample per document with its requests in choice order, acc/acc_norm/mc2 and their errors, few-shot
// draws that are seeded, exclude the document itself and do not move with --limit.
import { describe, expect, it } from 'vitest';
import { evaluateTask, type EvalOptions } from '../../../src/eval/evaluate';
import { FewshotError } from '../../../src/eval/fewshot';
import type { TaskRow } from '../../../src/eval/read-task-file';
import type { LoglikRequest, Scorer } from '../../../src/eval/scorer';
import { taskByName } from '../../../src/eval/task-registry';
import { byteTokenizer } from '../data/helpers';

const tok = byteTokenizer();

/** log-likelihood = −(bytes of the continuation) unless it contains "yes" (then −1): "yes" wins acc. */
function toyScorer(): Scorer & { calls: LoglikRequest[][] } {
  const calls: LoglikRequest[][] = [];
  return {
    contextLength: 4096, calls,
    async score(reqs) {
      calls.push([...reqs]);
      return reqs.map((r) => {
        const text = tok.decode(r.continuation);
        return { loglik: text.includes('yes') ? -1 : -text.length, isGreedy: text.includes('yes') };
      });
    },
  };
}

const rowsOf = (task: string, rows: Record<string, unknown>[]): TaskRow[] =>
  rows.map((r, i) => ({ doc: taskByName(task)!.fromRow(r), row: i + 1 }));
const opts: EvalOptions = { shots: 0, seed: 1234, bos: false };
const noProblems = (p: unknown) => { throw new Error(`unexpected problem ${JSON.stringify(p)}`); };

describe('evaluateTask', () => {
  it('scores every request in one call and reports acc, acc_norm and samples', async () => {
    const rows = rowsOf('mc', [
      { context: 'Is the sky blue?', choices: ['no', 'yes'], gold: 1 },
      { context: 'Is fire cold?', choices: ['no', 'yes indeed'], gold: 0 },
      { context: 'Is water wet?', choices: ['yes', 'n'], gold: 0 },
    ]);
    const scorer = toyScorer();
    const r = await evaluateTask(taskByName('mc')!, 'mc.jsonl', rows, tok, scorer, opts, noProblems);
    expect(scorer.calls).toHaveLength(1);
    expect(scorer.calls[0]).toHaveLength(6);
    // acc: doc 0 right, doc 1 wrong (yes wins), doc 2 right. acc_norm: -1/3 vs -1/1 on doc 2 keeps "yes";
    // on doc 0 "yes" (-1/3) beats "no" (-3/2); on doc 1 "yes indeed" (-1/10) beats "no" (-3/2).
    expect(r.scores).toEqual({ n: 3, acc: 2 / 3, acc_stderr: expect.closeTo(Math.sqrt(1 / 3) / Math.sqrt(3), 12),
      acc_norm: 2 / 3, acc_norm_stderr: expect.closeTo(Math.sqrt(1 / 3) / Math.sqrt(3), 12) });
    expect(r.samples[1]).toEqual({ doc_id: 1, row: 2, gold: 0, pred: 1, pred_norm: 1, requests: [
      { context: 'Is fire cold?', continuation: ' no', loglik: -3, is_greedy: false },
      { context: 'Is fire cold?', continuation: ' yes indeed', loglik: -1, is_greedy: true },
    ] });
  });

  it('truthfulqa_mc2: acc is the mean mc2, no acc_norm', async () => {
    const rows = rowsOf('truthfulqa_mc2', [{ question: 'Q?', mc2_targets: { choices: ['yes', 'ab'], labels: [1, 0] } }]);
    const r = await evaluateTask(taskByName('truthfulqa_mc2')!, 't.jsonl', rows, tok, toyScorer(), opts, noProblems);
    // ll = [-1, -3]: mc2 = 1 / (1 + e^-2).
    expect(r.scores.acc).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(r.scores.acc_norm).toBeNull();
    expect(r.samples[0].mc2).toBeCloseTo(r.scores.acc, 12);
    expect(r.samples[0].pred_norm).toBeNull();
  });

  it('winogrande: the options are in the contexts, the continuation is shared', async () => {
    const rows = rowsOf('winogrande', [{ sentence: 'I chose _ because yes.', option1: 'tea', option2: 'coffee', answer: '2' }]);
    const r = await evaluateTask(taskByName('winogrande')!, 'w.jsonl', rows, tok, toyScorer(), opts, noProblems);
    expect(r.samples[0].requests.map((q) => [q.context, q.continuation])).toEqual([
      ['I chose tea', ' because yes.'], ['I chose coffee', ' because yes.']]);
    expect(r.scores.acc_norm).toBeNull();
  });

  it('few-shot: seeded, never the document itself, the same for a document whatever --limit is', async () => {
    const rows = rowsOf('mc', Array.from({ length: 12 }, (_, i) => ({ context: `Q${i}?`, choices: [`a${i}`, `b${i}`], gold: i % 2 })));
    const run = async (o: Partial<EvalOptions>) =>
      (await evaluateTask(taskByName('mc')!, 'mc.jsonl', rows, tok, toyScorer(), { ...opts, shots: 3, ...o }, noProblems)).samples;
    const all = await run({});
    const limited = await run({ limit: 4 });
    expect(limited).toHaveLength(4);
    expect(limited.map((s) => s.requests)).toEqual(all.slice(0, 4).map((s) => s.requests));
    for (const s of all) {
      const ctx = s.requests[0].context;
      const examples = ctx.split('\n\n');
      expect(examples).toHaveLength(4);
      expect(examples.slice(0, 3).every((e) => /^Q\d+\? [ab]\d+$/.test(e))).toBe(true);
      expect(examples.slice(0, 3).some((e) => e.startsWith(`Q${s.doc_id}?`))).toBe(false);
      expect(examples[3]).toBe(`Q${s.doc_id}?`);
    }
    expect((await run({ seed: 7 })).map((s) => s.requests[0].context)).not.toEqual(all.map((s) => s.requests[0].context));
  });

  it('MMLU few-shot examples come from the same subject, after the subject line', async () => {
    const q = (subject: string, k: number) => ({ question: `${subject} ${k}?`, subject, choices: ['1', '2', '3', '4'], answer: k % 4 });
    const rows = rowsOf('mmlu', [q('anatomy', 0), q('virology', 1), q('anatomy', 2), q('virology', 3), q('anatomy', 4), q('virology', 5)]);
    const r = await evaluateTask(taskByName('mmlu')!, 'm.jsonl', rows, tok, toyScorer(), { ...opts, shots: 2 }, noProblems);
    const ctx = r.samples[0].requests[0].context;
    expect(ctx.startsWith('The following are multiple choice questions (with answers) about anatomy.\n\n')).toBe(true);
    expect(ctx).not.toContain('virology');
    expect(ctx).toContain('anatomy 2?');
    expect(ctx).toContain('anatomy 4?');
    await expect(evaluateTask(taskByName('mmlu')!, 'm.jsonl', rows, tok, toyScorer(), { ...opts, shots: 3 }, noProblems))
      .rejects.toThrow(new FewshotError('m.jsonl: mmlu (anatomy): 3 few-shot examples asked for, but only 2 other documents are there to draw from'));
  });

  it('a duplicate of the document is never its example', async () => {
    const same = { context: 'Same?', choices: ['x', 'y'], gold: 0 };
    const rows = rowsOf('mc', [same, same, { context: 'Other?', choices: ['x', 'y'], gold: 1 }]);
    const r = await evaluateTask(taskByName('mc')!, 'mc.jsonl', rows, tok, toyScorer(), { ...opts, shots: 1 }, noProblems);
    expect(r.samples[0].requests[0].context).toBe('Other? y\n\nSame?');
  });
});
