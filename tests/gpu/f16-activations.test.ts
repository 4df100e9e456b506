// f16 saved activations (EngineOptions.f16Activations) against the plain f32 graph, on the same seeded weights
// (and adapter) and batches. The forward computes in f32 exactly as the plain one does, so a step's loss is
// the plain loss to the bit, and each layer's packed halves are the plain graph's saved tensors rounded to
// nearest even, to the bit; the top block is never packed, so a one-layer model trains bit-identically.
// Below the top, the backward reads f16-rounded values (relative error at most 2^-11 = 4.9e-4 each, computed
// in f32 from there), so the gradients move by a small multiple of that. Tolerances, stated and asserted:
//   loss of the first step: bit-identical; of the second (after one AdamW step on slightly different
//     gradients): 1e-5 relative (measured up to 1.7e-7);
//   gradient norm: 5e-4 relative, one f16 rounding's worth: the norm sums every element's square, and the
//     elements' independent rounding errors average out (measured up to 5.0e-5);
//   each parameter's gradient (L2 over the tensor): 1e-2 relative, about 20 times 2^-11: a weight gradient
//     multiplies two rounded tensors (dW = dY^T X, dY itself carried down through rounded inputs), with
//     margin for the bottom layer's, which gathers the roundings of every layer above (measured up to 2.9e-3,
//     the bottom down_proj);
//   weights after two AdamW steps at lr 1e-3: 1e-2 relative (L2 over each tensor). AdamW's first steps move
//     every weight by about lr whatever its gradient's size, so the weights differ where a gradient near
//     zero changed sign, by up to about 2 lr each: a measure of how many such elements there are, not of
//     the gradient error (measured up to 2.8e-3).
// The measured values are printed. Also: the allocation is the plan, the packs follow each block's down_proj
// and the unpacks precede its backward (none for the top block), and recomputation is refused beside it.
// Cases: untied; tied and unfused with split weights, chunked logits and accumulation; LoRA on every target;
// LoRA over the f16 frozen base (odd hidden width: the scalar matmuls).
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EngineDevice } from '../../src/engine/device';
import { float32ToFloat16Bits } from '../../src/export/float-encode';
import { validateConfig } from '../../src/model/config';
import { validateLora } from '../../src/model/lora';
import { estimateMemory, f16SavedOf, packedActivation, writesSwigluAct } from '../../src/model/memory';
import { describeDiff, diff, engineDevice, readBuffer } from './harness';
import { ACTIVATION_CASES, bitDiffs, pairEngine, randomBatch, type PairCase } from './engine-pair';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

const TOL = { loss2: 1e-5, gradNorm: 5e-4, grad: 1e-2, weights: 1e-2 };
const LR = 1e-3;

