// AdamW over one tensor, one invocation per element: lib/adamw_update.wgsl's update (PyTorch's decoupled
// weight decay) with g = grad * clip_scale. clip_scale and the skip flag come from grad_norm.wgsl's finish
// pass, on the GPU: no read-back per step. When the gradient norm is not finite the whole update is skipped,
// leaving the last good weights.

struct Params { n: u32, weight_decay: f32 }

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
  adamw_update(i, grad[i] * stats[1], p.weight_decay);
}
