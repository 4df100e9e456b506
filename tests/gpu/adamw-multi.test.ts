// The multi-tensor optimizer kernels (grad_norm_multi.wgsl, adamw_multi.wgsl) over tensors packed into one
// buffer per table at aligned offsets, against (1) the per-tensor kernels they replace (grad_norm.wgsl,
// adamw.wgsl), bit for bit: the same slots, clip scale and updated weights and moments; (2) AdamW with
// clipping computed on the host in double precision. The gaps between packed tensors hold NaN and must stay
// untouched; the slots start as NaN. Awkward sizes, a tensor spanning many norm workgroups, a range large
// enough to clip, and a non-finite gradient (the update skipped) — with both reduction libraries.
import { beforeAll, describe, expect, it } from 'vitest';
import { ceilDiv, type KernelContext } from '../../src/engine/kernel-context';
import { adamw, adamwStepData, gradNormFinish, gradNormGroups, gradNormPartial } from '../../src/engine/kernels/optimizer';
import { adamwMulti, adamwTensors, gradNormMultiPartial, gradNormShares, type GroupTensor } from '../../src/engine/kernels/optimizer-multi';
import { expectClose, gpuBuffer, kernelContext, randomArray, readBuffer, runDispatches } from './harness';

const NAN_BITS = 0x7fc00000;
const ALIGN = 64;   // elements: 256 bytes, the usual minStorageBufferOffsetAlignment
const OPT = { beta1: 0.9, beta2: 0.95, eps: 1e-8, lr: 1e-2, t: 3, maxNorm: 1 };

/** Host AdamW with global-norm clipping in double precision, one tensor at a time. */
function reference(ps: Float32Array[], ms: Float32Array[], vs: Float32Array[], gs: Float32Array[], decay: number[]) {
  let ss = 0;
  for (const g of gs) for (const x of g) ss += x * x;
  const norm = Math.sqrt(ss), ok = Number.isFinite(ss), clip = Math.min(1, OPT.maxNorm / (norm + 1e-6));
  const bc1 = 1 - OPT.beta1 ** OPT.t, bc2 = 1 - OPT.beta2 ** OPT.t;
  const out = ps.map((p, k) => {
    const P = Float64Array.from(p), M = Float64Array.from(ms[k]), V = Float64Array.from(vs[k]);
    if (ok) {
      for (let i = 0; i < P.length; i++) {
        const g = gs[k][i] * clip;
        M[i] = OPT.beta1 * M[i] + (1 - OPT.beta1) * g;
        V[i] = OPT.beta2 * V[i] + (1 - OPT.beta2) * g * g;
        P[i] = P[i] * (1 - OPT.lr * decay[k]) - (OPT.lr / bc1) * (M[i] / (Math.sqrt(V[i]) / Math.sqrt(bc2) + OPT.eps));
      }
    }
    return { p: P, m: M, v: V };
  });
  return { norm, skipped: !ok, out };
}

const CASES: { name: string; sizes: number[]; range: number; nonFinite?: boolean }[] = [
  { name: 'tiny', sizes: [3, 5], range: 0.01 },
  { name: 'awkward, one tensor over many norm workgroups', sizes: [45 * 65, 1, 7, 70001, 256], range: 0.001 },
  { name: 'extreme: clipped', sizes: [300, 1000, 33], range: 1e3 },
  { name: 'non-finite gradient: skipped', sizes: [100, 9], range: 1, nonFinite: true },
];

