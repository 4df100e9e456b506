// The page's memory request as the engine's options (the form's Memory boxes): each box passed on, the f16 base
// for a LoRA run only.
import { describe, expect, it } from 'vitest';
import { memoryEngineOptions } from '../../../src/worker/train-compute';

describe('memoryEngineOptions', () => {
  it('passes recomputation and f16 activations on, and the f16 base with a LoRA adapter only', () => {
    expect(memoryEngineOptions(undefined, false)).toEqual({ recompute: false, f16Base: false, f16Activations: false });
    expect(memoryEngineOptions({ recompute: false, f16Base: true, f16Activations: true }, false))
      .toEqual({ recompute: false, f16Base: false, f16Activations: true });
    expect(memoryEngineOptions({ recompute: true, f16Base: true, f16Activations: false }, true))
      .toEqual({ recompute: true, f16Base: true, f16Activations: false });
  });
});
