// AdamW as PyTorch's torch.optim.AdamW computes it (decoupled weight decay), one invocation per element:
//   p <- p * (1 - lr * wd)
//   m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2       with g = grad * clip_scale
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// clip_scale and the skip flag come from grad_norm.wgsl's finish pass, on the GPU: no read-back per step.
// When the gradient norm is not finite the whole update is skipped, leaving the last good weights.

struct Params { n: u32, weight_decay: f32 }

struct Step {
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  bias_correction1: f32,   // 1 - beta1^t
  bias_correction2: f32,   // 1 - beta2^t
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(2) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;   // [grad norm, clip scale, skip]
@group(0) @binding(5) var<uniform> p: Params;
@group(0) @binding(6) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n || stats[2] != 0.0) { return; }
  let g = grad[i] * stats[1];
  let m = step.beta1 * exp_avg[i] + (1.0 - step.beta1) * g;
  let v = step.beta2 * exp_avg_sq[i] + (1.0 - step.beta2) * g * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  let decayed = param[i] * (1.0 - step.lr * p.weight_decay);
  let denom = sqrt(v) / sqrt(step.bias_correction2) + step.eps;
  param[i] = decayed - (step.lr / step.bias_correction1) * (m / denom);
}
