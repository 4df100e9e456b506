// The worker's memory request (the form's Memory boxes) as engine options: each option only where it applies;
// and the request a resumed run takes, the checkpoint's own.
import { describe, expect, it } from 'vitest';
import { memoryEngineOptions, resumedMemory } from '../../../src/worker/train-compute';

describe('memoryEngineOptions', () => {
  it('passes recomputation and f16 activations always, the f16 base to a LoRA run only, the update layer by layer to full training only', () => {
    const all = { recompute: true, f16Base: true, updatePerLayer: true, f16Activations: true };
    expect(memoryEngineOptions(all, false)).toEqual({ recompute: true, f16Base: false, updatePerLayer: true, f16Activations: true });
    expect(memoryEngineOptions(all, true)).toEqual({ recompute: true, f16Base: true, updatePerLayer: false, f16Activations: true });
    // A request from before the options, and none at all: everything off.
    const off = { recompute: false, f16Base: false, updatePerLayer: false, f16Activations: false };
    expect(memoryEngineOptions({ recompute: false, f16Base: false }, false)).toEqual(off);
    expect(memoryEngineOptions(undefined, false)).toEqual(off);
  });
});

describe('resumedMemory', () => {
  it('takes the options the checkpoint was trained with, and a new run\'s defaults where none were recorded', () => {
    const saved = { recompute: true, updatePerLayer: false, f16Activations: true, f16Base: false };
    expect(resumedMemory(saved, true)).toEqual(saved);   // a LoRA run trained on an f32 base stays on one
    expect(resumedMemory(undefined, true)).toEqual({ recompute: false, f16Base: true, updatePerLayer: false, f16Activations: false });
    expect(resumedMemory(undefined, false)).toEqual({ recompute: false, f16Base: false, updatePerLayer: false, f16Activations: false });
  });
});
