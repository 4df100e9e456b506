// Allocating a planned table of tensors. Each tensor gets a GPU buffer of its own: WebGPU validates usage
// per buffer, not per range, so a kernel may not bind one buffer both read-only and writable, and carving
// activations out of one large buffer would force every binding to be read_write (losing the read-only
// hint drivers use for faster loads). The table is still the plan: sizes, names and the memory estimate
// all come from it.
import { entryBytes, type TensorEntry } from '../model/memory';
import type { TensorView } from './kernel-context';

export interface TensorTable {
  readonly views: ReadonlyMap<string, TensorView>;
  readonly buffers: readonly GPUBuffer[];
  readonly bytes: number;
  get(name: string): TensorView;
}

export function allocateTable(device: GPUDevice, label: string, entries: readonly TensorEntry[],
  opts: { maxBindingBytes: number; usage?: number }): TensorTable {
  const usage = opts.usage ?? (GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
  const views = new Map<string, TensorView>();
  const buffers: GPUBuffer[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = Math.max(4, entryBytes(e));
    if (size > opts.maxBindingBytes) {
      throw new Error(`${label}: ${e.name} is ${size} bytes, larger than one storage binding (${opts.maxBindingBytes})`);
    }
    // Sizes rounded up to 16 bytes: vec4 views of the tensor stay in bounds.
    const buffer = device.createBuffer({ label: `${label}:${e.name}`, size: Math.ceil(size / 16) * 16, usage });
    buffers.push(buffer);
    views.set(e.name, { buffer, offset: 0, size, label: e.name, ...(e.f16 ? { dtype: 'f16' as const } : {}) });
    bytes += size;
  }
  return {
    views, buffers, bytes,
    get(name: string): TensorView {
      const v = views.get(name);
      if (!v) throw new Error(`${label}: no tensor named ${name}`);
      return v;
    },
  };
}
