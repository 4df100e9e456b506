// Fused softmax cross-entropy, forward and backward in one pass, one workgroup per row:
//   loss[n]      = logsumexp(logits[n, :]) - logits[n, target[n]]
//   logits[n, :] <- (softmax(logits[n, :]) - onehot(target[n])) * scale      (the gradient, in place)
// Writing the gradient over the logits means the (rows, V) matrix exists once. A target < 0 marks a position
// that is not predicted (padding): its loss and gradient are 0.
// `main` gives each row a workgroup (GPUs); `main_rows` gives each row one invocation with a one-pass online
// max and sum and no barriers (CPU-emulated adapters).
// Needs a reduction library (workgroupSum / workgroupMax) prefixed; see shaders/lib/.
//
// Scoring (evaluation, forward only): `score` / `score_rows` write the same loss, so log p(target) = -loss,
// and a greedy flag, and leave the logits untouched (nothing reads a gradient there):
//   greedy[n] = 1 if target[n] is the FIRST index of the row's maximum (torch.argmax), else 0
//             = 1 iff no c < t has logits[c] >= logits[t] and no c > t has logits[c] > logits[t].
// Ties go to the lower index, as lm-evaluation-harness's `logits.argmax(-1) == target` does on PyTorch.
// They are separate entry points so that the training step (`main`, `main_rows`) does none of this work.

struct Params {
  n_rows: u32,
  vocab: u32,
  row_offset: u32,   // first row of this chunk in targets / losses
  scale: f32,        // 1 / (targets >= 0 in the optimizer step): the gradient of the mean over learned tokens
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> logits: array<f32>;  // (rows, V) -> d_logits
@group(0) @binding(1) var<storage, read_write> losses: array<f32>;  // (N)
@group(0) @binding(2) var<storage, read> targets: array<i32>;      // (N)
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, lane: Lane) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.n_rows) { return; }
  let base = row * p.vocab;
  let tgt = targets[p.row_offset + row];
  // Read the target's logit now: the reductions below end in barriers, so every invocation has read it
  // before any invocation overwrites the row with the gradient.
  let target_logit = select(0.0, logits[base + u32(max(tgt, 0))], tgt >= 0);

  var m = -3.4028234e38;
  for (var c = lane.lid; c < p.vocab; c = c + WG) { m = max(m, logits[base + c]); }
  let row_max = workgroupMax(m, lane);
  var s = 0.0;
  for (var c = lane.lid; c < p.vocab; c = c + WG) { s = s + exp(logits[base + c] - row_max); }
  let sum_exp = workgroupSum(s, lane);

  if (tgt < 0) {
    for (var c = lane.lid; c < p.vocab; c = c + WG) { logits[base + c] = 0.0; }
    if (lane.lid == 0u) { losses[p.row_offset + row] = 0.0; }
    return;
  }
  let t = u32(tgt);
  let inv = 1.0 / sum_exp;
  for (var c = lane.lid; c < p.vocab; c = c + WG) {
    let prob = exp(logits[base + c] - row_max) * inv;
    logits[base + c] = (prob - select(0.0, 1.0, c == t)) * p.scale;
  }
  if (lane.lid == 0u) { losses[p.row_offset + row] = log(sum_exp) + row_max - target_logit; }
}

@compute @workgroup_size(WG)
fn main_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.n_rows) { return; }
  let base = row * p.vocab;
  let tgt = targets[p.row_offset + row];
  if (tgt < 0) {
    for (var c = 0u; c < p.vocab; c = c + 1u) { logits[base + c] = 0.0; }
    losses[p.row_offset + row] = 0.0;
    return;
  }
  // Online softmax statistics: the running sum is rescaled whenever a larger logit arrives.
  var m = -3.4028234e38;
  var s = 0.0;
  for (var c = 0u; c < p.vocab; c = c + 1u) {
    let v = logits[base + c];
    if (v > m) { s = s * exp(m - v); m = v; }
    s = s + exp(v - m);
  }
  let t = u32(tgt);
  losses[p.row_offset + row] = log(s) + m - logits[base + t];
  let inv = 1.0 / s;
  for (var c = 0u; c < p.vocab; c = c + 1u) {
    let prob = exp(logits[base + c] - m) * inv;
    logits[base + c] = (prob - select(0.0, 1.0, c == t)) * p.scale;
  }
}

// ---------------- scoring: loss and greedy flag, no gradient ----------------
// Their own bindings at the same slots (WGSL allows it: no entry point uses both sets), so the order stays
// outputs, inputs, uniforms and the logits are read-only here.
@group(0) @binding(0) var<storage, read_write> score_losses: array<f32>;  // (N) -log p(target), 0 where target < 0
@group(0) @binding(1) var<storage, read_write> score_greedy: array<u32>;  // (N) 1: target is the argmax
@group(0) @binding(2) var<storage, read> score_logits: array<f32>;        // (rows, V) this chunk's logits
@group(0) @binding(3) var<storage, read> score_targets: array<i32>;       // (N)
@group(0) @binding(4) var<uniform> sp: Params;                              // scale unused

// A workgroup per row. Ignored rows (most of a scoring batch: only continuation tokens are scored) return
// before any work; the branch is uniform because the whole workgroup reads the same read-only target.
// `ahead` counts the logits that beat the target under first-max ties; the target is greedy when none do.
@compute @workgroup_size(WG)
fn score(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, lane: Lane) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= sp.n_rows) { return; }
  let out = sp.row_offset + row;
  let tgt = score_targets[out];
  if (tgt < 0) {
    if (lane.lid == 0u) { score_losses[out] = 0.0; score_greedy[out] = 0u; }
    return;
  }
  let base = row * sp.vocab;
  let t = u32(tgt);
  let target_logit = score_logits[base + t];
  var m = -3.4028234e38;
  var ahead = 0.0;   // an f32 count: exact up to 2^24, far above any vocabulary
  for (var c = lane.lid; c < sp.vocab; c = c + WG) {
    let v = score_logits[base + c];
    m = max(m, v);
    ahead = ahead + select(0.0, 1.0, v > target_logit || (v == target_logit && c < t));
  }
  let row_max = workgroupMax(m, lane);
  let n_ahead = workgroupSum(ahead, lane);
  var s = 0.0;
  for (var c = lane.lid; c < sp.vocab; c = c + WG) { s = s + exp(score_logits[base + c] - row_max); }
  let sum_exp = workgroupSum(s, lane);
  if (lane.lid == 0u) {
    score_losses[out] = log(sum_exp) + row_max - target_logit;
    score_greedy[out] = select(0u, 1u, n_ahead == 0.0);
  }
}

// An invocation per row (CPU-emulated adapters): one online pass keeps the max, the rescaled sum and the
// first index of the max (a strictly greater logit moves it, an equal one does not).
@compute @workgroup_size(WG)
fn score_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= sp.n_rows) { return; }
  let out = sp.row_offset + row;
  let tgt = score_targets[out];
  if (tgt < 0) { score_losses[out] = 0.0; score_greedy[out] = 0u; return; }
  let base = row * sp.vocab;
  var m = -3.4028234e38;
  var s = 0.0;
  var arg = 0u;
  for (var c = 0u; c < sp.vocab; c = c + 1u) {
    let v = score_logits[base + c];
    if (v > m) { s = s * exp(m - v); m = v; arg = c; }
    s = s + exp(v - m);
  }
  let t = u32(tgt);
  score_losses[out] = log(s) + m - score_logits[base + t];
  score_greedy[out] = select(0u, 1u, arg == t);
}
