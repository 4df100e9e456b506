// Global gradient-norm clipping's first pass over many gradient tensors in one dispatch: every tensor of a
// parameter group lies in one buffer (ParamStore packs them, aligned), and a table gives each workgroup its
// share, one row per slot:
//   slots[first_slot + k] = sum of squares of share k = (tensor at `offset`, n elements, workgroup `group`
//                           of `groups`, striding by groups * WG)
// exactly the share and the order grad_norm.wgsl's `partial` gives workgroup `group` of that tensor's own
// dispatch, so the slots, the norm and the clip scale are the same to the bit; grad_norm.wgsl's `finish`
// adds them up. Needs a reduction library (workgroupSum) prefixed; see shaders/lib/.

struct Share {
  offset: u32,   // the tensor's first element in the group buffer
  n: u32,        // its elements
  group: u32,    // this workgroup's index among the tensor's
  groups: u32,   // workgroups (slots) the tensor has: gradNormGroups(n)
}

struct Params {
  n_shares: u32,
  first_slot: u32,  // slot of the group's first share
}

override WG: u32 = 256;

// outputs, inputs, the share table, uniforms
@group(0) @binding(0) var<storage, read_write> slots: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;        // the group's gradients, packed
@group(0) @binding(2) var<storage, read> shares: array<Share>;    // (n_shares)
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, lane: Lane) {
  let k = wid.x + wid.y * nwg.x;
  if (k >= p.n_shares) { return; }
  let sh = shares[k];
  let stride = sh.groups * WG;
  var s = 0.0;
  for (var i = sh.group * WG + lane.lid; i < sh.n; i = i + stride) { let g = grad[sh.offset + i]; s = s + g * g; }
  let total = workgroupSum(s, lane);
  if (lane.lid == 0u) { slots[p.first_slot + k] = total; }
}
