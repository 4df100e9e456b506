// The model's parameters on the GPU (and, when training, their gradients and AdamW moments), laid out from
// the table of parameter pieces: the same names and [out, in] layouts as Hugging Face's Mistral. A LoRA
// engine has two stores: the frozen base (parameters only) and the adapter (specs of its own, trained).
// A frozen store may keep its linear layers' weights as f16 (`f16Linear`): written rounded to nearest even,
// read by the matmul as its B operand and widened to f32 there; norms and the embedding stay f32.
import { float32ToFloat16Bits } from '../export/float-encode';
import { float16ToFloat32 } from '../train/checkpoint/float-formats';
import type { ModelConfig } from '../model/config';
import { gradEntryName, gradientEntries, specPieces, type ParamPiece } from '../model/memory';
import { paramLayer, paramSpecs, numel, type ParamSpec } from '../model/params';
import { allocateTable, type TensorTable } from './buffers';
import type { KernelContext, TensorView } from './kernel-context';
import type { TablePiece } from './kernels/embedding';

/** The smallest magnitude float32ToFloat16Bits rounds to infinity (65504 + half of f16's last step there). */
const F16_OVERFLOW = 65520;

/** What a packed table starts a new buffer at, updating layer by layer: each layer ('0', '1', ...; '*' the
 *  gradient scratch) apart from the rest. */
const layerKey = (name: string): string => /^model\.layers\.([^.]+)\./.exec(name)?.[1] ?? 'rest';

export type ParamTableName = 'params' | 'grads' | 'exp_avg' | 'exp_avg_sq';

export class ParamStore {
  readonly specs: readonly ParamSpec[];
  readonly pieces: readonly ParamPiece[];
  private readonly tables = new Map<ParamTableName, TensorTable>();
  private readonly bySpec = new Map<string, ParamSpec>();

  /** The linear layers' weights are stored as f16 (frozen stores only). */
  readonly f16Linear: boolean;
  /** Gradients for one layer at a time (the scratch every layer's backward writes), updating layer by layer. */
  readonly layerGrads: boolean;

  constructor(readonly ctx: KernelContext, readonly config: ModelConfig, readonly training: boolean, maxBindingBytes: number,
    specs: readonly ParamSpec[] = paramSpecs(config), label = '', opts: { f16Linear?: boolean; packBytes?: number; layerGrads?: boolean } = {}) {
    this.specs = specs;
    for (const s of this.specs) this.bySpec.set(s.name, s);
    this.pieces = specPieces(specs, maxBindingBytes);
    this.f16Linear = opts.f16Linear === true;
    // Gradients and moments of a half-precision weight would need f32 master weights: trained stores stay f32.
    if (this.f16Linear && training) throw new Error('f16 weights are for a frozen store (a LoRA base), not a trained one');
    const names: ParamTableName[] = training ? ['params', 'grads', 'exp_avg', 'exp_avg_sq'] : ['params'];
    const entries = this.pieces.map((p) => (this.isF16(p.param) ? { ...p, f16: true } : p));
    // A trained store packs each table (buffers.ts) into buffers of at most packBytes when asked, so that the
    // multi-tensor optimizer reaches a whole parameter group through one binding; the four tables pack alike.
    // With `layerGrads` (the update applied layer by layer), every layer starts a buffer of its own in each table,
    // and the gradients table holds one layer's, a scratch laid out as each layer is in the other tables (same
    // pieces, same offsets from 0), so a layer's optimizer group reads its gradients from the scratch.
    const layerGrads = opts.layerGrads === true && training;
    this.layerGrads = layerGrads;
    const pack = opts.packBytes !== undefined && training
      ? { align: ctx.caps.limits.minStorageBufferOffsetAlignment, bytes: opts.packBytes,
        ...(layerGrads ? { key: layerKey } : {}) } : undefined;
    for (const t of names) {
      const table = allocateTable(ctx.device, `${label}${t}`, t === 'grads' ? gradientEntries(entries, layerGrads) : entries, { maxBindingBytes, pack });
      this.tables.set(t, t === 'grads' && layerGrads ? { ...table, get: (name: string) => table.get(gradEntryName(name)) } : table);
    }
  }

  /** The buffers of the layers' gradient scratch (cleared before each layer's backward); empty without layerGrads. */
  layerGradBuffers(): GPUBuffer[] {
    if (!this.layerGrads) return [];
    const grads = this.table('grads');
    return [...new Set(this.pieces.filter((p) => paramLayer(p.param) === 0).map((p) => grads.get(p.name).buffer))];
  }

