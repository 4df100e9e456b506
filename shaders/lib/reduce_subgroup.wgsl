// Workgroup-wide sum and max with subgroup operations: two barriers instead of log2(WG).
// WGSL defines no mapping between subgroup lanes and local_invocation_index, so each subgroup's total is
// parked at its first lane's index (a unique slot, whatever the hardware's layout), and one strided pass
// plus a second subgroup reduction combines the slots. The order is fixed for a given adapter: results
// are deterministic run to run.

struct Lane {
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_invocation_id) sg_lane: u32,
  @builtin(subgroup_size) sg_size: u32,
}

var<workgroup> red_scratch: array<f32, WG>;

fn workgroupSum(x: f32, lane: Lane) -> f32 {
  let s = subgroupAdd(x);
  let leader = subgroupBroadcastFirst(lane.lid);
  red_scratch[lane.lid] = select(0.0, s, lane.lid == leader);
  workgroupBarrier();
  var t = 0.0;
  for (var i = lane.sg_lane; i < WG; i = i + lane.sg_size) { t = t + red_scratch[i]; }
  let total = subgroupAdd(t);
  workgroupBarrier();
  return total;
}

fn workgroupMax(x: f32, lane: Lane) -> f32 {
  let s = subgroupMax(x);
  let leader = subgroupBroadcastFirst(lane.lid);
  // Non-leader slots hold the smallest finite f32 so they never win.
  red_scratch[lane.lid] = select(-3.4028234e38, s, lane.lid == leader);
  workgroupBarrier();
  var t = -3.4028234e38;
  for (var i = lane.sg_lane; i < WG; i = i + lane.sg_size) { t = max(t, red_scratch[i]); }
  let total = subgroupMax(t);
  workgroupBarrier();
  return total;
}
