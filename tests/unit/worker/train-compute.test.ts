// The worker's memory request (the form's Memory boxes) as engine options: each option only where it applies.
import { describe, expect, it } from 'vitest';
import { memoryEngineOptions } from '../../../src/worker/train-compute';

describe('memoryEngineOptions', () => {
  it('passes recomputation always, the f16 base to a LoRA run only, the update layer by layer to full training only', () => {
    const all = { recompute: true, f16Base: true, updatePerLayer: true };
    expect(memoryEngineOptions(all, false)).toEqual({ recompute: true, f16Base: false, updatePerLayer: true });
    expect(memoryEngineOptions(all, true)).toEqual({ recompute: true, f16Base: true, updatePerLayer: false });
    // A request from before the option, and none at all: everything off.
    expect(memoryEngineOptions({ recompute: false, f16Base: false }, false)).toEqual({ recompute: false, f16Base: false, updatePerLayer: false });
    expect(memoryEngineOptions(undefined, false)).toEqual({ recompute: false, f16Base: false, updatePerLayer: false });
  });
});
