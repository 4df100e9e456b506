// Every kernel's contract against the shader text it binds, in each variant its shader is built in (both
// reduction libraries; the matmuls' f16 weight and f16 tiles): a binding renamed, reordered or retyped on
// either side fails here, with no GPU. And every @compute entry point in shaders/ has a contract, so a new
// kernel launched without one fails CI.
import { describe, expect, test } from 'vitest';
import { contractLabel, contractMismatches, type KernelContract } from '../../../src/engine/kernel-contract';
import { KERNEL_CONTRACTS } from '../../../src/engine/kernels/contracts';
import { SHADERS, needsSubgroups, shaderSource, type ShaderName, type ShaderVariant } from '../../../src/engine/shaders';
import { parseWgsl } from '../../../src/engine/wgsl-interface';

/** The text variants a contract's shader is assembled in, each with a name for the test title; the contract's
 *  own variant (a matmul's SwiGLU operand or RoPE epilogue) is part of every one. */
function variants(c: KernelContract): [string, ShaderVariant][] {
  const fixed = c.variant ?? {};
  // A kernel built only with subgroups (lanes_k) has no workgroup-reduction variant.
  const sub = needsSubgroups(c.shader);
  const out: [string, ShaderVariant][] = [...(sub ? [] : [['workgroup reductions', { subgroups: false }] as [string, ShaderVariant]]),
    ['subgroup reductions', { subgroups: true }]];
  // A SwiGLU B operand is an activation, never an f16 weight.
  if (c.shader.startsWith('matmul') && fixed.swiglu !== 'b') out.push(['f16 B operand', { subgroups: sub, bF16: true }]);
  if (c.shader === 'matmulVec4' && c.entry === 'tiled') out.push(['f16 tiles', { subgroups: false, f16Tiles: true }]);
  const suffix = fixed.swiglu ? `, SwiGLU ${fixed.swiglu.toUpperCase()} operand` : fixed.rope ? ', RoPE epilogue' : '';
  return out.map(([name, v]) => [`${name}${suffix}`, { ...v, ...fixed }]);
}

describe('shader contracts', () => {
  for (const c of KERNEL_CONTRACTS) {
    for (const [name, v] of variants(c)) {
      test(`${contractLabel(c)} (${name})`, () => {
        expect(contractMismatches(c, shaderSource(c.shader, v))).toEqual([]);
      });
    }
  }
});

describe('every kernel has a contract', () => {
  for (const shader of Object.keys(SHADERS) as ShaderName[]) {
    test(`each @compute entry point of ${shader}`, () => {
      const entries = [...parseWgsl(shaderSource(shader, { subgroups: needsSubgroups(shader) })).entryPoints];
      expect(entries.length).toBeGreaterThan(0);
      const covered = new Set(KERNEL_CONTRACTS.filter((c) => c.shader === shader).map((c) => c.entry));
      expect(entries.filter((e) => !covered.has(e)), `entry points of ${shader} with no contract in kernels/contracts.ts`).toEqual([]);
    });
  }
});
