// The contract checker on a small shader written here: agreement passes, and each kind of disagreement is
// reported with the kernel, the binding and what differs. No GPU: it reads WGSL text.
import { describe, expect, test } from 'vitest';
import { checkContract, contractMismatches, fieldOffset, packUniform, snakeCase, type KernelContract } from '../../../src/engine/kernel-contract';
import { entryBindings, parseWgsl } from '../../../src/engine/wgsl-interface';

const SHADER = `
struct Params {
  n_rows: u32,   // rows
  eps: f32,
}
override WG: u32 = 64;
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;   /* (N, C) */
@group(0) @binding(2) var<uniform> p: Params;

fn scale(i: u32) -> f32 { return x[i] * p.eps; }

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < p.n_rows) { y[gid.x] = scale(gid.x); }
}

@group(0) @binding(0) var<storage, read_write> d_x: array<f32>;
@group(0) @binding(1) var<uniform> pb: Params;

// Its parameter y is not the storage buffer y.
fn halve(y: f32) -> f32 { return y * 0.5; }

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u) {
  let x = pb.eps;
  d_x[gid.x] = halve(x);
}
`;

const PARAMS = [['nRows', 'u32'], ['eps', 'f32']] as const;

const good: KernelContract = {
  shader: 'rmsnorm', entry: 'forward', overrides: ['WG'],
  bindings: [{ name: 'y', access: 'read_write' }, { name: 'x', access: 'read' }, { name: 'params', access: 'uniform', fields: PARAMS }],
};

describe('WGSL interface', () => {
  test('an entry point uses the bindings its body and callees mention, not its locals or parameters', () => {
    const w = parseWgsl(SHADER);
    expect([...w.entryPoints]).toEqual(['forward', 'backward']);
    expect(entryBindings(w, 'forward').map((b) => `${b.binding}:${b.name}:${b.access}`)).toEqual(['0:y:read_write', '1:x:read', '2:p:uniform']);
    expect(entryBindings(w, 'backward').map((b) => `${b.binding}:${b.name}`)).toEqual(['0:d_x', '1:pb']);
    expect(w.structs.get('Params')).toEqual([{ name: 'n_rows', type: 'u32' }, { name: 'eps', type: 'f32' }]);
    expect([...w.overrides]).toEqual(['WG']);
  });
});

describe('contract check', () => {
  test('a shader that agrees with its contract passes', () => {
    expect(contractMismatches(good, SHADER)).toEqual([]);
    expect(contractMismatches({ ...good, entry: 'backward', bindings: [{ name: 'dX', access: 'read_write' }, { name: 'params', access: 'uniform', fields: PARAMS }] }, SHADER)).toEqual([]);
  });

  test('two tensors swapped: names and access both reported', () => {
    const swapped = { ...good, bindings: [good.bindings[1], good.bindings[0], good.bindings[2]] };
    expect(contractMismatches(swapped, SHADER)).toEqual([
      'binding 0 (x): access read in the contract, read_write in the shader',
      'binding 0 (x): WGSL name x in the contract, y in the shader',
      'binding 1 (y): access read_write in the contract, read in the shader',
      'binding 1 (y): WGSL name y in the contract, x in the shader',
    ]);
  });

  test('a missing binding, an extra one, a wrong uniform field and an undeclared override', () => {
    expect(contractMismatches({ ...good, bindings: good.bindings.slice(0, 2) }, SHADER))
      .toEqual(['binding 2 (WGSL p): used by the shader, not in the contract']);
    expect(contractMismatches({ ...good, bindings: [...good.bindings, { name: 'w', access: 'read' }] }, SHADER))
      .toEqual(['binding 3 (w): the shader\'s entry point uses no binding 3']);
    const fields = [['nRows', 'u32'], ['eps', 'u32']] as const;
    expect(contractMismatches({ ...good, bindings: [good.bindings[0], good.bindings[1], { name: 'params', access: 'uniform', fields }] }, SHADER))
      .toEqual(['binding 2 (params) field 1: eps: u32 in the contract, eps: f32 in Params']);
    expect(contractMismatches({ ...good, overrides: ['WG', 'TILE'] }, SHADER)).toEqual(['override TILE: not declared in the shader']);
    expect(contractMismatches({ ...good, entry: 'main' }, SHADER)).toEqual(['no @compute entry point main']);
  });

  test('the thrown error names the kernel', () => {
    expect(() => checkContract({ ...good, bindings: good.bindings.slice(0, 2) }, SHADER)).toThrow(/kernel rmsnorm\.forward does not match its contract:\n {2}binding 2/);
  });

  test('TypeScript names map to WGSL snake_case, all-capitals names as they are', () => {
    expect(['dX', 'nKvHeads', 'biasCorrection1', 'M', 'K', 'x'].map(snakeCase)).toEqual(['d_x', 'n_kv_heads', 'bias_correction1', 'M', 'K', 'x']);
  });

  test('uniform values are packed by field name in struct order', () => {
    const bytes = new DataView(packUniform(PARAMS, { eps: 0.5, nRows: 7 }));
    expect([bytes.getUint32(0, true), bytes.getFloat32(4, true), bytes.byteLength]).toEqual([7, 0.5, 16]);
    expect(fieldOffset(PARAMS, 'eps')).toBe(4);
    expect(() => packUniform(PARAMS, { nRows: 1 })).toThrow(/eps/);
  });
});
