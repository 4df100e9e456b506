// SwiGLU gate: a = silu(g) * u, silu(g) = g * sigmoid(g).
// backward: dg = da * u * sigmoid(g) * (1 + g * (1 - sigmoid(g))),  du = da * silu(g)
// sigmoid and swiglu_act come from lib/swiglu_act.wgsl, which the matmuls' SwiGLU operand shares (the fused
// graph computes act inside the down projection instead of writing it here).

struct Params { n: u32 }

override WG: u32 = 256;

// ---- forward: outputs, inputs, uniforms
@group(0) @binding(0) var<storage, read_write> act: array<f32>;  // (N, F)
@group(0) @binding(1) var<storage, read> gate: array<f32>;      // (N, F)
@group(0) @binding(2) var<storage, read> up: array<f32>;        // (N, F)
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  act[i] = swiglu_act(gate[i], up[i]);
}

// ---- backward: outputs (d_gate, d_up), inputs (d_act), saved (gate, up), uniforms
@group(0) @binding(0) var<storage, read_write> d_gate: array<f32>;
@group(0) @binding(1) var<storage, read_write> d_up: array<f32>;
@group(0) @binding(2) var<storage, read> d_act: array<f32>;
@group(0) @binding(3) var<storage, read> gate_s: array<f32>;
@group(0) @binding(4) var<storage, read> up_s: array<f32>;
@group(0) @binding(5) var<uniform> pb: Params;

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= pb.n) { return; }
  let g = gate_s[i];
  let sg = sigmoid(g);
  let da = d_act[i];
  d_gate[i] = da * up_s[i] * sg * (1.0 + g * (1.0 - sg));
  d_up[i] = da * g * sg;
}
