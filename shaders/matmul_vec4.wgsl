// The matmul of matmul.wgsl for aligned operands: A and B are read as vec4 (16-byte loads), which is what
// both GPUs and CPU-emulated adapters want. The engine uses it when the contiguous dimension of each
// operand, its leading dimension and its offset are multiples of 4 (true of every model shape whose widths
// are multiples of 4); otherwise it falls back to the scalar matmul.wgsl.
//   C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C        (offsets and leading dims in floats)
// Vector directions: A along k (or along m when TRANS_A); B along k when TRANS_B (or along n).
//
// `tiled` (GPUs): a TM x TN tile per workgroup of (TN/4) x (TM/4) invocations, each owning a 4 x 4 block;
//   K is walked TK at a time through workgroup memory, one vec4 load per operand per invocation per stage.
// `direct` (CPU-emulated adapters): the same 4 x 4 block per invocation with no workgroup memory and no
//   barriers, every operand read straight from the buffers.
//
// Half precision: with the adapter's shader-f16, the engine can build `tiled` with TileScalar = f16 (and
// `enable f16;`): the staged tiles take half the workgroup memory and bandwidth, products and sums stay f32.
alias TileScalar = f32;
alias TileVec = vec4<TileScalar>;

// `tiled`'s tile, fed by kernels/matmul.ts (MATMUL_TILE), which also sizes the grid from it. One vec4 of
// each operand per invocation per stage needs TM = TN = 4 TK (the binding checks it).
override TM: u32;
override TN: u32;
override TK: u32;

// Params, TRANS_A / TRANS_B, k_end and c_shift come from lib/matmul_params.wgsl; C's storage (store_row,
// col_of) and A's and B's (a_at / b_at, as vec4: a_at4 / b_at4) from shaders.ts, in the variant's form (f32, an f16 B, a
// SwiGLU operand, the RoPE epilogue).

var<workgroup> a_tile: array<TileVec, TK * TM / 4u>; // [k][m / 4]
var<workgroup> b_tile: array<TileVec, TK * TN / 4u>; // [k][n / 4]

// The vec4 of A holding (m, k..k+3), or (m..m+3, k) when TRANS_A; zero outside the matrix.
fn a_vec(m: u32, k: u32) -> vec4f {
  if (TRANS_A) {
    if (k >= k_end || m >= p.M) { return vec4f(0.0); }
    return a_at4((p.a_off + k * p.lda + m) / 4u);
  }
  if (m >= p.M || k >= k_end) { return vec4f(0.0); }
  return a_at4((p.a_off + m * p.lda + k) / 4u);
}

// The vec4 of B holding (k..k+3, n) when TRANS_B, or (k, n..n+3) (read as they lie: the RoPE variant's
// column map is for TRANS_B only).
fn b_vec(k: u32, n: u32) -> vec4f {
  if (TRANS_B) {
    if (n >= p.N || k >= k_end) { return vec4f(0.0); }
    return b_at4((p.b_off + col_of(n) * p.ldb + k) / 4u);
  }
  if (k >= k_end || n >= p.N) { return vec4f(0.0); }
  return b_at4((p.b_off + k * p.ldb + n) / 4u);
}

