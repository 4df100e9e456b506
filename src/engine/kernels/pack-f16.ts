// Binding for shaders/pack_f16.wgsl: a flat f32 range stored as packed halves (two per 32-bit word) and back,
// for the saved activations of EngineOptions.f16Activations. Bit-exact round to nearest even on every adapter.
import { ceilDiv, type Dispatch, type KernelContext } from '../kernel-context';
import type { KernelContract, TensorArgs } from '../kernel-contract';

const WG = 256;

const count = { name: 'params', access: 'uniform', fields: [['n', 'u32']] } as const;

export const PACK_F16 = {
  shader: 'packF16', entry: 'pack', overrides: ['WG'],
  bindings: [{ name: 'f16', access: 'read_write', wgsl: 'f16_out' }, { name: 'f32', access: 'read', wgsl: 'f32_in' }, count],
} as const satisfies KernelContract;

export const UNPACK_F16 = {
  shader: 'packF16', entry: 'unpack', overrides: ['WG'],
  bindings: [{ name: 'f32', access: 'read_write', wgsl: 'f32_out' }, { name: 'f16', access: 'read', wgsl: 'f16_in' }, count],
} as const satisfies KernelContract;

export const PACK_F16_CONTRACTS: readonly KernelContract[] = [PACK_F16, UNPACK_F16];

/** Bytes n values take packed: whole 32-bit words of two halves (memory.ts entryBytes for an f16 entry). */
export const packedBytes = (n: number): number => Math.ceil(n / 2) * 4;

function check(label: string, t: TensorArgs<typeof PACK_F16>, n: number): void {
  if (t.f32.size < n * 4 || t.f16.size < packedBytes(n)) {
    throw new Error(`${label}: ${n} values need ${n * 4} bytes of f32 and ${packedBytes(n)} of halves, got ${t.f32.size} and ${t.f16.size}`);
  }
}

/** f16 (ceil(n/2) words) = the n values of f32 (n) rounded to binary16, two per word. */
export function packF16(ctx: KernelContext, label: string, t: TensorArgs<typeof PACK_F16>, n: number): Dispatch {
  check(label, t, n);
  return ctx.launch(PACK_F16, label, { ...t, params: { n } }, ctx.grid(ceilDiv(ceilDiv(n, 2), WG)), { WG });
}

/** f32 (n) = the n halves of f16 (ceil(n/2) words), exactly. */
export function unpackF16(ctx: KernelContext, label: string, t: TensorArgs<typeof UNPACK_F16>, n: number): Dispatch {
  check(label, t, n);
  return ctx.launch(UNPACK_F16, label, { ...t, params: { n } }, ctx.grid(ceilDiv(n, WG)), { WG });
}
