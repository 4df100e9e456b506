// The proof that scores mean something: a model trained on text that holds the answers scores well above
// chance on them, through the whole CLI path (a checkpoint folder, a task file, --out JSON) with the tfjs
// reference Scorer on CPU in place of the GPU one (same interface; the engine Scorer is checked against
// this one in tests/gpu).
//
// Decision: a tiny model (1 layer, 32 wide, a 300-token BPE, 24-token context) trained 30 AdamW steps at 5e-2
// (loss on the answer tokens) on CPU tfjs over 16
// "Question: What does each animal eat?\nAnswer: X Y" lines, each of 4 answers used by 4 subjects, so guessing the
// most frequent answer is no better than chance (25%). A SwiftShader training run of the engine would take
// minutes on this machine; the reference model learns the same lines in seconds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreTasks, validateTasksRun } from '../../../src/cli/eval-tasks';
import { trainBpe } from '../../../src/data/tokenizer';
import type { EvalReport } from '../../../src/eval/report';
import { createReferenceScorer } from '../../../src/eval/score-reference';
import { validateConfig } from '../../../src/model/config';
import { initParams } from '../../../src/model/init';
import { ReferenceTrainer } from '../../../src/model/reference';
import { buildCheckpoint } from '../../../src/train/checkpoint/checkpoint';
import { writeCheckpointDir } from '../../../src/train/checkpoint/dir.node';
import { fingerprintOfJSON } from '../../../src/train/trainer';
import { trainerState } from '../checkpoint/fixtures';

const ANIMALS = ['cow', 'cat', 'owl', 'bee', 'goat', 'frog', 'bear', 'crab', 'duck', 'mole', 'seal', 'wolf', 'moth', 'newt', 'hare', 'lynx'];
const FOODS = ['grass', 'fish', 'mice', 'honey'];
const food = (i: number) => FOODS[(i * 7 + Math.floor(i / 4)) % 4]; // each food 4 times, not in runs
const STEPS = 30;
// The animal is the context's last token, so a model this small and this briefly trained can tie it to the
// answer without having to learn attention first.
const question = (a: string) => `Question: What does each animal eat?\nAnswer: ${a}`;

let dir: string;
beforeAll(async () => { await tf.setBackend('cpu'); dir = mkdtempSync(join(tmpdir(), 'leveret-eval-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a model trained on the answers', () => {
  it('scores well above chance on them, through the CLI path', async () => {
    const lines = ANIMALS.map((a, i) => `${question(a)} ${food(i)}`);
    expect(new Set(ANIMALS.map((_, i) => food(i))).size).toBe(4);
    const tok = await trainBpe(lines, { vocabSize: 300 });
    const config = validateConfig({ dim: 32, nLayers: 1, nHeads: 2, nKvHeads: 1, hiddenDim: 64, vocabSize: tok.vocabSize,
      normEps: 1e-5, ropeTheta: 10000, contextLength: 24 });
    const T = config.contextLength, B = lines.length;
    const inputs = new Int32Array(B * T), targets = new Int32Array(B * T).fill(-1);
    lines.forEach((l, r) => {
      const ids = [tok.bosId, ...tok.encode(l)];
      expect(ids.length).toBeLessThanOrEqual(T + 1);
      // The loss is on the answer's tokens only: 30 steps on CPU go to the question -> answer mapping, not
      // to the template every line shares.
      const answerFrom = 1 + tok.encode(question(ANIMALS[r])).length;
      for (let i = 0; i + 1 < ids.length; i++) { inputs[r * T + i] = ids[i]; if (i + 1 >= answerFrom) targets[r * T + i] = ids[i + 1]; }
    });
    const trainer = new ReferenceTrainer(config, initParams(config, 7), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 }); // HARE's AdamW
    let loss = NaN;
    const t0 = Date.now();
    for (let s = 0; s < STEPS; s++) loss = (await trainer.trainStep([{ inputs, targets }], B, T, 5e-2)).loss;
    const params = await trainer.params();
    trainer.dispose();
    console.log(`trained ${STEPS} steps in ${Date.now() - t0} ms: loss ${loss.toFixed(3)}`);

    const ckDir = join(dir, 'ck');
    const json = tok.toJSON();
    const state = { ...trainerState(config, json, STEPS), tokenizerFingerprint: fingerprintOfJSON(json) };
    await writeCheckpointDir(ckDir, buildCheckpoint({ config, tokenizerJSON: json, bosId: tok.bosId, eosId: tok.eosId, params,
      // Scoring reads no AdamW moments: zeros of each parameter's size fill the optimizer file.
      moments: (name) => new Float32Array(params.get(name.replace(/\.exp_avg(_sq)?$/, ''))!.length), trainerState: state }));
    const taskFile = join(dir, 'diet.jsonl');
    writeFileSync(taskFile, ANIMALS.map((a, i) => JSON.stringify({ context: question(a), choices: FOODS, gold: FOODS.indexOf(food(i)) })).join('\n') + '\n');
    const out = join(dir, 'scores.json');
    const problems: unknown[] = [];
    const run = await validateTasksRun(['--checkpoint', ckDir, '--task', `mc=${taskFile}`, '--out', out], (p) => problems.push(p));
    const scorer = createReferenceScorer(config, params);
    try {
      expect(await scoreTasks(run, scorer, (p) => problems.push(p))).toBe(0);
    } finally {
      scorer.dispose();
      await run.opened.close();
    }
    expect(problems).toEqual([]);
    const report = JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
    const s = report.tasks.mc;
    console.log(`mc: acc ${s.acc} ± ${s.acc_stderr}, acc_norm ${s.acc_norm} (chance 0.25, n ${s.n})`);
    expect(s.n).toBe(16);
    // 13 or more of 16 right by chance at p = 1/4 has probability below 1e-5.
    expect(s.acc).toBeGreaterThanOrEqual(13 / 16);
    const sample = report.samples.mc[0];
    expect(sample.requests.map((r) => r.continuation)).toEqual(FOODS.map((f) => ` ${f}`));
    expect(sample.requests.every((r) => r.context === question('cow') && Number.isFinite(r.loglik))).toBe(true);
  }, 600_000); // ~25 s on a quiet 2-core machine; the shared one has taken 150 s
});
