// cross_entropy.wgsl's scoring entry points (score, score_rows): -log p(target) and the greedy flag under
// torch.argmax's first-max rule, with ties placed on purpose, ignored rows, a chunk offset, extreme logits,
// and the logits left unchanged. Expected values computed here in double precision.
import { describe, expect, it } from 'vitest';
import { crossEntropyScore } from '../../src/engine/kernels/loss';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches } from './harness';

const LAYOUTS = [
  { name: 'workgroup per row, subgroups', subgroups: true, reduce: 'workgroup' },
  { name: 'workgroup per row, workgroup memory', subgroups: false, reduce: 'workgroup' },
  { name: 'invocation per row', subgroups: true, reduce: 'rows' },
] as const;

/** Rows of logits with chosen targets: [logits (rows, V), targets, expected greedy flags]. */
function cases(V: number): { logits: Float32Array; targets: number[]; greedy: number[] } {
  const rows: { row: Float32Array; target: number; greedy: number }[] = [];
  const base = (seed: number, scale = 3) => randomArray(V, seed, -scale, scale);
  const argmax = (r: Float32Array) => r.reduce((b, v, i) => (v > r[b] ? i : b), 0);
  const j = Math.min(10, V - 2);   // the later of two tied maxima
  let r = base(1); rows.push({ row: r, target: argmax(r), greedy: 1 });                   // the unique max
  r = base(2); rows.push({ row: r, target: (argmax(r) + 1) % V, greedy: 0 });             // not the max
  r = base(3); r[2] = r[j] = 9; rows.push({ row: r, target: j, greedy: 0 });              // tied, an earlier max
  r = base(4); r[2] = r[j] = 9; rows.push({ row: r, target: 2, greedy: 1 });              // tied, the first max
  r = base(5); rows.push({ row: r, target: -1, greedy: 0 });                              // ignored
  r = base(6); r[0] = r[V - 1] = 9; rows.push({ row: r, target: 0, greedy: 1 });          // tie at both ends
  r = base(7); r[0] = r[V - 1] = 9; rows.push({ row: r, target: V - 1, greedy: 0 });
  r = base(8, 80); rows.push({ row: r, target: argmax(r), greedy: 1 });                   // extreme range
  r = base(9, 80); rows.push({ row: r, target: (argmax(r) + 3) % V, greedy: 0 });
  const logits = new Float32Array(rows.length * V);
  rows.forEach((x, i) => logits.set(x.row, i * V));
  return { logits, targets: rows.map((x) => x.target), greedy: rows.map((x) => x.greedy) };
}

function expectedLoss(row: Float32Array, t: number): number {
  if (t < 0) return 0;
  const m = Math.max(...row);
  return Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) + m - row[t];
}

for (const layout of LAYOUTS) {
  describe(`cross-entropy scoring (${layout.name})`, () => {
    for (const V of [7, 70, 300]) {
      it(`V${V}: losses, first-max greedy flags, ignored rows, chunk offset 3`, async () => {
        const ctx = await kernelContext({ subgroups: layout.subgroups, choices: { reduce: layout.reduce } });
        const { logits, targets, greedy } = cases(V);
        const rows = targets.length, off = 3, N = rows + off + 2;
        const allTargets = Int32Array.from({ length: N }, (_, i) => (i >= off && i < off + rows ? targets[i - off] : 0));
        const logitsV = gpuBuffer(ctx, logits), losses = gpuBuffer(ctx, N), flags = gpuBuffer(ctx, N);
        await runDispatches(ctx, [crossEntropyScore(ctx, 's', { losses, greedy: flags, logits: logitsV, targets: gpuBuffer(ctx, allTargets) },
          { rows, vocab: V, rowOffset: off })]);
        const gotLoss = await readBuffer(ctx, losses);
        const gotFlags = new Uint32Array((await readBuffer(ctx, flags)).buffer);
        const want = targets.map((t, i) => expectedLoss(logits.subarray(i * V, (i + 1) * V), t));
        expectClose('losses', gotLoss.subarray(off, off + rows), want, 1e-5);
        expect(Array.from(gotFlags.subarray(off, off + rows))).toEqual(greedy);
        // Rows outside the chunk stay as they were (NaN poison), and the logits are not overwritten.
        expect([...gotLoss.subarray(0, off), ...gotLoss.subarray(off + rows)].every(Number.isNaN)).toBe(true);
        expectClose('logits untouched', await readBuffer(ctx, logitsV), logits, 0);
      });
    }
  });
}
