// Where a training step's time goes: every recorded dispatch of the engine run on its own and timed,
// grouped by kernel. For finding the slow kernel, not for reporting (see bench/engine.ts for that).
import type { EngineDevice } from '../src/engine/device';
import { Engine, type Batch } from '../src/engine/engine';
import type { Dispatch } from '../src/engine/kernel-context';
import type { ModelConfig, TrainShape } from '../src/model/config';
import { initParams } from '../src/model/init';
import type { BenchTable } from './table';

async function timeOne(device: GPUDevice, d: Dispatch, repeats: number): Promise<number> {
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

/** The kernel a dispatch label belongs to: `L3.q_proj#0` -> `linear forward`, `L0.attention.dx.dq` -> `attention dq`. */
export function kernelOf(label: string): string {
  if (/proj(#\d+)?$|lm_head\[\d+\]#/.test(label)) return 'matmul forward';
  if (/\.dx(\[\d+\])?#\d+$/.test(label)) return 'matmul backward (input)';
  if (/\.dw(\[\d+\])?#\d+$/.test(label)) return 'matmul backward (weight)';
  const m = label.replace(/^L\d+\./, '').replace(/\[[^\]]*\]/g, '').replace(/#\d+$/, '');
  return m;
}

export async function profileStep(dev: EngineDevice, config: ModelConfig, shape: TrainShape, repeats = 3): Promise<BenchTable> {
  const engine = await Engine.createTrainer(dev, config, shape);
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
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms)
    .map(([k, e]) => [k, e.count, e.ms, (100 * e.ms) / total] as (string | number)[]);
  return { title: `time per kernel, one micro-batch step (${shape.batchSize}x${shape.seqLen})`, columns: ['kernel', 'dispatches', 'ms', '%'], rows };
}
