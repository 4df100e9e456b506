// Kernel throughput at a model's shapes: our matmul (the three orientations of a linear layer) and flash
// attention (forward), against tfjs-backend-webgpu's matMul and its attention written from stock ops
// (matMul, softmax, matMul), in GFLOP/s. Ours are checked against tfjs's result before they are timed.
import * as tf from '@tensorflow/tfjs';
import type { EngineDevice } from '../src/engine/device';
import { KernelContext, type Dispatch, type TensorView } from '../src/engine/kernel-context';
import { attentionForward, attentionTiles, defaultPositions } from '../src/engine/kernels/attention';
import { matmul, matmulSplitK } from '../src/engine/kernels/matmul';
import { headDim, type ModelConfig } from '../src/model/config';
import type { BenchTable } from './table';

function upload(device: GPUDevice, data: Float32Array): TensorView {
  const buffer = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return { buffer, offset: 0, size: data.byteLength, label: 'bench' };
}

async function read(device: GPUDevice, v: TensorView): Promise<Float32Array> {
  const s = device.createBuffer({ size: v.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(v.buffer, 0, s, 0, v.size);
  device.queue.submit([enc.finish()]);
  await s.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(s.getMappedRange().slice(0));
  s.destroy();
  return out;
}

async function timeOurs(device: GPUDevice, one: Dispatch | Dispatch[], reps: number): Promise<number> {
  const list = Array.isArray(one) ? one : [one];
  const run = async (n: number) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < n; r++) {
      for (const d of list) { pass.setPipeline(d.pipeline); pass.setBindGroup(0, d.bindGroup); pass.dispatchWorkgroups(...d.workgroups); }
    }
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(1);
  const t0 = performance.now();
  await run(reps);
  return (performance.now() - t0) / reps;
}

async function timeTfjs(f: () => tf.Tensor, reps: number): Promise<number> {
  const warm = f();
  await warm.data();
  warm.dispose();
  const t0 = performance.now();
  let last: tf.Tensor | null = null;
  for (let r = 0; r < reps; r++) { last?.dispose(); last = f(); }
  await last!.data();
  last!.dispose();
  return (performance.now() - t0) / reps;
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

const rand = (n: number, seed: number) => { let s = seed; return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; }); };

