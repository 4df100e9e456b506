// add.wgsl (the residual add) against the sum computed on the CPU.
import { beforeAll, describe, it } from 'vitest';
import { add } from '../../src/engine/kernels/elementwise';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

let ctx: KernelContext;
beforeAll(async () => { ctx = await kernelContext(); await useCpuBackend(); });

describe('add', () => {
  it('adds across a 2-D grid', async () => {
    const n = 70001;
    const a = randomArray(n, 1), b = randomArray(n, 2);
    const out = gpuBuffer(ctx, n);
    await runDispatches(ctx, [add(ctx, 'add', { out, a: gpuBuffer(ctx, a), b: gpuBuffer(ctx, b) }, n)]);
    expectClose('out', await readBuffer(ctx, out), a.map((v, i) => v + b[i]), 1e-7);
  });
});
