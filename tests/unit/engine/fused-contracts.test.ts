// The fused kernels' contracts (issue 10: fewer, fatter dispatches) against the shader text they bind, in
// both reduction-library variants, with no GPU.
import { describe, expect, test } from 'vitest';
import { contractLabel, contractMismatches, type KernelContract } from '../../../src/engine/kernel-contract';
import { shaderSource } from '../../../src/engine/shaders';
import { ADD_RMSNORM_CONTRACTS } from '../../../src/engine/kernels/add-norm';
import { OPTIMIZER_MULTI_CONTRACTS } from '../../../src/engine/kernels/optimizer-multi';

const CONTRACTS: readonly KernelContract[] = [...ADD_RMSNORM_CONTRACTS, ...OPTIMIZER_MULTI_CONTRACTS];

describe('fused kernel contracts', () => {
  for (const c of CONTRACTS) {
    for (const subgroups of [false, true]) {
      test(`${contractLabel(c)} (${subgroups ? 'subgroups' : 'workgroup'} reductions)`, () => {
        expect(contractMismatches(c, shaderSource(c.shader, { subgroups }))).toEqual([]);
      });
    }
  }
});
