// Residual add fused with the RMSNorm that reads its sum (the block's attn_residual + mlp_norm, and its
// mlp_residual + the next block's attn_norm or the final norm):
//   s = a + b,  y = s * rstd * w,  rstd = 1 / sqrt(mean(s^2) + eps)     (s and rstd saved for the backward)
// One pass over the row instead of two dispatches: the add's output is written and summed in the same loop.
// Every value is computed as rmsnorm.wgsl computes it after add.wgsl (the same f32 add, the same reduction
// order in each layout), so the fused graph's results are bit-identical to the unfused one's.
// The backward needs no kernel of its own: the add's gradient is the identity into both branches, which
// rmsnorm.wgsl's backward_input gets by accumulating into the residual-stream gradient (see graph.ts).
// Two layouts as in rmsnorm.wgsl: `forward` a workgroup per row (GPUs), `forward_rows` an invocation per row
// with no barriers (CPU-emulated adapters). Needs a reduction library (workgroupSum) prefixed; see shaders/lib/.

struct Params {
  n_rows: u32,
  dim: u32,
  eps: f32,
}

override WG: u32 = 256;

// outputs, inputs, weights, uniforms
@group(0) @binding(0) var<storage, read_write> s: array<f32>;     // (N, C) the residual stream a + b
@group(0) @binding(1) var<storage, read_write> y: array<f32>;     // (N, C) normalised
@group(0) @binding(2) var<storage, read_write> rstd: array<f32>;  // (N) saved for the backward
@group(0) @binding(3) var<storage, read> a: array<f32>;          // (N, C) residual stream in
@group(0) @binding(4) var<storage, read> b: array<f32>;          // (N, C) branch output (a projection)
@group(0) @binding(5) var<storage, read> w: array<f32>;          // (C) norm weight
@group(0) @binding(6) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, lane: Lane) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.n_rows) { return; }
  let base = row * p.dim;
  var ss = 0.0;
  for (var c = lane.lid; c < p.dim; c = c + WG) { let v = a[base + c] + b[base + c]; s[base + c] = v; ss = ss + v * v; }
  let total = workgroupSum(ss, lane);
  let r = 1.0 / sqrt(total / f32(p.dim) + p.eps);
  // Each lane reads back only what it wrote itself: no barrier needed between the loops.
  for (var c = lane.lid; c < p.dim; c = c + WG) { y[base + c] = s[base + c] * r * w[c]; }
  if (lane.lid == 0u) { rstd[row] = r; }
}

@compute @workgroup_size(WG)
fn forward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.n_rows) { return; }
  let base = row * p.dim;
  var ss = 0.0;
  for (var c = 0u; c < p.dim; c = c + 1u) { let v = a[base + c] + b[base + c]; s[base + c] = v; ss = ss + v * v; }
  let r = 1.0 / sqrt(ss / f32(p.dim) + p.eps);
  for (var c = 0u; c < p.dim; c = c + 1u) { y[base + c] = s[base + c] * r * w[c]; }
  rstd[row] = r;
}
