// A kernel's interface, written once beside its binding: the entry point's bindings in @binding order (the
// TypeScript name of each, and whether the shader reads it, writes it or takes it as a uniform block), the
// fields of each uniform block in struct order, and the override constants its dispatcher feeds. The
// KernelContext checks a contract against the WGSL text before it builds the pipeline, and launches take
// their tensors as an object keyed by these names, so binding order lives in one place on each side.
import type { ShaderName } from './shaders';
import type { TensorView } from './kernel-context';
import { entryBindings, parseWgsl } from './wgsl-interface';

export type ScalarType = 'u32' | 'f32' | 'i32';

/** A uniform struct field: [TypeScript name, WGSL type]. */
export type FieldSpec = readonly [name: string, type: ScalarType];

export interface StorageBinding {
  /** The argument's name; the WGSL variable is its snakeCase (dX -> d_x) unless `wgsl` says otherwise. */
  readonly name: string;
  readonly access: 'read' | 'read_write';
  /** The WGSL name where the module needs another (two entry points of one file cannot both declare `x`). */
  readonly wgsl?: string;
}

export interface UniformBinding {
  readonly name: string;
  readonly access: 'uniform';
  /** The struct's fields in order, names as snake_case of these (all 4-byte scalars: see packUniform). */
  readonly fields: readonly FieldSpec[];
}

export type BindingSpec = StorageBinding | UniformBinding;

export interface KernelContract {
  readonly shader: ShaderName;
  readonly entry: string;
  readonly bindings: readonly BindingSpec[];
  /** Override constants the dispatching TypeScript must supply (tile and workgroup sizes). */
  readonly overrides: readonly string[];
  /** The text variant these bindings describe, where it changes them (ShaderVariant.swiglu: a matmul operand
   *  read from gate and up; ShaderVariant.rope: the q / k projections' RoPE epilogue), applied to every launch
   *  through this contract. */
  readonly variant?: { readonly swiglu?: 'a' | 'b'; readonly rope?: boolean };
}

/** Values for a uniform block, by field name. */
export type UniformValues<B extends UniformBinding> = { readonly [F in B['fields'][number] as F[0]]: number };

/**
 * A launch's arguments: a TensorView for each storage binding and, for each uniform block, either its field
 * values (packed into a fresh uniform slot) or a view of a block written elsewhere (a per-step uniform).
 */
export type KernelArgs<C extends KernelContract> = {
  readonly [B in C['bindings'][number] as B['name']]: B extends UniformBinding ? UniformValues<B> | TensorView : TensorView;
};

/** Just the storage bindings of a launch: what a kernel's public function takes as its tensors. */
export type TensorArgs<C extends KernelContract> = {
  readonly [B in C['bindings'][number] as B extends UniformBinding ? never : B['name']]: TensorView;
};

/** dX -> d_x, nRows -> n_rows; an all-capitals name (the matmuls' M, N, K) is the WGSL name as it is. */
export const snakeCase = (name: string): string =>
  (/^[A-Z][A-Z0-9_]*$/.test(name) ? name : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

export const contractLabel = (c: KernelContract): string => `${c.shader}.${c.entry}`;

/** Packs a uniform block's values in field order, padded to 16 bytes. */
export function packUniform(fields: readonly FieldSpec[], values: Readonly<Record<string, number>>): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil(fields.length / 4) * 16));
  const dv = new DataView(buf);
  fields.forEach(([name, type], i) => {
    const v = values[name];
    if (typeof v !== 'number') throw new Error(`uniform field ${name} has no value`);
    if (type === 'f32') dv.setFloat32(i * 4, v, true);
    else if (type === 'i32') dv.setInt32(i * 4, v, true);
    else dv.setUint32(i * 4, v, true);
  });
  return buf;
}

/** Byte offset of a field in its block (for rewriting one value in place). */
export function fieldOffset(fields: readonly FieldSpec[], name: string): number {
  const i = fields.findIndex(([n]) => n === name);
  if (i < 0) throw new Error(`no uniform field ${name}`);
  return i * 4;
}

/** The uniform binding `name` of a contract (for packing or offsets outside a launch). */
export function uniformOf(c: KernelContract, name: string): UniformBinding {
  const b = c.bindings.find((x) => x.name === name);
  if (!b || b.access !== 'uniform') throw new Error(`${contractLabel(c)} has no uniform binding ${name}`);
  return b;
}

/**
 * Every way `source` (the assembled shader module) disagrees with the contract: a binding missing, extra,
 * out of place or of the wrong access, a uniform field renamed, retyped or out of order, an override
 * constant not declared. Empty when they agree.
 */
export function contractMismatches(c: KernelContract, source: string): string[] {
  const wgsl = parseWgsl(source);
  if (!wgsl.entryPoints.has(c.entry)) return [`no @compute entry point ${c.entry}`];
  const out: string[] = [];
  const used = entryBindings(wgsl, c.entry);
  const n = Math.max(used.length, c.bindings.length);
  for (let i = 0; i < n; i++) {
    const want = c.bindings[i], got = used[i];
    if (!got) { out.push(`binding ${i} (${want.name}): the shader's entry point uses no binding ${i}`); continue; }
    if (!want) { out.push(`binding ${got.binding} (WGSL ${got.name}): used by the shader, not in the contract`); continue; }
    if (got.binding !== i) { out.push(`binding ${i} (${want.name}): the shader's next binding is ${got.binding} (${got.name})`); continue; }
    if (got.access !== want.access) out.push(`binding ${i} (${want.name}): access ${want.access} in the contract, ${got.access} in the shader`);
    if (want.access === 'uniform') {
      const fields = wgsl.structs.get(got.type);
      if (!fields) { out.push(`binding ${i} (${want.name}): no struct ${got.type} in the shader`); continue; }
      const m = Math.max(fields.length, want.fields.length);
      for (let f = 0; f < m; f++) {
        const wf = want.fields[f], gf = fields[f];
        const wName = wf && snakeCase(wf[0]);
        if (!wf || !gf || wName !== gf.name || wf[1] !== gf.type) {
          out.push(`binding ${i} (${want.name}) field ${f}: ${wf ? `${wName}: ${wf[1]}` : 'nothing'} in the contract, ${gf ? `${gf.name}: ${gf.type}` : 'nothing'} in ${got.type}`);
        }
      }
    } else {
      const wName = want.wgsl ?? snakeCase(want.name);
      if (got.name !== wName) out.push(`binding ${i} (${want.name}): WGSL name ${wName} in the contract, ${got.name} in the shader`);
    }
  }
  for (const o of c.overrides) if (!wgsl.overrides.has(o)) out.push(`override ${o}: not declared in the shader`);
  return out;
}

/** Throws, naming the kernel and every mismatch, when the shader and its contract disagree. */
export function checkContract(c: KernelContract, source: string): void {
  const bad = contractMismatches(c, source);
  if (bad.length > 0) throw new Error(`kernel ${contractLabel(c)} does not match its contract:\n  ${bad.join('\n  ')}`);
}
