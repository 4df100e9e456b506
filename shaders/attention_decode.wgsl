// Attention against a key/value cache, for generation: R new rows at positions pos .. pos + R - 1 (R = 1 per
// generated token, a chunk of the prompt during prefill), each attending to every cached key up to its own
// position. The cache holds each layer's keys (after RoPE) and values as (KV, L, D): one key/value head's L
// rows contiguous, L the generator's planned max length.
//   append: k_cache[h, pos + r, :] = k[r, h, :],  v_cache[h, pos + r, :] = v[r, h, :]     for r < rows
//   decode: out[r, h, :] = sum_{j <= pos + r} softmax_j(scale * q[r, h] . k_cache[g, j]) v_cache[g, j]
//           with g = h / GROUP, GROUP = H / KV query heads sharing one key/value head (grouped-query)
// `pos` and `rows` change every call, so they sit in a uniform of their own (Step) that the generator writes
// before each submission; everything else (Params, the workgroup shape) is fixed when the plan is built.
//
// decode: one workgroup per (row, key/value head), so each cached key and value row is read once for the
// GROUP query heads that share it. Keys are taken WG at a time: each invocation scores one key against the
// group's queries (staged in workgroup memory), one invocation per head then folds the tile into its running
// max and normaliser (online softmax) and turns the scores into probabilities in place, and finally each
// invocation updates the output elements it owns (vec4s of the group's GROUP x D output). No L-long score
// row is kept, so the length is bounded by the cache, not by workgroup memory.

// Head dim: private arrays need a const length, so the engine replaces this line with the model's head dim.
const HEAD_DIM: u32 = 64u;
const D4: u32 = HEAD_DIM / 4u;
const NEG_INF: f32 = -3.4028234e38;

override WG: u32 = 64;      // invocations per workgroup = keys scored per tile
override GROUP: u32 = 1;    // H / KV

struct Params {
  max_len: u32,    // L: rows of the cache per key/value head
  n_heads: u32,    // H
  n_kv_heads: u32, // KV
  scale: f32,      // 1 / sqrt(D)
}

struct Step {
  pos: u32,        // position of row 0
  rows: u32,       // rows written this call (the rest of the planned R are padding)
}

// ---------------- append: the new rows' keys and values into the cache ----------------
@group(0) @binding(0) var<storage, read_write> k_cache_w: array<vec4f>;  // (KV, L, D)
@group(0) @binding(1) var<storage, read_write> v_cache_w: array<vec4f>;  // (KV, L, D)
@group(0) @binding(2) var<storage, read> k_new: array<vec4f>;            // (R, KV, D), after RoPE
@group(0) @binding(3) var<storage, read> v_new: array<vec4f>;            // (R, KV, D)
@group(0) @binding(4) var<uniform> pa: Params;
@group(0) @binding(5) var<uniform> sa: Step;

@compute @workgroup_size(WG)
fn append(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;            // over (r, h, d4) of the new rows
  if (idx >= sa.rows * pa.n_kv_heads * D4) { return; }
  let d = idx % D4;
  let rh = idx / D4;
  let h = rh % pa.n_kv_heads;
  let r = rh / pa.n_kv_heads;
  let dst = (h * pa.max_len + sa.pos + r) * D4 + d;
  k_cache_w[dst] = k_new[idx];
  v_cache_w[dst] = v_new[idx];
}

// ---------------- decode: one query row per head against the cache ----------------
@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;  // (R, H, D)
@group(0) @binding(1) var<storage, read> q: array<vec4f>;         // (R, H, D), after RoPE
@group(0) @binding(2) var<storage, read> k_cache: array<vec4f>;   // (KV, L, D)
@group(0) @binding(3) var<storage, read> v_cache: array<vec4f>;   // (KV, L, D)
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<uniform> step: Step;

var<workgroup> q_s: array<vec4f, GROUP * D4>;    // the group's queries, pre-scaled
var<workgroup> s_tile: array<f32, GROUP * WG>;   // scores of the tile's keys, then their probabilities
var<workgroup> acc: array<vec4f, GROUP * D4>;    // unnormalised outputs
var<workgroup> m_run: array<f32, GROUP>;         // running max per head
var<workgroup> l_run: array<f32, GROUP>;         // running normaliser per head
var<workgroup> corr: array<f32, GROUP>;          // this tile's rescale of the earlier sum, per head

@compute @workgroup_size(WG)
fn decode(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x;
  let g = wid.y;
  if (r >= step.rows) { return; }                  // padding rows of a partial prefill chunk
  let n_keys = step.pos + r + 1u;                  // causal: keys 0 .. pos + r
  let kv_base = g * p.max_len * D4;

  for (var e = lid; e < GROUP * D4; e = e + WG) {
    let h = g * GROUP + e / D4;
    q_s[e] = q[(r * p.n_heads + h) * D4 + e % D4] * p.scale;
    acc[e] = vec4f(0.0);
  }
  if (lid < GROUP) { m_run[lid] = NEG_INF; l_run[lid] = 0.0; }
  workgroupBarrier();

  for (var j0 = 0u; j0 < n_keys; j0 = j0 + WG) {
    // 1. Scores: this invocation's key against each query head of the group.
    let j = j0 + lid;
    if (j < n_keys) {
      var kr: array<vec4f, D4>;
      for (var d = 0u; d < D4; d = d + 1u) { kr[d] = k_cache[kv_base + j * D4 + d]; }
      for (var gi = 0u; gi < GROUP; gi = gi + 1u) {
        var s = 0.0;
        for (var d = 0u; d < D4; d = d + 1u) { s = s + dot(q_s[gi * D4 + d], kr[d]); }
        s_tile[gi * WG + lid] = s;
      }
    } else {
      for (var gi = 0u; gi < GROUP; gi = gi + 1u) { s_tile[gi * WG + lid] = NEG_INF; }
    }
    workgroupBarrier();
    // 2. Online softmax, one invocation per head: new max, rescale, probabilities in place, normaliser.
    if (lid < GROUP) {
      let base = lid * WG;
      var m_new = m_run[lid];
      for (var t = 0u; t < WG; t = t + 1u) { m_new = max(m_new, s_tile[base + t]); }
      var sum = 0.0;
      for (var t = 0u; t < WG; t = t + 1u) {
        let e = exp(s_tile[base + t] - m_new);     // a key past the limit scores -inf: 0
        s_tile[base + t] = e;
        sum = sum + e;
      }
      let c = exp(m_run[lid] - m_new);
      corr[lid] = c;
      l_run[lid] = l_run[lid] * c + sum;
      m_run[lid] = m_new;
    }
    workgroupBarrier();
    // 3. Outputs: each vec4 of the group's (GROUP, D) output belongs to one invocation.
    let nt = min(WG, n_keys - j0);
    for (var e = lid; e < GROUP * D4; e = e + WG) {
      let gi = e / D4;
      let d = e % D4;
      var a = acc[e] * corr[gi];
      for (var t = 0u; t < nt; t = t + 1u) { a = a + s_tile[gi * WG + t] * v_cache[kv_base + (j0 + t) * D4 + d]; }
      acc[e] = a;
    }
    workgroupBarrier();                            // the next tile overwrites s_tile
  }

  for (var e = lid; e < GROUP * D4; e = e + WG) {
    let gi = e / D4;
    out[(r * p.n_heads + g * GROUP + gi) * D4 + e % D4] = acc[e] / l_run[gi];
  }
}
