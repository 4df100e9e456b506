// The parameter table of a tied model: one [V, C] tensor that both ends of the model use, so the memory
// plan, the optimizer (which walks the table) and export (which writes the table) each see it once.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/model/config';
import { estimateMemory, paramPieces } from '../../src/model/memory';
import { countParams, EMBED, headWeight, LM_HEAD, paramSpecs } from '../../src/model/params';
import { momentSpecs } from '../../src/train/checkpoint/trainer-state';

const untied = validateConfig({ dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, hiddenDim: 48, vocabSize: 272, normEps: 1e-5, ropeTheta: 1e4, contextLength: 64 });
const tied = validateConfig({ ...untied, tieWordEmbeddings: true, architecture: 'llama' });
const limits = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 };

describe('tied embeddings in the parameter table', () => {
  it('has no lm_head: the head reads the embedding, and the count drops by V x C', () => {
    expect(paramSpecs(tied).map((s) => s.name)).not.toContain(LM_HEAD);
    expect(paramSpecs(untied).at(-1)!.name).toBe(LM_HEAD);
    expect([headWeight(tied), headWeight(untied)]).toEqual([EMBED, LM_HEAD]);
    expect(countParams(untied) - countParams(tied)).toBe(272 * 32);
  });

  it('plans one tensor for weights, gradients and both AdamW moments', () => {
    const a = estimateMemory(untied, { batchSize: 2, seqLen: 16, accumSteps: 1 }, limits);
    const b = estimateMemory(tied, { batchSize: 2, seqLen: 16, accumSteps: 1 }, limits);
    expect(a.bytes.total - b.bytes.total).toBe(4 * 272 * 32 * 4); // weights, gradients, exp_avg, exp_avg_sq
    expect(paramPieces(tied, 8192).filter((p) => p.param === LM_HEAD)).toEqual([]);
    expect(momentSpecs(tied).map((m) => m.name)).not.toContain(`${LM_HEAD}.exp_avg`);
  });
});
