// AdamW over every tensor of a parameter group in one dispatch (the group's parameters, moments and
// gradients each packed into one buffer by ParamStore, at the same offsets). Per element it is adamw.wgsl to
// the operation (decoupled weight decay, bias correction, the clip scale and skip flag from grad_norm's
// finish), so the weights it writes are the same bits:
//   p <- p * (1 - lr * wd)
//   m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2       with g = grad * clip_scale
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// Each tensor gets ceil(n / WG) consecutive workgroups starting at its `first_wg`; a workgroup finds its
// tensor in `owner` (one u32 per workgroup: a single load, where a binary search over the tensor table in
// every invocation made the update half again slower than one dispatch per tensor on SwiftShader).

struct Tensor {
  offset: u32,        // first element in the group buffers
  n: u32,             // elements
  first_wg: u32,      // its first workgroup
  weight_decay: f32,  // 0 for norm weights
}

struct Params { n_workgroups: u32 }

struct Step {
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  bias_correction1: f32,   // 1 - beta1^t
  bias_correction2: f32,   // 1 - beta2^t
}

override WG: u32 = 256;

// outputs, inputs, the tensor table, uniforms
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(2) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;      // [grad norm, clip scale, skip]
@group(0) @binding(5) var<storage, read> tensors: array<Tensor>; // (n_tensors)
@group(0) @binding(6) var<storage, read> owner: array<u32>;      // (workgroups) the tensor of each workgroup
@group(0) @binding(7) var<uniform> p: Params;
@group(0) @binding(8) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let wg = wid.x + wid.y * nwg.x;
  if (wg >= p.n_workgroups) { return; }   // the grid's padding past the last tensor
  let t = tensors[owner[wg]];
  let local = (wg - t.first_wg) * WG + lid;
  if (local >= t.n || stats[2] != 0.0) { return; }
  let i = t.offset + local;
  let g = grad[i] * stats[1];
  let m = step.beta1 * exp_avg[i] + (1.0 - step.beta1) * g;
  let v = step.beta2 * exp_avg_sq[i] + (1.0 - step.beta2) * g * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  let decayed = param[i] * (1.0 - step.lr * t.weight_decay);
  let denom = sqrt(v) / sqrt(step.bias_correction2) + step.eps;
  param[i] = decayed - (step.lr / step.bias_correction1) * (m / denom);
}
