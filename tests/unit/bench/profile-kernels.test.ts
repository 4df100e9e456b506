// bench/profile.ts folds dispatch labels into kernels: layers, pieces and chunks merged, the fused down
// projection (SwiGLU read as its operand) and the q / k projections ending in RoPE on rows of their own, split-K's layered product and its reduction apart.
import { describe, expect, it } from 'vitest';
import { kernelOf } from '../../../bench/profile';

describe('the profile\'s kernel of a dispatch label', () => {
  const cases: [string, string][] = [
    ['L3.q_proj#0', 'matmul forward'],
    ['lm_head[512]#1', 'matmul forward'],
    ['L0.down_proj#0', 'matmul forward'],
    ['L3.swiglu+down_proj#0', 'matmul forward, SwiGLU operand (swiglu+down_proj)'],
    ['L3.swiglu+down_proj.dw#0', 'matmul backward (weight), SwiGLU operand (swiglu+down_proj.dw)'],
    ['L3.swiglu+down_proj.dw#0.splitk', 'matmul backward (weight), SwiGLU operand (swiglu+down_proj.dw)'],
    ['L2.q_proj+rope_q#0', 'matmul forward, RoPE epilogue (q_proj+rope_q, k_proj+rope_k)'],
    ['L2.k_proj+rope_k#1', 'matmul forward, RoPE epilogue (q_proj+rope_q, k_proj+rope_k)'],
    ['L2.rope_q', 'rope_q'],
    ['L3.down_proj.dx#0', 'matmul backward (input)'],
    ['L3.q_proj.dw#1', 'matmul backward (weight)'],
    ['L3.q_proj.dw#1.splitk', 'matmul backward (weight)'],
    ['L3.q_proj.dw#1.reduce', 'split-K reduce (weight gradients)'],
    ['L1.swiglu', 'swiglu'],
    ['L0.mlp_residual+L1.attn_norm', 'mlp_residual+attn_norm'],
  ];
  for (const [label, kernel] of cases) it(`${label} -> ${kernel}`, () => expect(kernelOf(label)).toBe(kernel));
});
