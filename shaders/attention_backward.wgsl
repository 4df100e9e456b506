// Causal grouped-query flash attention, backward (the FlashAttention-2 split), three entry points:
//   prep : delta[b, h, i] = dO_i . O_i
//   dq   : dQ_i = scale * sum_{j <= i} P_ij (dO_i . v_j - delta_i) k_j          one invocation per query row
//   dkdv : dV_j = sum_{i >= j} P_ij dO_i,  dK_j = scale * sum_{i >= j} P_ij (dO_i . v_j - delta_i) q_i
//          one invocation per key row, summing over every query head of its group, so no atomics are needed
// P_ij = exp(scale q_i . k_j - lse_i) is recomputed from the saved logsumexp rather than stored.
// Packed rows, as in the forward: pair (i, j) counts only when j >= s_i = i - pos[b, i] (same example); with
// one document per row s_i = 0 and every sum is the plain causal one, in the same order.

const HEAD_DIM: u32 = 64u;   // replaced with the model's head dim at pipeline creation, as in attention.wgsl
const D4: u32 = HEAD_DIM / 4u;

override WG: u32 = 64;   // prep: invocations per workgroup
override BQ: u32 = 64;   // dq: query rows per workgroup;  dkdv: query rows per staged tile (QT below)
override BK: u32 = 32;   // dq: key rows per staged tile;   dkdv: key rows per workgroup
override QT: u32 = 16;   // dkdv: query rows per staged tile

struct Params {
  seq_len: u32,
  n_heads: u32,
  n_kv_heads: u32,
  scale: f32,
}

// ---- prep: outputs, inputs, saved, uniforms
@group(0) @binding(0) var<storage, read_write> delta_out: array<f32>;  // (B, H, T)
@group(0) @binding(1) var<storage, read> d_out_p: array<vec4f>;       // (B, T, H, D)
@group(0) @binding(2) var<storage, read> out_p: array<vec4f>;         // (B, T, H, D)
@group(0) @binding(3) var<uniform> pp: Params;

@compute @workgroup_size(WG)
fn prep(@builtin(global_invocation_id) gid: vec3u) {
  let T = pp.seq_len;
  let i = gid.x;
  let h = gid.y;
  let b = gid.z;
  if (i >= T) { return; }
  let base = ((b * T + i) * pp.n_heads + h) * D4;
  var s = 0.0;
  for (var d = 0u; d < D4; d = d + 1u) { s = s + dot(d_out_p[base + d], out_p[base + d]); }
  delta_out[(b * pp.n_heads + h) * T + i] = s;
}

// ---- dq: outputs, inputs, saved, uniforms
@group(0) @binding(0) var<storage, read_write> dq: array<vec4f>;    // (B, T, H, D)
@group(0) @binding(1) var<storage, read> d_out_q: array<vec4f>;    // (B, T, H, D)
@group(0) @binding(2) var<storage, read> q_q: array<vec4f>;        // (B, T, H, D)
@group(0) @binding(3) var<storage, read> k_q: array<vec4f>;        // (B, T, KV, D)
@group(0) @binding(4) var<storage, read> v_q: array<vec4f>;        // (B, T, KV, D)
@group(0) @binding(5) var<storage, read> pos_q: array<u32>;        // (B, T) place of each token in its example
@group(0) @binding(6) var<storage, read> lse_q: array<f32>;        // (B, H, T)
@group(0) @binding(7) var<storage, read> delta_q: array<f32>;      // (B, H, T)
@group(0) @binding(8) var<uniform> pq: Params;

var<workgroup> k_tile: array<vec4f, BK * D4>;
var<workgroup> v_tile: array<vec4f, BK * D4>;

@compute @workgroup_size(BQ)
fn dq_main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let T = pq.seq_len;
  let h = wid.y;
  let b = wid.z;
  let kvh = h / (pq.n_heads / pq.n_kv_heads);
  let i = wid.x * BQ + lid;
  let live = i < T;
  let row = ((b * T + i) * pq.n_heads + h) * D4;

  var qr: array<vec4f, D4>;
  var dor: array<vec4f, D4>;
  var acc: array<vec4f, D4>;
  for (var d = 0u; d < D4; d = d + 1u) {
    qr[d] = select(vec4f(0.0), q_q[row + d] * pq.scale, live);
    dor[d] = select(vec4f(0.0), d_out_q[row + d], live);
    acc[d] = vec4f(0.0);
  }
  let stat = (b * pq.n_heads + h) * T + min(i, T - 1u);
  let lse_i = lse_q[stat];
  let delta_i = delta_q[stat];
  let first = select(0u, i - pos_q[b * T + min(i, T - 1u)], live);   // the example's first key

  let key_end = min(T, (wid.x + 1u) * BQ);
  for (var j0 = 0u; j0 < key_end; j0 = j0 + BK) {
    for (var e = lid; e < BK * D4; e = e + BQ) {
      let j = j0 + e / D4;
      var kv = vec4f(0.0);
      var vv = vec4f(0.0);
      if (j < T) {
        let kv_base = ((b * T + j) * pq.n_kv_heads + kvh) * D4 + e % D4;
        kv = k_q[kv_base];
        vv = v_q[kv_base];
      }
      k_tile[e] = kv;
      v_tile[e] = vv;
    }
    workgroupBarrier();
    if (live && i >= j0 && first < j0 + BK) {
      let n = min(BK, i - j0 + 1u);
      for (var jj = max(first, j0) - j0; jj < n; jj = jj + 1u) {
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < D4; d = d + 1u) {
          s = s + dot(qr[d], k_tile[jj * D4 + d]);
          dp = dp + dot(dor[d], v_tile[jj * D4 + d]);
        }
        let ds = exp(s - lse_i) * (dp - delta_i);
        for (var d = 0u; d < D4; d = d + 1u) { acc[d] = acc[d] + ds * k_tile[jj * D4 + d]; }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    for (var d = 0u; d < D4; d = d + 1u) { dq[row + d] = acc[d] * pq.scale; }
  }
}

