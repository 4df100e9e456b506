// Shared by the GPU tests: a Dawn device on SwiftShader, buffers filled or poisoned, read-backs, and the
// error measures every parity test uses.
import * as tf from '@tensorflow/tfjs';
import { openDevice, type EngineDevice } from '../../src/engine/device';
import { KernelContext, type KernelChoices, type TensorView } from '../../src/engine/kernel-context';
import { nodeGPU } from '../../src/engine/node-gpu.node';

const devices = new Map<string, EngineDevice>();

export async function engineDevice(opts: { subgroups?: boolean } = {}): Promise<EngineDevice> {
  const key = opts.subgroups === false ? 'nosub' : 'default';
  let d = devices.get(key);
  if (!d) {
    const gpu = await nodeGPU({ swiftshader: true });
    d = await openDevice(gpu, { disableSubgroups: opts.subgroups === false });
    devices.set(key, d);
  }
  return d;
}

/** A kernel context with a validation error scope open: runDispatches checks and reopens it. */
export async function kernelContext(opts: { subgroups?: boolean; choices?: Partial<KernelChoices> } = {}): Promise<KernelContext> {
  const d = await engineDevice(opts);
  d.device.pushErrorScope('validation');
  return new KernelContext(d.device, d.caps, opts.choices);
}

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** A storage buffer holding `data` (or NaN everywhere when `data` is a length: an output to be written). */
export function gpuBuffer(ctx: KernelContext, data: Float32Array | Int32Array | Uint32Array | number, label = 'test'): TensorView {
  const n = typeof data === 'number' ? data : data.length;
  const size = Math.max(16, Math.ceil((n * 4) / 16) * 16);
  const buffer = ctx.device.createBuffer({
    label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, mappedAtCreation: true,
  });
  const mapped = new Uint32Array(buffer.getMappedRange());
  if (typeof data === 'number') mapped.fill(0x7fc00000); // poison: NaN, so an unwritten element fails
  else mapped.set(new Uint32Array(data.buffer, data.byteOffset, data.length));
  buffer.unmap();
  return { buffer, offset: 0, size: n * 4, label };
}

export async function readBuffer(ctx: KernelContext, v: TensorView): Promise<Float32Array> {
  const size = Math.ceil(v.size / 4) * 4;
  const staging = ctx.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = ctx.device.createCommandEncoder();
  enc.copyBufferToBuffer(v.buffer, v.offset, staging, 0, size);
  ctx.device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}

/** Runs dispatches in one pass; any WebGPU validation error (shader compile, binding) fails the test. */
export async function runDispatches(ctx: KernelContext, list: readonly { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; workgroups: readonly [number, number, number] }[]): Promise<void> {
  const err = await ctx.device.popErrorScope();
  ctx.device.pushErrorScope('validation');
  if (err) throw new Error(`WebGPU validation error while building the dispatches: ${err.message}`);
  const enc = ctx.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (const d of list) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.workgroups);
  }
  pass.end();
  ctx.device.queue.submit([enc.finish()]);
  const runErr = await ctx.device.popErrorScope();
  ctx.device.pushErrorScope('validation');
  if (runErr) throw new Error(`WebGPU validation error while running: ${runErr.message}`);
}

/** Seeded uniform values in [lo, hi). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

export interface Diff { rel: number; maxAbs: number; at: number; got: number; want: number }

/** ‖got − want‖ / ‖want‖ and the largest element difference (with where it is), NaN-aware. */
export function diff(got: ArrayLike<number>, want: ArrayLike<number>): Diff {
  if (got.length < want.length) throw new Error(`got ${got.length} values, want ${want.length}`);
  let num = 0, den = 0, maxAbs = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const d = got[i] - want[i];
    if (!Number.isFinite(d)) return { rel: Infinity, maxAbs: Infinity, at: i, got: got[i], want: want[i] };
    num += d * d; den += want[i] * want[i];
    if (Math.abs(d) > maxAbs) { maxAbs = Math.abs(d); at = i; }
  }
  const rel = den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
  return { rel, maxAbs, at, got: at >= 0 ? got[at] : 0, want: at >= 0 ? want[at] : 0 };
}

export const describeDiff = (name: string, d: Diff): string =>
  `${name}: relative error ${d.rel.toExponential(2)}, largest difference ${d.maxAbs.toExponential(2)} at ${d.at} (got ${d.got}, want ${d.want})`;

/** Asserts a relative error within `tol`, printing the largest difference when it is not. */
export function expectClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): Diff {
  const d = diff(got, want);
  if (!(d.rel <= tol)) throw new Error(`${describeDiff(name, d)} exceeds ${tol}`);
  return d;
}
