// Causal grouped-query flash attention, forward.
//   out[b, i, h, :] = sum_{j <= i} softmax_j(scale * q_i . k_j) v_j,   with key/value head h / (H / KV)
//   lse[b, h, i]    = logsumexp_j(scale * q_i . k_j), saved for the backward
// One workgroup per (query block of BQ rows, head, batch), one invocation per query row. Key and value rows
// are staged BK at a time in workgroup memory; each invocation keeps its running max, normaliser and output
// row in registers and rescales them as larger scores arrive (online softmax), so no T x T matrix ever exists.
// Key tiles past the block's last query are never loaded (causality).
// Packed rows: pos[b, i] is query i's place within its example, so the example starts at s_i = i - pos[b, i]
// and only keys j in [s_i, i] count (no example sees another). Each row starts its scan at the first group of
// four keys holding s_i; with one document per row (pos = i) s_i = 0 and the scan is the plain causal one.

// Head dim: private arrays need a const length, so the engine replaces this line with the model's head dim
// when it builds the pipeline (the default keeps the module valid on its own).
const HEAD_DIM: u32 = 64u;
const D4: u32 = HEAD_DIM / 4u;

override BQ: u32 = 64;   // query rows per workgroup (= invocations)
override BK: u32 = 32;   // key rows per staged tile (a multiple of 4)

struct Params {
  seq_len: u32,
  n_heads: u32,
  n_kv_heads: u32,
  scale: f32,      // 1 / sqrt(D)
}

@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;  // (B, T, H, D)
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;    // (B, H, T)
@group(0) @binding(2) var<storage, read> q: array<vec4f>;         // (B, T, H, D), after RoPE
@group(0) @binding(3) var<storage, read> k: array<vec4f>;         // (B, T, KV, D), after RoPE
@group(0) @binding(4) var<storage, read> v: array<vec4f>;         // (B, T, KV, D)
@group(0) @binding(5) var<storage, read> pos: array<u32>;         // (B, T) place of each token in its example
@group(0) @binding(6) var<uniform> p: Params;

var<workgroup> k_tile: array<vec4f, BK * D4>;
var<workgroup> v_tile: array<vec4f, BK * D4>;

@compute @workgroup_size(BQ)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let T = p.seq_len;
  let h = wid.y;
  let b = wid.z;
  let kvh = h / (p.n_heads / p.n_kv_heads);
  let i = wid.x * BQ + lid;
  let live = i < T;

  var qr: array<vec4f, D4>;
  var acc: array<vec4f, D4>;
  let q_base = ((b * T + i) * p.n_heads + h) * D4;
  for (var d = 0u; d < D4; d = d + 1u) {
    acc[d] = vec4f(0.0);
    qr[d] = select(vec4f(0.0), q[q_base + d] * p.scale, live);
  }
  var m = -3.4028234e38;
  var l = 0.0;
  let first = select(0u, i - pos[b * T + min(i, T - 1u)], live);   // the example's first key

  let key_end = min(T, (wid.x + 1u) * BQ);
  for (var j0 = 0u; j0 < key_end; j0 = j0 + BK) {
    for (var e = lid; e < BK * D4; e = e + BQ) {
      let j = j0 + e / D4;
      var kv = vec4f(0.0);
      var vv = vec4f(0.0);
      if (j < T) {
        let kv_base = ((b * T + j) * p.n_kv_heads + kvh) * D4 + e % D4;
        kv = k[kv_base];
        vv = v[kv_base];
      }
      k_tile[e] = kv;
      v_tile[e] = vv;
    }
    workgroupBarrier();
    if (live && i >= j0 && first < j0 + BK) {
      let n = min(BK, i - j0 + 1u);
      let lo = max(first, j0) - j0;   // keys of this tile before it belong to an earlier example
      // Four keys at a time: four scores, one rescale of the running output, one vec4 exp. The first group
      // holds key lo, so the running max is finite after it and masked keys never add exp(0).
      for (var jj = lo & ~3u; jj < n; jj = jj + 4u) {
        var s = vec4f(0.0);
        for (var d = 0u; d < D4; d = d + 1u) {
          let qd = qr[d];
          s = s + vec4f(dot(qd, k_tile[jj * D4 + d]), dot(qd, k_tile[(jj + 1u) * D4 + d]),
                        dot(qd, k_tile[(jj + 2u) * D4 + d]), dot(qd, k_tile[(jj + 3u) * D4 + d]));
        }
        // Keys past the causal limit (or the tile's end), or before the example, score -inf: they add nothing.
        let js = vec4u(jj, jj + 1u, jj + 2u, jj + 3u);
        s = select(vec4f(-3.4028234e38), s, (js < vec4u(n)) & (js >= vec4u(lo)));
        let m_new = max(m, max(max(s.x, s.y), max(s.z, s.w)));
        let correction = exp(m - m_new);
        let pj = exp(s - vec4f(m_new));
        l = l * correction + pj.x + pj.y + pj.z + pj.w;
        for (var d = 0u; d < D4; d = d + 1u) {
          acc[d] = acc[d] * correction + pj.x * v_tile[jj * D4 + d] + pj.y * v_tile[(jj + 1u) * D4 + d]
                 + pj.z * v_tile[(jj + 2u) * D4 + d] + pj.w * v_tile[(jj + 3u) * D4 + d];
        }
        m = m_new;
      }
    }
    workgroupBarrier();
  }

  if (live) {
    let inv = 1.0 / l;
    for (var d = 0u; d < D4; d = d + 1u) { out[q_base + d] = acc[d] * inv; }
    lse[(b * p.n_heads + h) * T + i] = m + log(l);
  }
}
