// embedding.wgsl (gather and its segment-sum backward, over split tables) against tfjs CPU autograd, under
// each kernel-layout choice the engine makes; and the host's segment table.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { embeddingBackward, embeddingForward, embeddingSegments } from '../../src/engine/kernels/embedding';
import type { KernelContext } from '../../src/engine/kernel-context';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches, useCpuBackend } from './harness';

beforeAll(useCpuBackend);

function randomTokens(n: number, vocab: number, seed: number): Int32Array {
  const r = randomArray(n, seed, 0, 1);
  return Int32Array.from(r, (v) => Math.min(vocab - 1, Math.floor(v * vocab)));
}

describe('embedding segments', () => {
  it('groups positions by token, stably', () => {
    const seg = embeddingSegments(Int32Array.from([5, 2, 5, 9, 2, 5]));
    expect(seg[0]).toBe(3);
    expect(Array.from(seg.subarray(1, 10))).toEqual([2, 0, 2, 5, 2, 5, 9, 5, 6]);
    expect(Array.from(seg.subarray(10, 16))).toEqual([1, 4, 0, 2, 5, 3]);
  });
});

const LAYOUTS = [
  { name: 'workgroup per row, subgroups', subgroups: true, reduce: 'workgroup' },
  { name: 'workgroup per row, workgroup memory', subgroups: false, reduce: 'workgroup' },
  { name: 'invocation per row', subgroups: true, reduce: 'rows' },
] as const;

for (const layout of LAYOUTS) {
  describe(`embedding (${layout.name})`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ subgroups: layout.subgroups, choices: { reduce: layout.reduce } }); });

    for (const [name, N, V, C, pieceRows] of [['tiny', 4, 7, 3, 7], ['awkward', 45, 70, 33, 70], ['split table', 60, 50, 17, 16]] as const) {
      it(`embedding ${name}: N${N} V${V} C${C}, pieces of ${pieceRows} rows`, async () => {
        const table = randomArray(V * C, 1), tokens = randomTokens(N, V, 2), dx = randomArray(N * C, 3);
        const ref = tf.tidy(() => {
          const Tb = tf.tensor2d(table, [V, C]), I = tf.tensor1d(tokens, 'int32'), DX = tf.tensor2d(dx, [N, C]);
          const y = tf.gather(Tb, I).dataSync() as Float32Array;
          const dT = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, I), DX)))(Tb).dataSync() as Float32Array;
          return { y, dT };
        });
        const pieces = [], dPieces = [];
        const dInit = randomArray(V * C, 4); // the backward adds into the gradient
        for (let r = 0; r < V; r += pieceRows) {
          const end = Math.min(V, r + pieceRows);
          pieces.push({ view: gpuBuffer(ctx, table.slice(r * C, end * C)), rowBegin: r, rowEnd: end });
          dPieces.push({ view: gpuBuffer(ctx, dInit.slice(r * C, end * C)), rowBegin: r, rowEnd: end });
        }
        const x = gpuBuffer(ctx, N * C);
        await runDispatches(ctx, [
          ...embeddingForward(ctx, 'f', { x, tokens: gpuBuffer(ctx, tokens), table: pieces }, { nTokens: N, dim: C }),
          ...embeddingBackward(ctx, 'b', { dTable: dPieces, dX: gpuBuffer(ctx, dx), segments: gpuBuffer(ctx, embeddingSegments(tokens)) },
            { nTokens: N, dim: C }),
        ]);
        expectClose('x', await readBuffer(ctx, x), ref.y, 0);
        const dT = new Float32Array(V * C);
        for (const p of dPieces) dT.set((await readBuffer(ctx, p.view)).subarray(0, (p.rowEnd - p.rowBegin) * C), p.rowBegin * C);
        expectClose('d table', dT, ref.dT.map((v, i) => v + dInit[i]), 1e-6);
      });
    }
  });
}
