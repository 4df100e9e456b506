// What every kernel binding needs: the device, a pipeline cache keyed by everything baked into a shader,
// uniform slots carved from a few blocks, labelled bind groups, and dispatch grids within the adapter's
// per-dimension limit. Everything here is created while planning; a training step only replays Dispatches.
import type { DeviceCaps } from './device';
import { shaderSource, type ShaderName } from './shaders';
import { checkContract, contractLabel, packUniform, type KernelArgs, type KernelContract } from './kernel-contract';

/** A byte range of a GPU buffer holding one tensor (or one uniform block). */
export interface TensorView {
  readonly buffer: GPUBuffer;
  readonly offset: number;   // bytes
  readonly size: number;     // bytes
  readonly label: string;
  /** 'f16': packed halves, two per 32-bit word (a frozen half-precision weight); absent: f32 / i32 / u32. */
  readonly dtype?: 'f16';
}

/** One recorded kernel launch: created once, replayed every step. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
}

export const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

const UNIFORM_BLOCK = 64 * 1024;

/**
 * Which layout of a kernel runs where. GPUs want a workgroup per row for the row reductions (RMSNorm,
 * softmax cross-entropy) and matmul tiles staged in workgroup memory; CPU-emulated adapters (SwiftShader)
 * run a workgroup's invocations as fibers and pay for every barrier, so there one invocation per row (about
 * a hundred times faster on the tiny preset: 1.2 s against 10 ms per RMSNorm) and barrier-free matmuls win:
 * 'lanes', whose loads are one address or four consecutive floats per four invocations (a CPU's SIMD lanes),
 * 1.5-4.6x 'direct' (vec4 blocks per invocation), which remains where 'lanes' has no layout.
 * The choice follows the adapter, not a timing, so the same adapter always runs the same arithmetic and a
 * resumed run reproduces its losses exactly. bench/ measures the alternatives.
 */
export interface KernelChoices {
  readonly reduce: 'workgroup' | 'rows';
  readonly matmul: 'tiled' | 'direct' | 'lanes';
  /**
   * 'f16' stages the tiled matmul's operands in half precision (shader-f16 only; sums stay f32): faster on
   * some GPUs, about 1e-3 relative error. Off unless asked for: the default engine matches the f32 reference.
   */
  readonly matmulPrecision: 'f32' | 'f16';
}

export const choicesFor = (caps: DeviceCaps): KernelChoices =>
  caps.emulated ? { reduce: 'rows', matmul: 'lanes', matmulPrecision: 'f32' } : { reduce: 'workgroup', matmul: 'tiled', matmulPrecision: 'f32' };

// Pipelines are shared by every context on a device: shader compilation is the slow part of planning
// (up to seconds per pipeline on SwiftShader), and a forward graph built beside a training graph, or a new
// engine on the same device, needs the same ones.
const pipelineCache = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** The shader variants each contract has been checked against (the check parses WGSL: once is enough). */
const checkedContracts = new WeakMap<KernelContract, Set<string>>();

/** What a launch may change in a shader's text beyond the subgroup choice (see ShaderVariant). */
export interface LaunchVariant {
  readonly headDim?: number;
  readonly f16Tiles?: boolean;
  readonly bF16?: boolean;
  /** Set by the contract (KernelContract.variant), not by a launch. */
  readonly swiglu?: 'a' | 'b';
  readonly rope?: boolean;
}

export class KernelContext {
  private readonly pipelines: Map<string, GPUComputePipeline>;
  private uniformBlock: GPUBuffer | null = null;
  private readonly owned: GPUBuffer[] = [];
  private scratch: TensorView | null = null;
  /** Size of the scratch split-K matmuls share (dispatches in a pass run in order, so one buffer serves all). */
  readonly splitKScratchBytes = 32 * 2 ** 20;
  private uniformUsed = UNIFORM_BLOCK;
  readonly subgroups: boolean;
  readonly choices: KernelChoices;

  constructor(readonly device: GPUDevice, readonly caps: DeviceCaps, choices?: Partial<KernelChoices>) {
    this.subgroups = caps.subgroups;
    this.choices = { ...choicesFor(caps), ...choices };
    if (this.choices.matmulPrecision === 'f16' && !caps.f16) {
      throw new Error('half-precision matmuls were asked for, but this adapter has no shader-f16');
    }
    let cache = pipelineCache.get(device);
    if (!cache) { cache = new Map(); pipelineCache.set(device, cache); }
    this.pipelines = cache;
  }

