// Global gradient-norm clipping, in two passes and without a read-back:
//   partial: each workgroup sums the squares of a strided share of one gradient tensor into its own slot
//   finish : one workgroup adds every slot in a fixed order, then writes
//            stats = [norm, min(1, max_norm / (norm + 1e-6)), skip]     (torch.nn.utils.clip_grad_norm_)
//            skip = 1 when the norm is NaN or infinite, so AdamW leaves the weights alone.
// Needs a reduction library (workgroupSum) prefixed; see shaders/lib/.

struct Params {
  n: u32,          // partial: elements in this tensor;  finish: number of slots
  slot: u32,       // partial: first slot of this tensor
  max_norm: f32,   // finish
}

override WG: u32 = 256;

// ---- partial: outputs, inputs, uniforms
@group(0) @binding(0) var<storage, read_write> slots: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, lane: Lane) {
  let stride = nwg.x * WG;
  var s = 0.0;
  for (var i = wid.x * WG + lane.lid; i < p.n; i = i + stride) { let g = grad[i]; s = s + g * g; }
  let total = workgroupSum(s, lane);
  if (lane.lid == 0u) { slots[p.slot + wid.x] = total; }
}

// ---- finish: outputs, inputs, uniforms
@group(0) @binding(0) var<storage, read_write> stats: array<f32>;
@group(0) @binding(1) var<storage, read> slots_in: array<f32>;
@group(0) @binding(2) var<uniform> pf: Params;

fn is_finite(x: f32) -> bool {
  // Checked on the bits: compilers may assume float comparisons never meet NaN or infinity.
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WG)
fn finish(lane: Lane) {
  var s = 0.0;
  for (var i = lane.lid; i < pf.n; i = i + WG) { s = s + slots_in[i]; }
  let total = workgroupSum(s, lane);
  if (lane.lid == 0u) {
    let norm = sqrt(total);
    let ok = is_finite(total);
    stats[0] = norm;
    stats[1] = select(0.0, min(1.0, pf.max_norm / (norm + 1e-6)), ok);
    stats[2] = select(1.0, 0.0, ok);
  }
}