for (const subgroups of [true, false]) {
  describe(`multi-tensor grad norm + AdamW (${subgroups ? 'subgroup' : 'workgroup-memory'} reduction)`, () => {
    let ctx: KernelContext;
    beforeAll(async () => { ctx = await kernelContext({ subgroups }); });
    for (const c of CASES) {
      it(c.name, async () => {
        const gs = c.sizes.map((n, k) => randomArray(n, 10 + k, -c.range, c.range));
        if (c.nonFinite) gs[1][4] = Infinity;
        const ps = c.sizes.map((n, k) => randomArray(n, 20 + k));
        const ms = c.sizes.map((n, k) => randomArray(n, 30 + k, -0.01, 0.01));
        const vs = c.sizes.map((n, k) => randomArray(n, 40 + k, 0, 1e-4));
        const decay = c.sizes.map((_, k) => (k % 2 === 0 ? 0.1 : 0));
        // Packed: each tensor at an aligned offset, NaN in the gaps.
        const offsets: number[] = [];
        let end = 0;
        for (const n of c.sizes) { const o = Math.ceil(end / ALIGN) * ALIGN; offsets.push(o); end = o + n; }
        const pack = (xs: Float32Array[]) => {
          const out = new Float32Array(new Uint32Array(end).fill(NAN_BITS).buffer);
          xs.forEach((x, k) => out.set(x, offsets[k]));
          return gpuBuffer(ctx, out);
        };
        const [P, M, V, G] = [pack(ps), pack(ms), pack(vs), pack(gs)];
        const tensors: GroupTensor[] = c.sizes.map((n, k) => ({ offset: offsets[k], n, weightDecay: decay[k] }));
        const shares = gradNormShares(tensors), upd = adamwTensors(tensors);
        const nSlots = c.sizes.reduce((s, n) => s + gradNormGroups(n), 0);
        const step = ctx.uniform('step', adamwStepData(OPT.lr, OPT.beta1, OPT.beta2, OPT.eps, OPT.t));
        const slots = gpuBuffer(ctx, nSlots), stats = gpuBuffer(ctx, 4);
        // The per-tensor kernels on separate copies.
        const sep = (xs: Float32Array[]) => xs.map((x) => gpuBuffer(ctx, x));
        const [Ps, Ms, Vs, Gs] = [sep(ps), sep(ms), sep(vs), sep(gs)];
        const slotsRef = gpuBuffer(ctx, nSlots), statsRef = gpuBuffer(ctx, 4);
        let slot = 0;
        const perTensor = c.sizes.map((n, k) => { const d = gradNormPartial(ctx, `ref.partial[${k}]`, { slots: slotsRef, grad: Gs[k] }, { n, slot }); slot += gradNormGroups(n); return d; });
        await runDispatches(ctx, [
          gradNormMultiPartial(ctx, 'partial', { slots, grad: G, shares: gpuBuffer(ctx, shares) }, { nShares: shares.length / 4, firstSlot: 0 }),
          gradNormFinish(ctx, 'finish', { stats, slots }, { nSlots, maxNorm: OPT.maxNorm }),
          adamwMulti(ctx, 'adamw', { param: P, expAvg: M, expAvgSq: V, grad: G, stats, tensors: gpuBuffer(ctx, upd.table),
            owner: gpuBuffer(ctx, upd.owner), step }, { workgroups: upd.workgroups }),
          ...perTensor,
          gradNormFinish(ctx, 'ref.finish', { stats: statsRef, slots: slotsRef }, { nSlots, maxNorm: OPT.maxNorm }),
          ...c.sizes.map((n, k) => adamw(ctx, `ref.adamw[${k}]`, { param: Ps[k], expAvg: Ms[k], expAvgSq: Vs[k], grad: Gs[k], stats: statsRef, step },
            { n, weightDecay: decay[k] })),
        ]);
        expect(upd.workgroups).toBe(c.sizes.reduce((s, n) => s + ceilDiv(n, 256), 0));
        const bits = (x: Float32Array, from = 0, n = x.length) => Array.from(new Uint32Array(x.buffer, x.byteOffset + 4 * from, n));
        const [st, stRef] = [await readBuffer(ctx, stats), await readBuffer(ctx, statsRef)];
        expect(bits(await readBuffer(ctx, slots), 0, nSlots)).toEqual(bits(await readBuffer(ctx, slotsRef), 0, nSlots));
        expect(bits(st, 0, 3)).toEqual(bits(stRef, 0, 3));
        const ref = reference(ps, ms, vs, gs, decay);
        expect(st[2]).toBe(ref.skipped ? 1 : 0);
        if (!ref.skipped) expectClose('grad norm', [st[0]], [ref.norm], 1e-5);
        for (const [name, packed, separate, want] of [['param', P, Ps, ref.out.map((o) => o.p)], ['exp_avg', M, Ms, ref.out.map((o) => o.m)],
          ['exp_avg_sq', V, Vs, ref.out.map((o) => o.v)]] as const) {
          const got = await readBuffer(ctx, packed);
          for (let k = 0; k < c.sizes.length; k++) {
            const n = c.sizes[k];
            expect(bits(got, offsets[k], n), `${name}[${k}] against the per-tensor kernel`).toEqual(bits(await readBuffer(ctx, separate[k]), 0, n));
            expectClose(`${name}[${k}]`, got.subarray(offsets[k], offsets[k] + n), want[k], 1e-5);
            const gapEnd = k + 1 < c.sizes.length ? offsets[k + 1] : end;
            expect(bits(got, offsets[k] + n, gapEnd - offsets[k] - n).every((b) => b === NAN_BITS), `${name}: gap after tensor ${k} untouched`).toBe(true);
          }
        }
      });
    }
  });
}
