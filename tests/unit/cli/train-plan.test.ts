// `npm run train -- ... --plan` prints the memory plan from the arguments alone (no data, no GPU, nothing
// allocated) and exits; its figures are memory.ts's tables, --memory-budget turns recomputation on when the
// run needs it, and a run that does not fit is refused with the options that would make it fit.
import { describe, expect, it, vi } from 'vitest';
import { run as runTrain } from '../../../src/cli/train';
import { parseTrainArgs } from '../../../src/cli/train-args';
import { PLAN_LIMITS, planTrainRun } from '../../../src/cli/train-plan';
import { estimateMemory, fitOptions } from '../../../src/model/memory';
import { preset } from '../../../src/model/presets';

async function captured(argv: string[]) {
  const lines: string[] = [];
  const keep = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  const log = vi.spyOn(console, 'log').mockImplementation(keep);
  const err = vi.spyOn(console, 'error').mockImplementation(keep);
  try {
    const code = await runTrain(argv);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore(); err.mockRestore();
  }
}

const hare = (...extra: string[]) => ['--preset', 'hare-1.1b', '--batch', '1', '--seq-len', '2048', ...extra, '--plan'];
const GiB = 2 ** 30;
const totalOf = (out: string) => Number(/^total: ([\d.]+) GiB/m.exec(out)![1]);

describe('npm run train --plan', () => {
  // 22.30 GiB as the issue measured, less SwiGLU's act (22 layers x 2048 x 5632 floats), which the fused down
  // projection computes from gate and up instead of saving.
  it('hare-1.1b at 1 x 2048: 21.36 GiB planned; with --accum 8 --recompute at most 18 GiB', async () => {
    const plain = await captured(hare());
    expect(plain.code).toBe(0);
    expect(totalOf(plain.out)).toBe(21.36);
    const re = await captured(hare('--accum', '8', '--recompute'));
    expect(re.code).toBe(0);
    expect(re.out).not.toMatch(/adapter:|training \d+ steps|preparing/);   // nothing opened, nothing run
    for (const group of ['weights', 'gradients', 'AdamW moments', 'activations', 'block inputs (residual stream x.l)',
      'one block, recomputed in the backward', 'logits chunk and losses', 'backward scratch']) expect(re.out).toContain(group);
    expect(re.out).not.toContain('saved per layer');
    const e = estimateMemory(preset('hare-1.1b'), { batchSize: 1, seqLen: 2048, accumSteps: 8 }, PLAN_LIMITS, { recompute: true });
    expect(totalOf(re.out)).toBe(Number((e.bytes.total / GiB).toFixed(2)));
    expect(e.bytes.total).toBeLessThanOrEqual(18 * GiB);
    console.log(re.out);
  });

  it('plans a LoRA run on a preset\'s shape without --init-from (and a real run still needs it)', async () => {
    const r = await captured(hare('--lora', '16', '--recompute'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/LoRA r 16 on q_proj, v_proj/);
    const e = estimateMemory(preset('hare-1.1b'), { batchSize: 1, seqLen: 2048, accumSteps: 1 }, PLAN_LIMITS,
      { recompute: true, lora: parseTrainArgs(hare('--lora', '16')).lora });
    expect(totalOf(r.out)).toBe(Number((e.bytes.total / GiB).toFixed(2)));
    expect(() => parseTrainArgs(['--preset', 'tiny', '--data', 'x', '--lora', '4'])).toThrow(/give --init-from DIR/);
  });

  it('LoRA r 16 at 1 x 2048 with --recompute --f16-base plans at most 5 GiB; without --f16-base the budget names it', async () => {
    const r = await captured(hare('--lora', '16', '--recompute', '--f16-base'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/the base's linear layers f16/);
    expect(totalOf(r.out)).toBeLessThanOrEqual(5);
    const over = await captured(hare('--lora', '16', '--memory-budget', '5'));
    expect(over.code).toBe(1);
    expect(over.out).toMatch(/it would fit with the frozen base's linear layers in f16 \(--f16-base\): 3\.26 GiB/);
    expect(() => parseTrainArgs(hare('--f16-base'))).toThrow(/--f16-base stores a frozen base: it needs --lora/);
  });

  it('--memory-budget turns recomputation on only when the run needs it', () => {
    const need = planTrainRun(parseTrainArgs(hare('--memory-budget', '20')), preset('hare-1.1b'), PLAN_LIMITS);
    expect(need).toMatchObject({ recompute: true, recomputeChosen: true });
    expect(need.estimate.problems).toEqual([]);
    const roomy = planTrainRun(parseTrainArgs(hare('--memory-budget', '30')), preset('hare-1.1b'), PLAN_LIMITS);
    expect(roomy).toMatchObject({ recompute: false, recomputeChosen: false });
  });

  it('refuses a run over the budget with the options that would fit it, each planned, and exits 1', async () => {
    const r = await captured(['--preset', 'hare-1.1b', '--batch', '4', '--seq-len', '2048', '--memory-budget', '20', '--plan']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/recomputation on \(chosen: --memory-budget needs it\)/);
    expect(r.out).toMatch(/does not fit: needs 20\.04 GiB of GPU memory, more than the 20\.00 GiB available; it would fit with a smaller micro-batch \(--batch 2 --accum 2, the same tokens per step\): 18\.51 GiB/);
    // Full training that fits nowhere near 8 GiB: LoRA is named (with recomputation, as it needs it).
    const c = preset('hare-1.1b'), s = { batchSize: 1, seqLen: 2048, accumSteps: 1 };
    const fits = fitOptions(c, s, PLAN_LIMITS, {}, 8 * GiB);
    expect(fits.map((f) => f.option)).toEqual(['lora']);
    expect(fits[0].text).toMatch(/--lora 16 --recompute/);
    expect(fits[0].bytes).toBeLessThanOrEqual(8 * GiB);
    const recompute = fitOptions(c, s, PLAN_LIMITS, {}, 20 * GiB);
    expect(recompute[0]).toMatchObject({ option: 'recompute' });
    expect(recompute[0].bytes).toBe(estimateMemory(c, s, PLAN_LIMITS, { recompute: true }).bytes.total);
  });
});
