// The fused engine (EngineOptions.fuse, the default) against the unfused one it replaced: residual adds
// fused with the RMSNorm after them, one multi-tensor grad-norm and AdamW dispatch per parameter group, and
// SwiGLU computed by the down projection (and its weight gradient) as it loads gate and up instead of written
// as act, and RoPE as the q and k projections' epilogue. The order of operations is unchanged, so step losses,
// gradient norms, every gradient and the weights and moments after AdamW are equal bit for bit: untied, tied
// with a split embedding and two micro-batches, recomputing, a hidden width that takes the scalar matmul, the
// GPUs' tiled matmul layout, weight pieces that split heads (RoPE left to rope.wgsl), and with LoRA adapters
// (on q and v, where act is still not written and only k's RoPE is fused, with the base in f16 too; on
// down_proj, whose adapter reads act, so it is).
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { validateConfig } from '../../src/model/config';
import { LORA_TARGETS, validateLora } from '../../src/model/lora';
import { writesSwigluAct } from '../../src/model/memory';
import { headDim } from '../../src/model/config';
import { layerParamNames } from '../../src/model/params';
import { ropeFits } from '../../src/engine/linear';
import type { ParamTableName } from '../../src/engine/param-store';
import { engineDevice } from './harness';
import { bitDiffs, pairEngine, randomBatch, type PairCase } from './engine-pair';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

const base = { normEps: 1e-5, ropeTheta: 10000 };
const small = validateConfig({ ...base, dim: 32, nLayers: 3, nHeads: 4, nKvHeads: 2, hiddenDim: 72, vocabSize: 50, contextLength: 16 });
const CASES: PairCase[] = [
  { name: 'untied, 3 layers', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 }, opts: {} },
  {
    name: 'tied, split embedding, logits in chunks, 2 micro-batches',
    config: validateConfig({ ...base, dim: 24, nLayers: 2, nHeads: 2, nKvHeads: 1, hiddenDim: 40, vocabSize: 37, contextLength: 32,
      tieWordEmbeddings: true, architecture: 'llama' }),
    shape: { batchSize: 2, seqLen: 11, accumSteps: 2 },
    opts: { paramPieceBytes: 1024, logitsChunkRows: 8 },
  },
  {
    name: 'small bindings: several parameter groups, each its own optimizer dispatches',
    config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 }, opts: { maxBindingBytes: 8192, paramPieceBytes: 2048 },
  },
  { name: 'recomputing, 3 layers', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 }, opts: { recompute: true } },
  {
    name: 'LoRA on every target at rank 3, 3 layers', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { lora: validateLora({ rank: 3, alpha: 5, targets: [...LORA_TARGETS] }) },
  },
  {
    name: 'LoRA on q and v, recomputing', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { lora: validateLora({ rank: 3, alpha: 5, targets: ['q_proj', 'v_proj'] }), recompute: true },
  },
  {
    name: 'LoRA on q and v', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { lora: validateLora({ rank: 3, alpha: 5, targets: ['q_proj', 'v_proj'] }) },
  },
  {
    name: 'LoRA on down_proj, recomputing', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { lora: validateLora({ rank: 2, alpha: 4, targets: ['down_proj'] }), recompute: true },
  },
  {
    name: 'hidden width 70 (the scalar matmul), recomputing',
    config: validateConfig({ ...base, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 70, vocabSize: 50, contextLength: 16 }),
    shape: { batchSize: 2, seqLen: 13, accumSteps: 1 }, opts: { recompute: true },
  },
  {
    name: 'the tiled matmul layout (GPUs\')', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { kernels: { matmul: 'tiled' } },
  },
  {
    name: 'weight pieces of 12 rows, splitting heads of 8', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { paramPieceBytes: 1536 },
  },
  {
    name: 'LoRA on q and v, the base in f16', config: small, shape: { batchSize: 2, seqLen: 13, accumSteps: 1 },
    opts: { lora: validateLora({ rank: 3, alpha: 5, targets: ['q_proj', 'v_proj'] }), f16Base: true },
  },
];

describe('fused graph', () => {
  for (const c of CASES) {
    it(`${c.name}: losses, gradients, weights and moments after 2 AdamW steps bit-identical to the unfused graph`, async () => {
      const plain = await pairEngine(dev, c, { fuse: false }), fused = await pairEngine(dev, c, { fuse: true });
      const trained = (e: Engine) => e.adapter ?? e.store;
      const same = async (t: ParamTableName, when: string) => {
        for (const s of trained(plain).specs) {
          const n = bitDiffs(await trained(fused).read(s.name, t), await trained(plain).read(s.name, t));
          if (n > 0) throw new Error(`${when}: ${t} of ${s.name} differs in ${n} values`);
        }
      };
      // A learning rate large enough, and a clip small enough, that clipping and every moment take part.
      for (let step = 0; step < 2; step++) {
        const micro = Array.from({ length: c.shape.accumSteps }, (_, i) => randomBatch(c.config, c.shape, 100 * step + i));
        const a = await plain.trainStep(micro, 1e-2), b = await fused.trainStep(micro, 1e-2);
        expect(b.loss).toBe(a.loss);
        expect(b.gradNorm).toBe(a.gradNorm);
        await same('grads', `step ${step + 1}`);
      }
      for (const t of ['params', 'exp_avg', 'exp_avg_sq'] as const) await same(t, 'after 2 steps');
      // act written (and allocated) only where an adapter on down_proj reads it; the fused down projection
      // labelled as such otherwise.
      const writes = writesSwigluAct(c.opts.lora, true);
      const actName = c.opts.recompute ? 'act.block' : 'act.0';
      expect(fused.graph.acts.views.has(actName)).toBe(writes);
      expect(plain.graph.acts.views.has(actName)).toBe(true);
      expect(fused.graph.forward.some((d) => d.label.startsWith('L0.swiglu+down_proj#'))).toBe(!writes);
      expect(fused.graph.forward.some((d) => d.label === 'L0.swiglu')).toBe(writes);
      // RoPE in the q / k projection unless adapted there or a weight piece splits a head.
      const names = layerParamNames(0);
      for (const [t, w, r] of [['q_proj', names.q, 'rope_q'], ['k_proj', names.k, 'rope_k']] as const) {
        const inEpilogue = !(c.opts.lora?.targets.includes(t) ?? false) && ropeFits(fused.store.piecesOf(w), headDim(c.config));
        expect(fused.graph.forward.some((d) => d.label.startsWith(`L0.${t}+${r}#`)), `${t}+${r}`).toBe(inEpilogue);
        expect(fused.graph.forward.some((d) => d.label === `L0.${r}`), r).toBe(!inEpilogue);
      }
      // Fewer dispatches for the same work.
      const count = (e: Engine) => e.graph.forward.length + e.graph.head.length + e.graph.backward.length + e.optimizer!.dispatches.length;
      const groups = fused.optimizer!.dispatches.filter((d) => d.label.startsWith('adamw[')).length;
      console.log(`${c.name}: ${count(plain)} dispatches per micro-batch step unfused, ${count(fused)} fused (${groups} parameter groups)`);
      expect(count(fused)).toBeLessThan(count(plain));
      if (c.opts.maxBindingBytes !== undefined) expect(groups).toBeGreaterThan(1);
      plain.destroy(); fused.destroy();
    });
  }
});
