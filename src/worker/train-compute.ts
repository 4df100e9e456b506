// What trains the model in this worker: our WebGPU engine on the adapter navigator.gpu offers, or, where
// WebGPU is missing or refuses, the tfjs reference model on tfjs's WebGL or CPU backend. The adapter is
// opened once per worker and every run shares its device.
import { openDeviceOn, describeAdapter, type EngineDevice } from '../engine/device';
import type { ModelConfig } from '../model/config';
import { initParams } from '../model/init';
import type { TrainBackend } from '../train/backend';
import type { TrainConfig } from '../train/config';
import type { RunMemory } from '../train/checkpoint/trainer-state';
import { EngineBackend } from '../train/engine-backend';
import type { EngineOptions } from '../engine/engine';
import type { AdapterReport, BackendReport } from './train-api';

export interface Compute {
  readonly report: BackendReport;
  /** Null when training falls back to tfjs. */
  readonly dev: EngineDevice | null;
  /**
   * Calls `failed` when the device is lost (`lost`: every GPU object is gone, the compute must be reopened)
   * or reports an error no error scope caught (a run's results can no longer be trusted). Never for tfjs.
   */
  onFailure(failed: (message: string, lost: boolean) => void): void;
}

/** WebGPU's words for what went wrong, in a person's: the cause, and that trying smaller is the way out. */
export function plainGpuError(message: string): string {
  if (/instance dropped|device (was )?lost|device is lost/i.test(message)) {
    return `the GPU device stopped answering (${message}); most often the model did not fit its memory`;
  }
  if (/out of memory|oom|allocation|failed to allocate/i.test(message)) return `the GPU ran out of memory (${message})`;
  return message;
}

function watchDevice(dev: EngineDevice): Compute['onFailure'] {
  const listeners: ((message: string, lost: boolean) => void)[] = [];
  const tell = (message: string, lost: boolean) => { for (const l of listeners) l(message, lost); };
  void dev.device.lost.then((info) => {
    // 'destroyed' is ours (a closing worker); anything else is the browser taking the device away.
    if (info.reason !== 'destroyed') tell(plainGpuError(`device lost: ${info.message || 'no reason given'}`), true);
  });
  dev.device.addEventListener('uncapturederror', (ev) => {
    const error = (ev as GPUUncapturedErrorEvent).error;
    tell(plainGpuError(`WebGPU error: ${error.message}`), false);
  });
  return (failed) => { listeners.push(failed); };
}

function adapterReport(adapter: GPUAdapter): AdapterReport {
  const limits: Record<string, number> = {};
  // GPUSupportedLimits exposes its fields as prototype getters, so walk the prototype for the names.
  for (const key of Object.keys(Object.getPrototypeOf(adapter.limits) as object)) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') limits[key] = v;
  }
  const info = adapter.info;
  return {
    vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

/** The memory options of a run (the form's Memory boxes, the CLI's --recompute, --f32-base unset, --update-per-layer
 *  and --f16-activations): a checkpoint's RunMemory, the two later options absent in requests from before them (off). */
export type MemoryRequest = Pick<RunMemory, 'recompute' | 'f16Base'> & Partial<Pick<RunMemory, 'updatePerLayer' | 'f16Activations'>>;

/** The memory request a resumed run takes: the checkpoint's own (RunMemory), so it continues as it was
 *  trained; for a checkpoint from before they were recorded, a new run's defaults (a LoRA base in f16). */
export function resumedMemory(saved: RunMemory | undefined, lora: boolean): MemoryRequest {
  return saved ?? { recompute: false, f16Base: lora, updatePerLayer: false, f16Activations: false };
}

/** The engine's options for a run's memory request; the f16 base is for a frozen LoRA base only, and ignored otherwise;
 *  the update layer by layer for full training only (the form offers it without accumulation; the engine refuses it with).
 *  F16 activations beside recomputation or the update layer by layer are passed on as asked, and the engine refuses
 *  them (the form never sends both). */
export function memoryEngineOptions(m: MemoryRequest | undefined, lora: boolean): EngineOptions {
  return {
    recompute: m?.recompute === true, f16Base: lora && m?.f16Base === true, updatePerLayer: !lora && m?.updatePerLayer === true,
    f16Activations: m?.f16Activations === true,
  };
}

/** Opens WebGPU if it can; otherwise reports why not, and training will use tfjs. */
export async function openCompute(gpu: GPU | undefined): Promise<Compute> {
  const fallback = (reason: string): Compute => ({
    report: { kind: 'tfjs', name: 'tfjs reference model (WebGL or CPU backend)', adapter: null, fallbackReason: reason, emulated: false },
    dev: null,
    onFailure: () => undefined,
  });
  if (!gpu) return fallback('this browser offers no WebGPU (navigator.gpu is missing in workers)');
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return fallback(`requestAdapter failed: ${(e as Error).message}`);
  }
  if (!adapter) return fallback('WebGPU is present but offered no adapter (GPU blocklisted or disabled)');
  const report = adapterReport(adapter);
  try {
    const dev = await openDeviceOn(adapter);
    return {
      report: { kind: 'webgpu', name: `leveret webgpu: ${describeAdapter(dev.caps)}`, adapter: report, fallbackReason: null, emulated: dev.caps.emulated },
      dev, onFailure: watchDevice(dev),
    };
  } catch (e) {
    const c = fallback(`the adapter refused a device: ${(e as Error).message}`);
    return { ...c, report: { ...c.report, adapter: report } };
  }
}

/** tfjs on WebGL where a worker can have it (OffscreenCanvas), else on the CPU. */
async function tfjsBackend(model: ModelConfig, train: TrainConfig): Promise<TrainBackend> {
  const tf = await import('@tensorflow/tfjs');
  let ok = false;
  try { ok = await tf.setBackend('webgl'); } catch { ok = false; }
  if (!ok) await tf.setBackend('cpu');
  await tf.ready();
  const { ReferenceBackend } = await import('../train/reference-backend');
  return new ReferenceBackend(model, train, initParams(model, train.seed));
}

/**
 * A backend for the run, its weights initialised from the run's seed; with `seeded` false the engine's are left
 * for the caller to stream in (an imported model: no 4 GB of random floats made only to be overwritten).
 */
export async function createBackend(compute: Compute, model: ModelConfig, train: TrainConfig, engine: 'auto' | 'tfjs',
  seeded = true, memory?: MemoryRequest): Promise<TrainBackend> {
  if (engine === 'tfjs' || !compute.dev) return tfjsBackend(model, train); // the reference model keeps every activation
  const backend = await EngineBackend.create(compute.dev, model, train, memoryEngineOptions(memory, false));
  if (seeded) await backend.setParams(initParams(model, train.seed));
  return backend;
}