  /** A compute pipeline, built once per (shader, entry point, constants, variant). Private: every kernel
   *  reaches it through `launch` and its contract. */
  private pipeline(shader: ShaderName, entryPoint: string, constants: Record<string, number | boolean>,
    v: Required<Pick<LaunchVariant, 'f16Tiles' | 'bF16'>> & LaunchVariant): GPUComputePipeline {
    const key = JSON.stringify([shader, entryPoint, constants, v.headDim, this.subgroups, v.f16Tiles, v.bF16, v.swiglu, v.rope]);
    let p = this.pipelines.get(key);
    if (!p) {
      const label = `${shader}.${entryPoint}${v.swiglu ? `+swiglu_${v.swiglu}` : ''}${v.rope ? '+rope' : ''}`;
      const module = this.device.createShaderModule({ label, code: shaderSource(shader, { subgroups: this.subgroups, ...v }) });
      const c: Record<string, number> = {};
      for (const [k, val] of Object.entries(constants)) c[k] = typeof val === 'boolean' ? (val ? 1 : 0) : val;
      p = this.device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint, constants: c } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * A Dispatch of a kernel through its contract: the shader is checked against the contract before its
   * first pipeline is built (an error names the kernel and each mismatch), the bindings are taken by name
   * in the contract's order, and uniform blocks given as values are packed into fresh slots. `constants`
   * must feed exactly the contract's overrides.
   */
  launch<C extends KernelContract>(c: C, label: string, args: KernelArgs<C>, workgroups: readonly [number, number, number],
    constants: Readonly<Record<string, number | boolean>>, variant: LaunchVariant = {}): Dispatch {
    const given = Object.keys(constants).sort().join(','), wanted = [...c.overrides].sort().join(',');
    if (given !== wanted) throw new Error(`${label}: kernel ${contractLabel(c)} takes overrides [${wanted}], got [${given}]`);
    // A contract may fix part of the text (a matmul's SwiGLU operand): its bindings describe that variant.
    const v = { ...variant, ...c.variant, f16Tiles: variant.f16Tiles ?? false, bF16: variant.bF16 ?? false };
    const key = JSON.stringify([this.subgroups, v.headDim, v.f16Tiles, v.bF16, v.swiglu, v.rope]);
    let checked = checkedContracts.get(c);
    if (!checked) { checked = new Set(); checkedContracts.set(c, checked); }
    if (!checked.has(key)) {
      checkContract(c, shaderSource(c.shader, { subgroups: this.subgroups, ...v }));
      checked.add(key);
    }
    const pipeline = this.pipeline(c.shader, c.entry, constants, v);
    const named = args as Readonly<Record<string, TensorView | Readonly<Record<string, number>>>>;
    const views = c.bindings.map((b) => {
      const a = named[b.name];
      if (a === undefined) throw new Error(`${label}: no argument for binding ${b.name} of ${contractLabel(c)}`);
      if ('buffer' in a && typeof a.buffer === 'object') return a as TensorView;
      if (b.access !== 'uniform') throw new Error(`${label}: binding ${b.name} of ${contractLabel(c)} needs a tensor`);
      return this.uniform(`${label}.${b.name}`, packUniform(b.fields, a as Readonly<Record<string, number>>));
    });
    return this.dispatch(label, pipeline, views, workgroups);
  }

  /** A uniform slot holding `data`, written now (uniforms that never change after planning). */
  uniform(label: string, data: ArrayBuffer): TensorView {
    const align = this.caps.limits.minUniformBufferOffsetAlignment;
    const size = Math.ceil(data.byteLength / 16) * 16;
    if (this.uniformBlock === null || this.uniformUsed + size > UNIFORM_BLOCK) {
      this.uniformBlock = this.device.createBuffer({
        label: 'uniforms', size: UNIFORM_BLOCK, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.owned.push(this.uniformBlock);
      this.uniformUsed = 0;
    }
    const view = { buffer: this.uniformBlock, offset: this.uniformUsed, size, label };
    this.device.queue.writeBuffer(view.buffer, view.offset, data);
    this.uniformUsed = Math.ceil((this.uniformUsed + size) / align) * align;
    return view;
  }

  /** The split-K scratch buffer, created on first use. */
  splitKScratch(): TensorView {
    if (!this.scratch) {
      const size = this.splitKScratchBytes;
      const buffer = this.device.createBuffer({ label: 'split-k scratch', size, usage: GPUBufferUsage.STORAGE });
      this.owned.push(buffer);
      this.scratch = { buffer, offset: 0, size, label: 'split-k scratch' };
    }
    return this.scratch;
  }

  /** Frees the uniform blocks and scratch this context made (pipelines stay cached for the device). */
  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
    this.uniformBlock = null;
    this.scratch = null;
  }

  /** A Dispatch with its bind group; `bindings` in binding order (0, 1, 2, ...). */
  private dispatch(label: string, pipeline: GPUComputePipeline, bindings: readonly TensorView[],
    workgroups: readonly [number, number, number]): Dispatch {
    const max = this.caps.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups.some((w) => w > max)) throw new Error(`${label}: grid ${workgroups.join('x')} exceeds ${max} per dimension`);
    const bindGroup = this.device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((v, binding) => ({ binding, resource: { buffer: v.buffer, offset: v.offset, size: v.size } })),
    });
    return { label, pipeline, bindGroup, workgroups };
  }

  /** A 2-D grid of `groups` workgroups within the per-dimension limit; kernels index with gid.y * nwg.x. */
  grid(groups: number): [number, number, number] {
    const max = this.caps.limits.maxComputeWorkgroupsPerDimension;
    const g = Math.max(1, groups);
    if (g <= max) return [g, 1, 1];
    const y = ceilDiv(g, max);
    return [ceilDiv(g, y), y, 1];
  }
}

/** Replays dispatches into a compute pass. */
export function encodeDispatches(pass: GPUComputePassEncoder, list: readonly Dispatch[]): void {
  for (const d of list) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
}
