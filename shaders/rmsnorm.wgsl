// RMSNorm: y = x * rstd * w, rstd = 1 / sqrt(mean(x^2) + eps), one workgroup per row.
// backward_input : d_x (+)= rstd * (w * dy) - x * rstd^3 / C * sum_j(w_j dy_j x_j)
//                  (accumulates into the residual-stream gradient when p.accumulate == 1)
// backward_weight: d_w[c] += sum_n dy[n, c] * x[n, c] * rstd[n], one invocation per column
// Two layouts of the same maths: `forward` / `backward_input` give each row a workgroup and reduce across it
// (what a GPU wants for wide rows); `forward_rows` / `backward_input_rows` give each row one invocation and
// no barriers (what a CPU-emulated adapter such as SwiftShader wants, where barriers switch fibers).
// Needs a reduction library (workgroupSum) prefixed; see shaders/lib/.

struct Params {
  n_rows: u32,
  dim: u32,
  eps: f32,
  accumulate: u32,
}

override WG: u32 = 256;

// ---- forward: outputs, inputs, weights, uniforms
@group(0) @binding(0) var<storage, read_write> y: array<f32>;     // (N, C)
@group(0) @binding(1) var<storage, read_write> rstd: array<f32>;  // (N) saved for the backward
@group(0) @binding(2) var<storage, read> x: array<f32>;          // (N, C)
@group(0) @binding(3) var<storage, read> w: array<f32>;          // (C)
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, lane: Lane) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.n_rows) { return; }
  let base = row * p.dim;
  var ss = 0.0;
  for (var c = lane.lid; c < p.dim; c = c + WG) { let v = x[base + c]; ss = ss + v * v; }
  let total = workgroupSum(ss, lane);
  let r = 1.0 / sqrt(total / f32(p.dim) + p.eps);
  for (var c = lane.lid; c < p.dim; c = c + WG) { y[base + c] = x[base + c] * r * w[c]; }
  if (lane.lid == 0u) { rstd[row] = r; }
}

@compute @workgroup_size(WG)
fn forward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.n_rows) { return; }
  let base = row * p.dim;
  var ss = 0.0;
  for (var c = 0u; c < p.dim; c = c + 1u) { let v = x[base + c]; ss = ss + v * v; }
  let r = 1.0 / sqrt(ss / f32(p.dim) + p.eps);
  for (var c = 0u; c < p.dim; c = c + 1u) { y[base + c] = x[base + c] * r * w[c]; }
  rstd[row] = r;
}

// ---- backward_input: outputs, inputs (dy), saved (x, rstd), weights, uniforms
@group(0) @binding(0) var<storage, read_write> d_x: array<f32>;   // (N, C)
@group(0) @binding(1) var<storage, read> d_y: array<f32>;        // (N, C)
@group(0) @binding(2) var<storage, read> x_saved: array<f32>;    // (N, C)
@group(0) @binding(3) var<storage, read> rstd_saved: array<f32>; // (N)
@group(0) @binding(4) var<storage, read> w_in: array<f32>;       // (C)
@group(0) @binding(5) var<uniform> pb: Params;

@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, lane: Lane) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= pb.n_rows) { return; }
  let base = row * pb.dim;
  let r = rstd_saved[row];
  var dot = 0.0;
  for (var c = lane.lid; c < pb.dim; c = c + WG) { dot = dot + w_in[c] * d_y[base + c] * x_saved[base + c]; }
  let total = workgroupSum(dot, lane);
  let k = r * r * r * total / f32(pb.dim);
  for (var c = lane.lid; c < pb.dim; c = c + WG) {
    let g = r * w_in[c] * d_y[base + c] - x_saved[base + c] * k;
    if (pb.accumulate == 1u) { d_x[base + c] = d_x[base + c] + g; } else { d_x[base + c] = g; }
  }
}

@compute @workgroup_size(WG)
fn backward_input_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= pb.n_rows) { return; }
  let base = row * pb.dim;
  let r = rstd_saved[row];
  var dot = 0.0;
  for (var c = 0u; c < pb.dim; c = c + 1u) { dot = dot + w_in[c] * d_y[base + c] * x_saved[base + c]; }
  let k = r * r * r * dot / f32(pb.dim);
  for (var c = 0u; c < pb.dim; c = c + 1u) {
    let g = r * w_in[c] * d_y[base + c] - x_saved[base + c] * k;
    if (pb.accumulate == 1u) { d_x[base + c] = d_x[base + c] + g; } else { d_x[base + c] = g; }
  }
}

// ---- backward_weight: outputs, inputs (dy), saved (x, rstd), uniforms
@group(0) @binding(0) var<storage, read_write> d_w: array<f32>;    // (C)
@group(0) @binding(1) var<storage, read> d_y_w: array<f32>;       // (N, C)
@group(0) @binding(2) var<storage, read> x_w: array<f32>;         // (N, C)
@group(0) @binding(3) var<storage, read> rstd_w: array<f32>;      // (N)
@group(0) @binding(4) var<uniform> pw: Params;

@compute @workgroup_size(WG)
fn backward_weight(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= pw.dim) { return; }
  var acc = 0.0;
  for (var n = 0u; n < pw.n_rows; n = n + 1u) {
    acc = acc + d_y_w[n * pw.dim + c] * x_w[n * pw.dim + c] * rstd_w[n];
  }
  d_w[c] = d_w[c] + acc;
}
