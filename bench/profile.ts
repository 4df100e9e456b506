// Where a training step's time goes: every recorded dispatch of the engine run on its own and timed,
// grouped by kernel, for the unfused and the fused engine side by side. Each dispatch is its own submission,
// so a kernel's figure includes one submit-and-wait: the sum is close to a step on an emulated adapter,
// where a dispatch's fixed cost is large, and says little about overlap on a GPU (bench/engine.ts times
// whole steps).
import type { EngineDevice } from '../src/engine/device';
import { Engine, type Batch, type EngineOptions } from '../src/engine/engine';
import type { Dispatch } from '../src/engine/kernel-context';
import type { ModelConfig, TrainShape } from '../src/model/config';
import { initParams } from '../src/model/init';
import type { BenchTable } from './table';

/** The fastest of ROUNDS submissions: on a shared machine a neighbour's burst only ever slows a kernel down. */
const ROUNDS = 3;

async function timeOne(device: GPUDevice, d: Dispatch, repeats: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) best = Math.min(best, await timeSubmission(device, d, repeats));
  return best;
}

async function timeSubmission(device: GPUDevice, d: Dispatch, repeats: number): Promise<number> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let r = 0; r < repeats; r++) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.workgroups);
  }
  pass.end();
  const t0 = performance.now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / repeats;
}

/** The kernel a dispatch label belongs to: `L3.q_proj#0` -> `matmul forward`, `L0.attention.dx.dq` -> `attention dq`,
 *  and the fused kernels on rows of their own: the down projection reading SwiGLU (`L3.swiglu+down_proj#0`, its
 *  weight gradient `.dw#0`) and the q / k projections ending in RoPE (`L3.q_proj+rope_q#0`). */
export function kernelOf(label: string): string {
  if (/swiglu\+down_proj(#\d+)?$/.test(label)) return 'matmul forward, SwiGLU operand (swiglu+down_proj)';
  if (/swiglu\+down_proj\.dw#\d+(\.splitk)?$/.test(label)) return 'matmul backward (weight), SwiGLU operand (swiglu+down_proj.dw)';
  if (/_proj\+rope_[qk]#\d+$/.test(label)) return 'matmul forward, RoPE epilogue (q_proj+rope_q, k_proj+rope_k)';
  if (/proj(#\d+)?$|lm_head\[\d+\]#/.test(label)) return 'matmul forward';
  if (/\.dx(\[\d+\])?#\d+$/.test(label)) return 'matmul backward (input)';
  if (/\.dw(\[\d+\])?#\d+(\.splitk)?$/.test(label)) return 'matmul backward (weight)';
  if (/\.dw(\[\d+\])?#\d+\.reduce$/.test(label)) return 'split-K reduce (weight gradients)';
  // Layers, chunks and parameter groups folded: `L0.mlp_residual+L1.attn_norm` -> `mlp_residual+attn_norm`.
  return label.replace(/(^|\+)L\d+\./g, '$1').replace(/\[[^\]]*\]/g, '').replace(/#\d+$/, '');
}

interface KernelTimes { readonly byKernel: Map<string, { ms: number; count: number }>; readonly total: number; readonly count: number }

async function kernelTimes(dev: EngineDevice, config: ModelConfig, shape: TrainShape, opts: EngineOptions, repeats: number): Promise<KernelTimes> {
  const engine = await Engine.createTrainer(dev, config, shape, opts);
  engine.setParams(initParams(config, 1));
  const n = shape.batchSize * shape.seqLen;
  const batch: Batch = {
    inputs: Int32Array.from({ length: n }, (_, i) => (i * 7919) % config.vocabSize),
    targets: Int32Array.from({ length: n }, (_, i) => (i * 104729 + 3) % config.vocabSize),
  };
  await engine.trainStep(Array.from({ length: shape.accumSteps }, () => batch), 1e-4);
  const all = [...engine.graph.forward, ...engine.graph.head, ...engine.graph.backward, ...engine.optimizer!.dispatches];
  const byKernel = new Map<string, { ms: number; count: number }>();
  let total = 0;
  for (const d of all) {
    const ms = await timeOne(engine.device, d, repeats);
    total += ms;
    const k = kernelOf(d.label);
    const e = byKernel.get(k) ?? { ms: 0, count: 0 };
    e.ms += ms; e.count++;
    byKernel.set(k, e);
  }
  engine.destroy();
  return { byKernel, total, count: all.length };
}

/** The step of one micro-batch split by kernel: dispatches and ms of each, unfused and fused. */
export async function profileStep(dev: EngineDevice, name: string, config: ModelConfig, shape: TrainShape, repeats = 3): Promise<BenchTable> {
  const u = await kernelTimes(dev, config, shape, { fuse: false }, repeats);
  const f = await kernelTimes(dev, config, shape, {}, repeats);
  const kernels = [...new Set([...f.byKernel.keys(), ...u.byKernel.keys()])]
    .sort((a, b) => (f.byKernel.get(b)?.ms ?? 0) - (f.byKernel.get(a)?.ms ?? 0) || (u.byKernel.get(b)?.ms ?? 0) - (u.byKernel.get(a)?.ms ?? 0));
  const cells = (t: KernelTimes, k: string): (string | number)[] => {
    const e = t.byKernel.get(k);
    return e ? [e.count, e.ms, `${((100 * e.ms) / t.total).toFixed(1)}%`] : ['', '', ''];
  };
  const rows = kernels.map((k) => [k, ...cells(u, k), ...cells(f, k)]);
  rows.push(['all', u.count, u.total, '100%', f.count, f.total, '100%']);
  return {
    title: `Step time by kernel, ${name}, one micro-batch of ${shape.batchSize}x${shape.seqLen}`,
    columns: ['kernel', 'unfused dispatches', 'unfused ms', 'unfused %', 'fused dispatches', 'fused ms', 'fused %'],
    rows,
    note: `Each dispatch timed on its own: ${repeats} launches of it in one submission, the mean, the fastest of ${ROUNDS} submissions; ` +
      'the engine\'s kernel layouts for this adapter.',
  };
}