  private isF16(param: string): boolean {
    return this.f16Linear && this.spec(param).kind === 'linear';
  }

  table(t: ParamTableName): TensorTable {
    const table = this.tables.get(t);
    if (!table) throw new Error(`${t} exist only in a training engine`);
    return table;
  }

  spec(name: string): ParamSpec {
    const s = this.bySpec.get(name);
    if (!s) throw new Error(`no parameter named ${name}`);
    return s;
  }

  /** The row pieces of a parameter in one of the tables. */
  piecesOf(name: string, t: ParamTableName = 'params'): TablePiece[] {
    const table = this.table(t);
    return this.pieces.filter((p) => p.param === name).map((p) => ({ view: table.get(p.name), rowBegin: p.rowBegin, rowEnd: p.rowEnd }));
  }

  /** The whole parameter as one view; only for parameters that were not split. */
  view(name: string, t: ParamTableName = 'params'): TensorView {
    const pieces = this.piecesOf(name, t);
    if (pieces.length !== 1) throw new Error(`${name} is split into ${pieces.length} pieces`);
    return pieces[0].view;
  }

  /** Writes a whole parameter (row-major, HF layout), piece by piece. */
  write(name: string, data: Float32Array, t: ParamTableName = 'params'): void {
    const spec = this.spec(name);
    if (data.length !== numel(spec.shape)) {
      throw new Error(`${name}: got ${data.length} values, the shape [${spec.shape.join(', ')}] needs ${numel(spec.shape)}`);
    }
    const rowElems = data.length / spec.shape[0];
    for (const p of this.piecesOf(name, t)) {
      const part = data.subarray(p.rowBegin * rowElems, p.rowEnd * rowElems);
      if (p.view.dtype === 'f16') {
        const halves = new Uint16Array(Math.ceil(part.length / 2) * 2);   // whole 32-bit words
        for (let i = 0; i < part.length; i++) {
          // From 65520 up a value rounds to f16's infinity: the base would not be the model it was given.
          if (Math.abs(part[i]) >= F16_OVERFLOW) {
            throw new Error(`${name}: value ${part[i]} at index ${p.rowBegin * rowElems + i} is beyond f16's range (±65504), ` +
              'so this base cannot be stored as f16; keep it in f32 (--f32-base, or untick "Store the frozen base as f16")');
          }
          halves[i] = float32ToFloat16Bits(part[i]);
        }
        this.ctx.device.queue.writeBuffer(p.view.buffer, p.view.offset, halves);
      } else {
        this.ctx.device.queue.writeBuffer(p.view.buffer, p.view.offset, part.buffer, part.byteOffset, part.byteLength);
      }
    }
  }

  /** Reads a whole parameter back (slow: for checkpoints and tests, not the training loop). */
  async read(name: string, t: ParamTableName = 'params'): Promise<Float32Array> {
    const spec = this.spec(name);
    const out = new Float32Array(numel(spec.shape));
    const rowElems = out.length / spec.shape[0];
    for (const p of this.piecesOf(name, t)) {
      const raw = await readView(this.ctx.device, p.view);
      const n = (p.rowEnd - p.rowBegin) * rowElems;
      out.set(p.view.dtype === 'f16' ? float16ToFloat32(new Uint16Array(raw.buffer, 0, n)) : raw, p.rowBegin * rowElems);
    }
    return out;
  }

  /** Zeroes a whole table (used for fresh AdamW moments). */
  clear(t: ParamTableName): void {
    const enc = this.ctx.device.createCommandEncoder({ label: `clear ${t}` });
    for (const b of this.table(t).buffers) enc.clearBuffer(b);
    this.ctx.device.queue.submit([enc.finish()]);
  }

  destroy(): void {
    for (const t of this.tables.values()) for (const b of t.buffers) b.destroy();
  }
}

/** Copies a view into a fresh mappable buffer and reads it: for occasional reads only (it creates a buffer). */
export async function readView(device: GPUDevice, v: TensorView): Promise<Float32Array> {
  const staging = device.createBuffer({ label: `read ${v.label}`, size: v.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: `read ${v.label}` });
  enc.copyBufferToBuffer(v.buffer, v.offset, staging, 0, v.size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}