// ---- dkdv: outputs, inputs, saved, uniforms
@group(0) @binding(0) var<storage, read_write> dk: array<vec4f>;    // (B, T, KV, D)
@group(0) @binding(1) var<storage, read_write> dv: array<vec4f>;    // (B, T, KV, D)
@group(0) @binding(2) var<storage, read> d_out_k: array<vec4f>;    // (B, T, H, D)
@group(0) @binding(3) var<storage, read> q_k: array<vec4f>;        // (B, T, H, D)
@group(0) @binding(4) var<storage, read> k_k: array<vec4f>;        // (B, T, KV, D)
@group(0) @binding(5) var<storage, read> v_k: array<vec4f>;        // (B, T, KV, D)
@group(0) @binding(6) var<storage, read> pos_k: array<u32>;        // (B, T) place of each token in its example
@group(0) @binding(7) var<storage, read> lse_k: array<f32>;        // (B, H, T)
@group(0) @binding(8) var<storage, read> delta_k: array<f32>;      // (B, H, T)
@group(0) @binding(9) var<uniform> pk: Params;

var<workgroup> q_tile: array<vec4f, QT * D4>;
var<workgroup> do_tile: array<vec4f, QT * D4>;
var<workgroup> lse_tile: array<f32, QT>;
var<workgroup> delta_tile: array<f32, QT>;
var<workgroup> first_tile: array<u32, QT>;   // each staged query's example start

@compute @workgroup_size(BK)
fn dkdv_main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let T = pk.seq_len;
  let kvh = wid.y;
  let b = wid.z;
  let group = pk.n_heads / pk.n_kv_heads;
  let j = wid.x * BK + lid;
  let live = j < T;
  let row = ((b * T + j) * pk.n_kv_heads + kvh) * D4;

  var kr: array<vec4f, D4>;
  var vr: array<vec4f, D4>;
  var dk_acc: array<vec4f, D4>;
  var dv_acc: array<vec4f, D4>;
  for (var d = 0u; d < D4; d = d + 1u) {
    kr[d] = select(vec4f(0.0), k_k[row + d], live);
    vr[d] = select(vec4f(0.0), v_k[row + d], live);
    dk_acc[d] = vec4f(0.0);
    dv_acc[d] = vec4f(0.0);
  }

  let q_start = wid.x * BK;   // no query before the block's first key sees any of its keys
  for (var g = 0u; g < group; g = g + 1u) {
    let h = kvh * group + g;
    for (var i0 = q_start; i0 < T; i0 = i0 + QT) {
      for (var e = lid; e < QT * D4; e = e + BK) {
        let i = i0 + e / D4;
        var qv = vec4f(0.0);
        var dov = vec4f(0.0);
        if (i < T) {
          let qb = ((b * T + i) * pk.n_heads + h) * D4 + e % D4;
          qv = q_k[qb] * pk.scale;
          dov = d_out_k[qb];
        }
        q_tile[e] = qv;
        do_tile[e] = dov;
      }
      for (var e = lid; e < QT; e = e + BK) {
        let i = min(i0 + e, T - 1u);
        lse_tile[e] = lse_k[(b * pk.n_heads + h) * T + i];
        delta_tile[e] = delta_k[(b * pk.n_heads + h) * T + i];
        first_tile[e] = i - pos_k[b * T + i];
      }
      workgroupBarrier();
      if (live) {
        for (var ii = 0u; ii < QT; ii = ii + 1u) {
          let i = i0 + ii;
          if (i >= j && i < T && first_tile[ii] <= j) {
            var s = 0.0;
            var dp = 0.0;
            for (var d = 0u; d < D4; d = d + 1u) {
              s = s + dot(q_tile[ii * D4 + d], kr[d]);
              dp = dp + dot(do_tile[ii * D4 + d], vr[d]);
            }
            let pij = exp(s - lse_tile[ii]);
            let ds = pij * (dp - delta_tile[ii]);
            for (var d = 0u; d < D4; d = d + 1u) {
              dv_acc[d] = dv_acc[d] + pij * do_tile[ii * D4 + d];
              dk_acc[d] = dk_acc[d] + ds * q_tile[ii * D4 + d];
            }
          }
        }
      }
      workgroupBarrier();
    }
  }
  if (live) {
    for (var d = 0u; d < D4; d = d + 1u) {
      dk[row + d] = dk_acc[d];
      dv[row + d] = dv_acc[d];
    }
  }
}
