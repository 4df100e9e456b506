// Tiled matrix multiply, the engine's workhorse:
//   C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C
// op() transposes when TRANS_A / TRANS_B are set, which gives the three orientations a linear layer needs
// with weights stored [out, in] as Hugging Face does:
//   forward   Y  = X  W^T  (TRANS_B)          X (N, in),  W (out, in)
//   backward  dX = dY W                       dY (N, out)
//   backward  dW += dY^T X  (TRANS_A, beta 1) accumulated over micro-batches
// Strides and offsets are explicit, so one call can read a block of columns (a row piece of a split weight,
// or a row chunk of the logits).
// Split-K: when the output has too few tiles to fill a GPU (a weight gradient dW = dY^T X of a small layer
// over many tokens), workgroup layer z takes K range [z k_split, (z + 1) k_split) and writes its partial
// product c_split floats further on (into scratch); splitk_reduce.wgsl then adds the layers into C.
//
// Tiling: each workgroup computes a TM x TN tile of C with TM/4 x TN/4 invocations, each owning a 4 x 4
// block held in four vec4 accumulators. The K dimension is walked TK at a time: A and B tiles are staged in
// workgroup memory (loads arranged so that neighbouring invocations read neighbouring addresses for either
// orientation), then every invocation does TK rank-1 updates from vec4 reads of the staged tiles.

// The tile, fed by kernels/matmul.ts (MATMUL_TILE), which also sizes the grid from it. Multiples of 4.
override TM: u32;
override TN: u32;
override TK: u32;
override THREADS: u32 = (TM / 4u) * (TN / 4u);   // derived, not fed

// Params, TRANS_A / TRANS_B, k_end and c_shift come from lib/matmul_params.wgsl; C's storage (store_row,
// col_of) and A's and B's (a_at / b_at) from shaders.ts, in the variant's form (f32, an f16 B, a
// SwiGLU operand, the RoPE epilogue).

var<workgroup> a_tile: array<vec4f, TK * TM / 4u>; // [k][m / 4]
var<workgroup> b_tile: array<vec4f, TK * TN / 4u>; // [k][n / 4]

fn load_a(m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= k_end) { return 0.0; }
  if (TRANS_A) { return a_at(p.a_off + k * p.lda + m); }
  return a_at(p.a_off + m * p.lda + k);
}

fn load_b(k: u32, n: u32) -> f32 {
  if (k >= k_end || n >= p.N) { return 0.0; }
  if (TRANS_B) { return b_at(p.b_off + col_of(n) * p.ldb + k); }
  return b_at(p.b_off + k * p.ldb + col_of(n));
}

@compute @workgroup_size(TN / 4u, TM / 4u)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k_begin = wid.z * p.k_split;
  let k_stop = min(p.K, k_begin + p.k_split);   // a let, so the loop below stays in uniform control flow
  k_end = k_stop;                               // the private copy bounds the loads
  c_shift = wid.z * p.c_split;
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let t = lid.y * (TN / 4u) + lid.x;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);

  for (var k0 = k_begin; k0 < k_stop; k0 = k0 + TK) {
    // Stage A: TK x TM values, 4 per invocation as one vec4 along m.
    for (var e = t; e < TK * TM / 4u; e = e + THREADS) {
      var kk: u32;
      var mq: u32;
      if (TRANS_A) { mq = e % (TM / 4u); kk = e / (TM / 4u); } else { kk = e % TK; mq = e / TK; }
      let m = row0 + mq * 4u;
      let k = k0 + kk;
      a_tile[kk * (TM / 4u) + mq] = vec4f(load_a(m, k), load_a(m + 1u, k), load_a(m + 2u, k), load_a(m + 3u, k));
    }
    for (var e = t; e < TK * TN / 4u; e = e + THREADS) {
      var kk: u32;
      var nq: u32;
      if (TRANS_B) { kk = e % TK; nq = e / TK; } else { nq = e % (TN / 4u); kk = e / (TN / 4u); }
      let n = col0 + nq * 4u;
      let k = k0 + kk;
      b_tile[kk * (TN / 4u) + nq] = vec4f(load_b(k, n), load_b(k, n + 1u), load_b(k, n + 2u), load_b(k, n + 3u));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk = kk + 1u) {
      let av = a_tile[kk * (TM / 4u) + lid.y];
      let bv = b_tile[kk * (TN / 4u) + lid.x];
      acc0 = fma(vec4f(av.x), bv, acc0);
      acc1 = fma(vec4f(av.y), bv, acc1);
      acc2 = fma(vec4f(av.z), bv, acc2);
      acc3 = fma(vec4f(av.w), bv, acc3);
    }
    workgroupBarrier();
  }

  let r = row0 + lid.y * 4u;
  let col = col0 + lid.x * 4u;
  store_row(r, col, acc0);
  store_row(r + 1u, col, acc1);
  store_row(r + 2u, col, acc2);
  store_row(r + 3u, col, acc3);
}