const { untied, tied, lora } = ACTIVATION_CASES;
const CASES: PairCase[] = [
  untied,
  { ...tied, name: 'tied, unfused, split embedding, logits in chunks, 2 micro-batches', opts: { ...tied.opts, fuse: false } },
  lora,
  {
    name: 'LoRA on q, v at rank 4 over the f16 frozen base, 2 layers',
    config: validateConfig({ normEps: 1e-5, ropeTheta: 10000, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 42, vocabSize: 50, contextLength: 16 }),
    shape: { batchSize: 2, seqLen: 9, accumSteps: 1 },
    opts: { lora: validateLora({ rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'] }), f16Base: true },
  },
];

const trained = (e: Engine) => e.adapter ?? e.store;

describe('f16 saved activations', () => {
  for (const c of CASES) {
    it(`${c.name}: the f32 loss to the bit, packed halves the plain tensors rounded, gradients and weights within tolerance`, async () => {
      const plain = await pairEngine(dev, c, {}), half = await pairEngine(dev, c, { f16Activations: true });
      const L = c.config.nLayers;
      let worstGrad = { name: '', rel: 0 }, normRel = 0, loss2Rel = 0;
      for (let step = 0; step < 2; step++) {
        const micro = Array.from({ length: c.shape.accumSteps }, (_, i) => randomBatch(c.config, c.shape, 100 * step + i));
        const a = await plain.trainStep(micro, LR), b = await half.trainStep(micro, LR);
        if (step === 0) {
          expect(b.loss).toBe(a.loss);
          // The last micro-batch's saved tensors: the halves are the plain graph's f32 values rounded.
          for (let l = 0; l < L - 1; l++) {
            // act only where the graph writes it (unfused, or LoRA on down_proj): fused, down_proj computes it.
            for (const name of f16SavedOf(writesSwigluAct(c.opts.lora, c.opts.fuse))) {
              const want = await readBuffer(plain.ctx, plain.graph.acts.get(`${name}.${l}`));
              const got = new Uint16Array((await readBuffer(half.ctx, half.graph.acts.get(packedActivation(name, l)))).buffer);
              for (let i = 0; i < want.length; i++) {
                if (got[i] !== float32ToFloat16Bits(want[i])) throw new Error(`${packedActivation(name, l)}[${i}]: 0x${got[i].toString(16)} for ${want[i]}`);
              }
            }
          }
        } else {
          loss2Rel = Math.abs(b.loss - a.loss) / a.loss;
          expect(loss2Rel).toBeLessThanOrEqual(TOL.loss2);
        }
        normRel = Math.max(normRel, Math.abs(b.gradNorm - a.gradNorm) / a.gradNorm);
        expect(Math.abs(b.gradNorm - a.gradNorm) / a.gradNorm).toBeLessThanOrEqual(TOL.gradNorm);
        for (const s of trained(plain).specs) {
          const d = diff(await trained(half).read(s.name, 'grads'), await trained(plain).read(s.name, 'grads'));
          if (d.rel > worstGrad.rel) worstGrad = { name: s.name, rel: d.rel };
          if (!(d.rel <= TOL.grad)) throw new Error(`step ${step + 1}: ${describeDiff(`gradient of ${s.name}`, d)} exceeds ${TOL.grad}`);
        }
      }
      let worstWeight = { name: '', rel: 0 };
      for (const s of trained(plain).specs) {
        const d = diff(await trained(half).read(s.name), await trained(plain).read(s.name));
        if (d.rel > worstWeight.rel) worstWeight = { name: s.name, rel: d.rel };
        if (!(d.rel <= TOL.weights)) throw new Error(describeDiff(`weights of ${s.name} after 2 steps`, d));
      }
      console.log(`${c.name}: step-2 loss rel ${loss2Rel.toExponential(2)}, grad norm rel ${normRel.toExponential(2)}, ` +
        `worst gradient ${worstGrad.name} ${worstGrad.rel.toExponential(2)}, worst weights ${worstWeight.name} ${worstWeight.rel.toExponential(2)}`);
      plain.destroy(); half.destroy();
    });
  }

  it('one layer: never packed (the top block), so losses, gradients and weights are bit-identical', async () => {
    const c: PairCase = { ...CASES[2], name: '1 layer', config: validateConfig({ ...CASES[2].config, nLayers: 1 }) };
    const plain = await pairEngine(dev, c, {}), half = await pairEngine(dev, c, { f16Activations: true });
    expect(half.graph.forward.some((d) => d.label.includes('save_f16'))).toBe(false);
    for (let step = 0; step < 2; step++) {
      const micro = [randomBatch(c.config, c.shape, 7 + step)];
      const a = await plain.trainStep(micro, 1e-2), b = await half.trainStep(micro, 1e-2);
      expect(b.loss).toBe(a.loss);
      expect(b.gradNorm).toBe(a.gradNorm);
    }
    for (const s of trained(plain).specs) expect(bitDiffs(await trained(half).read(s.name), await trained(plain).read(s.name)), s.name).toBe(0);
    plain.destroy(); half.destroy();
  });

  it('allocates exactly the plan, halves below the top block, packs after down_proj and unpacks before the block\'s backward', async () => {
    const c = CASES[2], L = c.config.nLayers, lora = c.opts.lora;
    const half = await pairEngine(dev, c, { f16Activations: true });
    const packedCount = f16SavedOf(writesSwigluAct(lora, c.opts.fuse)).length;
    const limits = dev.caps.limits;
    const planPlain = estimateMemory(c.config, c.shape, limits, { lora });
    const planHalf = estimateMemory(c.config, c.shape, limits, { lora, f16Activations: true });
    expect(planHalf.f16Activations).toBe(true);
    expect(half.graph.acts.bytes).toBe(planHalf.bytes.activations);
    expect(planHalf.bytes.activations).toBeLessThan(planPlain.bytes.activations);
    const packed = planHalf.activationGroups.find((g) => g.name === 'saved per layer as f16')!.bytes;
    const block = planHalf.activationGroups.find((g) => g.name === 'one block in f32, packed and unpacked')!.bytes;
    expect(packed).toBe(block / 2 * (L - 1));   // every row here is even: halves take exactly half
    expect(half.graph.acts.get(packedActivation('gate', 0)).dtype).toBe('f16');
    expect(half.graph.acts.views.has(packedActivation('gate', L - 1))).toBe(false);
    expect(half.graph.acts.views.has('rstd1.2') && half.graph.acts.views.has('lse.2') && half.graph.acts.views.has('lora.u.q_proj.2')).toBe(true);
    const fwd = half.graph.forward.map((d) => d.label), bwd = half.graph.backward.map((d) => d.label);
    for (let l = 0; l < L; l++) {
      const saves = fwd.filter((x) => x.startsWith(`L${l}.save_f16.`)), loads = bwd.filter((x) => x.startsWith(`L${l}.load_f16.`));
      expect(saves.length).toBe(l < L - 1 ? packedCount : 0);
      expect(loads.length).toBe(l < L - 1 ? packedCount : 0);
      if (l === L - 1) continue;
      const first = fwd.indexOf(`L${l}.save_f16.xn1`);
      expect(fwd[first - 1]).toMatch(new RegExp(`^L${l}\\.down_proj\\.lora_B`));
      expect(fwd[first + packedCount]).toMatch(new RegExp(`^L${l}\\.mlp_residual`));
      const load = bwd.indexOf(`L${l}.load_f16.xn1`);
      expect(bwd[load + packedCount]).toMatch(new RegExp(`^L${l}\\.down_proj\\.dx`));
      expect(bwd.slice(0, load).some((x) => x.startsWith(`L${l}.`))).toBe(false);
    }
    half.destroy();
    await expect(pairEngine(dev, c, { f16Activations: true, recompute: true })).rejects.toThrow(/exclude each other/);
    // The update layer by layer's second backward would reread tensors the first unpacked over: refused too.
    await expect(pairEngine(dev, { ...c, opts: { ...c.opts, lora: undefined } }, { f16Activations: true, updatePerLayer: true })).rejects.toThrow(/f16 activations and the update layer by layer exclude each other/);
  });
});
