// Allocating a planned table of tensors. Each tensor gets a GPU buffer of its own: WebGPU validates usage
// per buffer, not per range, so a kernel may not bind one buffer both read-only and writable, and carving
// activations out of one large buffer would force every binding to be read_write (losing the read-only
// hint drivers use for faster loads). The table is still the plan: sizes, names and the memory estimate
// all come from it.
// A table whose tensors one kernel must reach together (a store's parameters, gradients or moments, for the
// multi-tensor optimizer) is packed instead: its tensors laid end to end at offsets aligned to `pack` (the
// adapter's minStorageBufferOffsetAlignment), a new buffer whenever the next would pass `pack.bytes` (at most
// one binding; the tensors themselves may be smaller pieces, bounded by maxBindingBytes). Such a
// table is only ever bound one way per dispatch (read, or written), so packing loses no read-only hint.
import { entryBytes, type TensorEntry } from '../model/memory';
import type { TensorView } from './kernel-context';

export interface TensorTable {
  readonly views: ReadonlyMap<string, TensorView>;
  readonly buffers: readonly GPUBuffer[];
  readonly bytes: number;
  get(name: string): TensorView;
}

export function allocateTable(device: GPUDevice, label: string, entries: readonly TensorEntry[],
  opts: { maxBindingBytes: number; usage?: number; pack?: { align: number; bytes: number; key?: (name: string) => string } }): TensorTable {
  const usage = opts.usage ?? (GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
  const views = new Map<string, TensorView>();
  const buffers: GPUBuffer[] = [];
  let bytes = 0;
  if (opts.pack !== undefined) return packTable(device, label, entries, opts.maxBindingBytes, usage, opts.pack.align, opts.pack.bytes, opts.pack.key);
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
  return tableOf(label, views, buffers, bytes);
}

function tableOf(label: string, views: ReadonlyMap<string, TensorView>, buffers: readonly GPUBuffer[], bytes: number): TensorTable {
  return {
    views, buffers, bytes,
    get(name: string): TensorView {
      const v = views.get(name);
      if (!v) throw new Error(`${label}: no tensor named ${name}`);
      return v;
    },
  };
}

/** The packed layout: entries in order, each at an offset aligned to `align`, buffers of at most `groupBytes`,
 *  and a new buffer wherever `key` of the entry's name changes (a layer starts: updating layer by layer).
 *  `bytes` counts the tensors (the plan), not the alignment padding between them (under `align` each). */
function packTable(device: GPUDevice, label: string, entries: readonly TensorEntry[], maxBindingBytes: number, usage: number,
  align: number, groupBytes: number, key?: (name: string) => string): TensorTable {
  const groups: { entry: TensorEntry; offset: number; size: number }[][] = [];
  let cur: { entry: TensorEntry; offset: number; size: number }[] = [], end = 0, bytes = 0;
  for (const entry of entries) {
    const size = Math.max(4, entryBytes(entry));
    if (size > maxBindingBytes) throw new Error(`${label}: ${entry.name} is ${size} bytes, larger than one storage binding (${maxBindingBytes})`);
    let offset = Math.ceil(end / align) * align;
    const keyChanged = key !== undefined && cur.length > 0 && key(cur[cur.length - 1].entry.name) !== key(entry.name);
    if (cur.length > 0 && (offset + size > groupBytes || keyChanged)) { groups.push(cur); cur = []; offset = 0; }
    cur.push({ entry, offset, size });
    end = offset + size;
    bytes += size;
  }
  if (cur.length > 0) groups.push(cur);
  const views = new Map<string, TensorView>();
  const buffers = groups.map((g, i) => {
    const last = g[g.length - 1];
    const buffer = device.createBuffer({ label: `${label}:group ${i}`, size: Math.ceil((last.offset + last.size) / 16) * 16, usage });
    for (const { entry, offset, size } of g) {
      views.set(entry.name, { buffer, offset, size, label: entry.name, ...(entry.f16 ? { dtype: 'f16' as const } : {}) });
    }
    return buffer;
  });
  return tableOf(label, views, buffers, bytes);
}
