// Split-K's second pass: C = beta * C + the sum of the `layers` partial products a split matmul left in
// scratch (each M x N, row-major, alpha already applied), added in layer order so results are deterministic.

struct Params {
  M: u32, N: u32,
  ldc: u32, c_off: u32,
  layers: u32,
  beta: f32,
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<storage, read> scratch: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  let mn = p.M * p.N;
  if (i >= mn) { return; }
  var s = 0.0;
  for (var z = 0u; z < p.layers; z = z + 1u) { s = s + scratch[z * mn + i]; }
  let idx = p.c_off + (i / p.N) * p.ldc + i % p.N;
  if (p.beta == 0.0) { c[idx] = s; } else { c[idx] = s + p.beta * c[idx]; }
}
