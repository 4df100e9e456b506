// Every kernel's contract against the shader text it binds, in both reduction-library variants: a binding
// renamed, reordered or retyped on either side fails here, with no GPU.
import { describe, expect, test } from 'vitest';
import { contractLabel, contractMismatches, type KernelContract } from '../../../src/engine/kernel-contract';
import { shaderSource } from '../../../src/engine/shaders';
import { ATTENTION_CONTRACTS } from '../../../src/engine/kernels/attention';
import { ATTENTION_DECODE_CONTRACTS } from '../../../src/engine/kernels/attention-decode';
import { LORA } from '../../../src/engine/kernels/lora';
import { MATMUL_CONTRACTS } from '../../../src/engine/kernels/matmul';
import { ELEMENTWISE_CONTRACTS } from '../../../src/engine/kernels/elementwise';
import { EMBEDDING_CONTRACTS } from '../../../src/engine/kernels/embedding';
import { CROSS_ENTROPY_CONTRACTS } from '../../../src/engine/kernels/loss';
import { ADAMW, GRAD_NORM_CONTRACTS } from '../../../src/engine/kernels/optimizer';
import { RMSNORM_CONTRACTS } from '../../../src/engine/kernels/norm';

const CONTRACTS: readonly KernelContract[] = [...RMSNORM_CONTRACTS, ...ELEMENTWISE_CONTRACTS, ...EMBEDDING_CONTRACTS, ...CROSS_ENTROPY_CONTRACTS, ...GRAD_NORM_CONTRACTS, ADAMW, ...ATTENTION_CONTRACTS, ...ATTENTION_DECODE_CONTRACTS, LORA, ...MATMUL_CONTRACTS];

describe('shader contracts', () => {
  for (const c of CONTRACTS) {
    for (const subgroups of [false, true]) {
      test(`${contractLabel(c)} (${subgroups ? 'subgroups' : 'workgroup'} reductions)`, () => {
        expect(contractMismatches(c, shaderSource(c.shader, { subgroups }))).toEqual([]);
      });
    }
  }
});
