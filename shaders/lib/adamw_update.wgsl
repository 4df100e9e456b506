// One element's AdamW update as PyTorch's torch.optim.AdamW computes it (decoupled weight decay):
//   p <- p * (1 - lr * wd)
//   m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2       (g already scaled by the clip scale)
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The one expression adamw.wgsl (a dispatch per tensor) and adamw_multi.wgsl (a dispatch per parameter
// group) both apply, so the two write the same bits. It updates the kernel's `param`, `exp_avg` and
// `exp_avg_sq` at i and reads its `step` uniform (module-scope names, declared by the kernel).
// Prefixed to adamw.wgsl and adamw_multi.wgsl (shaders.ts).

struct Step {
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  bias_correction1: f32,   // 1 - beta1^t
  bias_correction2: f32,   // 1 - beta2^t
}

fn adamw_update(i: u32, g: f32, weight_decay: f32) {
  let m = step.beta1 * exp_avg[i] + (1.0 - step.beta1) * g;
  let v = step.beta2 * exp_avg_sq[i] + (1.0 - step.beta2) * g * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  let decayed = param[i] * (1.0 - step.lr * weight_decay);
  let denom = sqrt(v) / sqrt(step.bias_correction2) + step.eps;
  param[i] = decayed - (step.lr / step.bias_correction1) * (m / denom);
}
