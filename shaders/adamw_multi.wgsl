// AdamW over every tensor of a parameter group in one dispatch (the group's parameters, moments and
// gradients each packed into one buffer by ParamStore, at the same offsets). Per element it is adamw.wgsl's
// update, lib/adamw_update.wgsl with g = grad * clip_scale and the skip flag from grad_norm's finish, so the
// weights it writes are the same bits.
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
  adamw_update(i, grad[i] * stats[1], t.weight_decay);
}