@compute @workgroup_size(TN / 4u, TM / 4u)
fn tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  // Split-K as in matmul.wgsl: layer z of the grid takes its own range of K.
  let k_begin = wid.z * p.k_split;
  let k_stop = min(p.K, k_begin + p.k_split);   // a let, so the loop below stays in uniform control flow
  k_end = k_stop;                               // the private copy bounds the loads
  c_shift = wid.z * p.c_split;
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let t = lid.y * (TN / 4u) + lid.x;     // 0 .. TK TM / 4 - 1: exactly one vec4 of each operand per stage
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = k_begin; k0 < k_stop; k0 = k0 + TK) {
    if (TRANS_A) {
      // vec4 along m: rows k of the tile, TM / 4 vec4 per row
      let mq = t % (TM / 4u);
      let kk = t / (TM / 4u);
      a_tile[kk * (TM / 4u) + mq] = TileVec(a_vec(row0 + mq * 4u, k0 + kk));
    } else {
      // vec4 along k: spread its four k over four rows of the tile
      let m = t / (TK / 4u);
      let kq = (t % (TK / 4u)) * 4u;
      let v = a_vec(row0 + m, k0 + kq);
      for (var i = 0u; i < 4u; i = i + 1u) { a_tile[(kq + i) * (TM / 4u) + m / 4u][m % 4u] = TileScalar(v[i]); }
    }
    if (TRANS_B) {
      let n = t / (TK / 4u);
      let kq = (t % (TK / 4u)) * 4u;
      let v = b_vec(k0 + kq, col0 + n);
      for (var i = 0u; i < 4u; i = i + 1u) { b_tile[(kq + i) * (TN / 4u) + n / 4u][n % 4u] = TileScalar(v[i]); }
    } else {
      let nq = t % (TN / 4u);
      let kk = t / (TN / 4u);
      b_tile[kk * (TN / 4u) + nq] = TileVec(b_vec(k0 + kk, col0 + nq * 4u));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk = kk + 1u) {
      let av = vec4f(a_tile[kk * (TM / 4u) + lid.y]);
      let bv = vec4f(b_tile[kk * (TN / 4u) + lid.x]);
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

override DIRECT_WG: u32;   // DIRECT_WG x DIRECT_WG invocations, each a 4 x 4 block (kernels/matmul.ts)

@compute @workgroup_size(DIRECT_WG, DIRECT_WG)
fn direct(@builtin(global_invocation_id) gid: vec3u) {
  k_end = p.K;   // never split: this layout is for CPU-emulated adapters
  c_shift = 0u;
  let r = gid.y * 4u;
  let col = gid.x * 4u;
  if (r >= p.M || col >= p.N) { return; }
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (TRANS_A) {
    // dW = dY^T X: A along m, B along n; one rank-1 update per k.
    for (var k = 0u; k < k_end; k = k + 1u) {
      let av = a_vec(r, k);
      let bv = b_vec(k, col);
      acc[0] = fma(vec4f(av.x), bv, acc[0]);
      acc[1] = fma(vec4f(av.y), bv, acc[1]);
      acc[2] = fma(vec4f(av.z), bv, acc[2]);
      acc[3] = fma(vec4f(av.w), bv, acc[3]);
    }
  } else if (TRANS_B) {
    // Y = X W^T: both along k; sixteen dot products per four k.
    for (var k = 0u; k < k_end; k = k + 4u) {
      let b0 = b_vec(k, col);
      let b1 = b_vec(k, col + 1u);
      let b2 = b_vec(k, col + 2u);
      let b3 = b_vec(k, col + 3u);
      for (var i = 0u; i < 4u; i = i + 1u) {
        let av = a_vec(r + i, k);
        acc[i] = acc[i] + vec4f(dot(av, b0), dot(av, b1), dot(av, b2), dot(av, b3));
      }
    }
  } else {
    // dX = dY W: A along k, B along n.
    for (var k = 0u; k < k_end; k = k + 4u) {
      let b0 = b_vec(k, col);
      let b1 = b_vec(k + 1u, col);
      let b2 = b_vec(k + 2u, col);
      let b3 = b_vec(k + 3u, col);
      for (var i = 0u; i < 4u; i = i + 1u) {
        let av = a_vec(r + i, k);
        acc[i] = fma(vec4f(av.x), b0, fma(vec4f(av.y), b1, fma(vec4f(av.z), b2, fma(vec4f(av.w), b3, acc[i]))));
      }
    }
  }
  store_row(r, col, acc[0]);
  store_row(r + 1u, col, acc[1]);
  store_row(r + 2u, col, acc[2]);
  store_row(r + 3u, col, acc[3]);
}
