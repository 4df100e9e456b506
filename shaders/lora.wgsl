// LoRA's rank-r products: the narrow side of an adapted linear layer y = x W^T + s (x A^T) B^T, with
// A (r, in) and B (out, r). Every product of the adapter whose output has the rank r as one dimension runs
// here, as one kernel with three orientation switches:
//   C[M, R] = alpha * op(A)[M, K] * op(B)[K, R] + beta * C        stored as C[m, r], or C[r, m] when TRANS_C
//   forward   u  = x A^T          (N, r)    M = N,   K = in,  TRANS_B        (A stored [r, in])
//   backward  du = s dy B         (N, r)    M = N,   K = out                 (B stored [out, r])
//   backward  dB += s dy^T u      (out, r)  M = out, K = N,   TRANS_A, beta 1
//   backward  dA += du^T x        (r, in)   M = in,  K = N,   TRANS_A, TRANS_C, beta 1   (dA^T = x^T du)
// The wide products, y += s u B^T and dx += du A (K = r: a short-K GEMM), go to the engine's matmul, which
// is already what a GPU wants for them.
//
// Why a kernel of its own: with r at 4..64 the output is a narrow strip. The matmul's 64 x 64 tiles would
// compute (64 - r) / 64 of every tile for nothing and launch one workgroup per 64 rows; here the workgroup's
// width is the rank itself. Tiling: a workgroup of RQ x TM invocations owns TM rows of C and 4 RQ ranks
// (all of them up to r = 64; larger ranks take more workgroups along x). Invocation (x, y) accumulates row
// y, ranks 4x..4x+3 in one vec4. K is walked TK at a time: the TM x TK block of op(A) and the TK x 4RQ block
// of op(B) are staged in workgroup memory (loads along each operand's contiguous dimension), then every
// invocation does TK vec4 FMAs. TM and RQ come from TypeScript (kernels/lora.ts) so that TM * RQ fills a
// workgroup of 256 at every rank. Each output is summed by one invocation in a fixed order: deterministic,
// no atomics. Operands are read as scalars, so no shape or offset needs to be a multiple of 4.

struct Params {
  M: u32, R: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, b_off: u32, c_off: u32,
  alpha: f32, beta: f32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override TRANS_C: bool = false;
override TM: u32 = 64u;   // rows of C per workgroup
override RQ: u32 = 4u;    // rank quads per workgroup: 4 * RQ ranks
override TK: u32 = 16u;   // K per staged block

@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> a_tile: array<f32, TK * TM>;     // [k][m]
var<workgroup> b_tile: array<vec4f, TK * RQ>;   // [k][r / 4]

// op(A)[m, k], zero outside the matrix.
fn load_a(m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return a[p.a_off + k * p.lda + m]; }
  return a[p.a_off + m * p.lda + k];
}

// op(B)[k, r], zero outside the matrix.
fn load_b(k: u32, r: u32) -> f32 {
  if (k >= p.K || r >= p.R) { return 0.0; }
  if (TRANS_B) { return b[p.b_off + r * p.ldb + k]; }
  return b[p.b_off + k * p.ldb + r];
}

fn store(m: u32, r: u32, v: f32) {
  if (m >= p.M || r >= p.R) { return; }
  var idx: u32;
  if (TRANS_C) { idx = p.c_off + r * p.ldc + m; } else { idx = p.c_off + m * p.ldc + r; }
  // beta == 0 must not read C: it may hold anything, NaN included.
  if (p.beta == 0.0) { c[idx] = p.alpha * v; } else { c[idx] = p.alpha * v + p.beta * c[idx]; }
}

@compute @workgroup_size(RQ, TM)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wid.y * TM;
  let rank0 = wid.x * RQ * 4u;
  let threads = TM * RQ;
  let t = lid.y * RQ + lid.x;
  var acc = vec4f(0.0);
  for (var k0 = 0u; k0 < p.K; k0 = k0 + TK) {
    for (var e = t; e < TK * TM; e = e + threads) {
      var kk: u32;
      var mm: u32;
      // Neighbouring invocations read neighbouring addresses: along m when A is transposed, else along k.
      if (TRANS_A) { mm = e % TM; kk = e / TM; } else { kk = e % TK; mm = e / TK; }
      a_tile[kk * TM + mm] = load_a(row0 + mm, k0 + kk);
    }
    for (var e = t; e < TK * RQ; e = e + threads) {
      var kk: u32;
      var rq: u32;
      if (TRANS_B) { kk = e % TK; rq = e / TK; } else { rq = e % RQ; kk = e / RQ; }
      let r = rank0 + rq * 4u;
      let k = k0 + kk;
      b_tile[kk * RQ + rq] = vec4f(load_b(k, r), load_b(k, r + 1u), load_b(k, r + 2u), load_b(k, r + 3u));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk = kk + 1u) {
      acc = fma(vec4f(a_tile[kk * TM + lid.y]), b_tile[kk * RQ + lid.x], acc);
    }
    workgroupBarrier();
  }
  let m = row0 + lid.y;
  let r = rank0 + lid.x * 4u;
  store(m, r, acc.x);
  store(m, r + 1u, acc.y);
  store(m, r + 2u, acc.z);
  store(m, r + 3u, acc.w);
}