/** Assumes tfjs is already on its WebGPU backend. */
export async function benchKernels(dev: EngineDevice, name: string, c: ModelConfig, tokens: number, batch: number, reps: number):
  Promise<BenchTable> {
  const ctx = new KernelContext(dev.device, dev.caps);
  const ctx16 = dev.caps.f16 ? new KernelContext(dev.device, dev.caps, { matmulPrecision: 'f16' }) : null;
  // Where the lanes layouts run (CPU-emulated adapters), the vec4 direct layout they replaced, for comparison.
  const ctxDirect = ctx.choices.matmul === 'lanes' ? new KernelContext(dev.device, dev.caps, { matmul: 'direct' }) : null;
  const device = dev.device;
  const rows: (string | number)[][] = [];
  const N = tokens, C = c.dim, F = c.hiddenDim;
  const shapes: [string, number, number, number, boolean, boolean][] = [
    [`X W^T  (N ${N}, in ${C}, out ${F})`, N, F, C, false, true],
    [`dY W   (N ${N}, out ${F}, in ${C})`, N, C, F, false, false],
    [`dY^T X (out ${F}, in ${C}, N ${N})`, F, C, N, true, false],
  ];
  for (const [label, M, Nn, K, tA, tB] of shapes) {
    const a = rand(M * K, 1), b = rand(K * Nn, 2);
    const A = upload(device, a), B = upload(device, b), Cv = upload(device, new Float32Array(M * Nn));
    // As the engine runs them: weight gradients (transposed A) with split-K where it pays.
    const d = tA ? matmulSplitK(ctx, 'bench', { c: Cv, a: A, b: B }, { M, N: Nn, K, transA: tA, transB: tB })
      : matmul(ctx, 'bench', { c: Cv, a: A, b: B }, { M, N: Nn, K, transA: tA, transB: tB });
    const ta = tf.tensor2d(a, tA ? [K, M] : [M, K]), tb = tf.tensor2d(b, tB ? [Nn, K] : [K, Nn]);
    const f = () => tf.matMul(ta, tb, tA, tB);
    const ref = f();
    const ours0 = await timeOurs(device, d, 1);
    const err = relErr(await read(device, Cv), await ref.data() as Float32Array);
    ref.dispose();
    if (err > 1e-4) throw new Error(`matmul ${label}: differs from tfjs by ${err}`);
    const msOurs = Math.min(ours0, await timeOurs(device, d, reps));
    const msTf = await timeTfjs(f, reps);
    const gf = (2 * M * Nn * K) / 1e6;
    rows.push([`matmul ${label}`, gf / msOurs, gf / msTf, `${(msTf / msOurs).toFixed(1)}x`]);
    if (ctx16) {
      const d16 = matmul(ctx16, 'bench.f16', { c: Cv, a: A, b: B }, { M, N: Nn, K, transA: tA, transB: tB });
      await timeOurs(device, d16, 1);
      const err16 = relErr(await read(device, Cv), await f().data() as Float32Array);
      if (err16 > 1e-2) throw new Error(`f16-tile matmul ${label}: differs from tfjs by ${err16}`);
      const ms16 = await timeOurs(device, d16, reps);
      rows.push([`matmul ${label}, f16 tiles (error ${err16.toExponential(1)})`, gf / ms16, gf / msTf, `${(msTf / ms16).toFixed(1)}x`]);
    }
    if (ctxDirect) {
      const dd = matmul(ctxDirect, 'bench.direct', { c: Cv, a: A, b: B }, { M, N: Nn, K, transA: tA, transB: tB });
      const d0 = await timeOurs(device, dd, 1);
      const errD = relErr(await read(device, Cv), await f().data() as Float32Array);
      if (errD > 1e-4) throw new Error(`direct matmul ${label}: differs from tfjs by ${errD}`);
      const msD = Math.min(d0, await timeOurs(device, dd, reps));   // as ours: the better of one run and the mean of reps
      rows.push([`matmul ${label}, vec4 direct (the layout before lanes)`, gf / msD, gf / msTf, `${(msTf / msD).toFixed(1)}x`]);
    }
    ta.dispose(); tb.dispose();
    for (const v of [A, B, Cv]) v.buffer.destroy();
  }
  // Attention forward at (B, T, H, KV, D).
  const T = Math.floor(tokens / batch), D = headDim(c), H = c.nHeads, KV = c.nKvHeads;
  const q = rand(batch * T * H * D, 3), k = rand(batch * T * KV * D, 4), v = rand(batch * T * KV * D, 5);
  const Q = upload(device, q), K = upload(device, k), Vv = upload(device, v);
  const O = upload(device, new Float32Array(batch * T * H * D)), L = upload(device, new Float32Array(batch * H * T));
  const P = upload(device, new Float32Array(defaultPositions(batch, T).buffer));   // one causal sequence per row
  const lim = dev.caps.limits;
  const d = attentionForward(ctx, 'bench.attention', { out: O, lse: L, q: Q, k: K, v: Vv, pos: P }, { batch, seqLen: T, nHeads: H, nKvHeads: KV, headDim: D },
    attentionTiles(D, lim.maxComputeWorkgroupStorageSize, lim.maxComputeInvocationsPerWorkgroup));
  const idx = tf.tensor1d(Array.from({ length: H }, (_, h) => Math.floor(h / (H / KV))), 'int32');
  const tq = tf.tensor4d(q, [batch, T, H, D]).transpose([0, 2, 1, 3]);
  const tk = tf.gather(tf.tensor4d(k, [batch, T, KV, D]).transpose([0, 2, 1, 3]), idx, 1);
  const tv = tf.gather(tf.tensor4d(v, [batch, T, KV, D]).transpose([0, 2, 1, 3]), idx, 1);
  const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9);
  const att = () => tf.tidy(() => tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(tq, tk, false, true), 1 / Math.sqrt(D)), mask), -1), tv));
  const ref = att();
  const ours0 = await timeOurs(device, d, 1);
  const refOut = (await ref.transpose([0, 2, 1, 3]).data()) as Float32Array;
  ref.dispose();
  const err = relErr(await read(device, O), refOut);
  if (err > 1e-4) throw new Error(`attention differs from tfjs by ${err}`);
  const msOurs = Math.min(ours0, await timeOurs(device, d, reps));
  const msTf = await timeTfjs(att, reps);
  const gf = (4 * batch * H * T * T * D / 2) / 1e6; // causal: half of QK^T and PV
  rows.push([`attention fwd (B ${batch}, T ${T}, H ${H}/${KV}, D ${D})`, gf / msOurs, gf / msTf, `${(msTf / msOurs).toFixed(1)}x`]);
  for (const t of [idx, tq, tk, tv, mask]) t.dispose();
  return {
    title: `Kernels at ${name}'s shapes, GFLOP/s`,
    columns: ['kernel', 'leveret', 'tfjs-webgpu', 'ratio'],
    rows,
    note: 'Results checked against tfjs before timing; causal attention counted as half the dense FLOPs for both.',
  };
}
