// Workgroup-wide sum and max through workgroup memory: the path for adapters without `subgroups`.
// Prefixed to kernels that reduce; the kernel declares `override WG` (a power of two) and takes `lane: Lane`.

struct Lane {
  @builtin(local_invocation_index) lid: u32,
}

var<workgroup> red_scratch: array<f32, WG>;

// Tree reduction, log2(WG) barrier steps. Every invocation of the workgroup must call it (uniform control flow).
fn workgroupSum(x: f32, lane: Lane) -> f32 {
  red_scratch[lane.lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lane.lid < s) { red_scratch[lane.lid] = red_scratch[lane.lid] + red_scratch[lane.lid + s]; }
    workgroupBarrier();
  }
  let total = red_scratch[0];
  workgroupBarrier();
  return total;
}

fn workgroupMax(x: f32, lane: Lane) -> f32 {
  red_scratch[lane.lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lane.lid < s) { red_scratch[lane.lid] = max(red_scratch[lane.lid], red_scratch[lane.lid + s]); }
    workgroupBarrier();
  }
  let total = red_scratch[0];
  workgroupBarrier();
  return total;
}
