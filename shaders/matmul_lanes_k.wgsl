// The CPU-emulated adapters' matmul for both operands along k, Y = X W^T (TRANS_B): see matmul_lanes_n.wgsl
// for why these layouts look as they do. A workgroup is four invocations, one subgroup (the engine uses this
// file only where subgroups have at least four invocations), and owns an 8 x 8 block of C.
// Invocation j adds up k = j, j + 4, j + 8, ..., so at each step the four read four consecutive floats of
// every row of A and of B (vector loads), and subgroupAdd combines their partial sums at the end. The sum's
// order is fixed, so results are deterministic. Columns are stored four at a time through store_row, whose
// RoPE variant (the q / k projections) turns each head's pairs as it stores them.

// Eight rows by eight columns, written out (see matmul_lanes_n.wgsl: SwiftShader keeps private arrays and
// values carried by a loop it does not unroll in memory).

// Where row r of A, and row col_of(n) of B, start; both clamped to the last (their sums are never stored).
fn a_row(r: u32) -> u32 { return p.a_off + min(r, p.M - 1u) * p.lda; }
fn b_row(n: u32) -> u32 { return p.b_off + col_of(min(n, p.N - 1u)) * p.ldb; }

// Row r's columns col .. col + 7 from the four invocations' partial sums (every invocation calls it: the
// subgroup operation needs them all; the first stores).
fn store_sums(first: bool, r: u32, col: u32, lo: vec4f, hi: vec4f) {
  let s_lo = subgroupAdd(lo);
  let s_hi = subgroupAdd(hi);
  if (first) {
    store_row(r, col, s_lo);
    store_row(r, col + 4u, s_hi);
  }
}

@compute @workgroup_size(4, 1)
fn lanes_k(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  k_end = p.K;
  c_shift = 0u;
  let row0 = wid.y * 8u;
  let col0 = wid.x * 8u;
  let a0 = a_row(row0 + 0u);
  let a1 = a_row(row0 + 1u);
  let a2 = a_row(row0 + 2u);
  let a3 = a_row(row0 + 3u);
  let a4 = a_row(row0 + 4u);
  let a5 = a_row(row0 + 5u);
  let a6 = a_row(row0 + 6u);
  let a7 = a_row(row0 + 7u);
  let b0 = b_row(col0 + 0u);
  let b1 = b_row(col0 + 1u);
  let b2 = b_row(col0 + 2u);
  let b3 = b_row(col0 + 3u);
  let b4 = b_row(col0 + 4u);
  let b5 = b_row(col0 + 5u);
  let b6 = b_row(col0 + 6u);
  let b7 = b_row(col0 + 7u);
  var lo0 = vec4f(0.0);
  var hi0 = vec4f(0.0);
  var lo1 = vec4f(0.0);
  var hi1 = vec4f(0.0);
  var lo2 = vec4f(0.0);
  var hi2 = vec4f(0.0);
  var lo3 = vec4f(0.0);
  var hi3 = vec4f(0.0);
  var lo4 = vec4f(0.0);
  var hi4 = vec4f(0.0);
  var lo5 = vec4f(0.0);
  var hi5 = vec4f(0.0);
  var lo6 = vec4f(0.0);
  var hi6 = vec4f(0.0);
  var lo7 = vec4f(0.0);
  var hi7 = vec4f(0.0);
  for (var k = lid.x; k < p.K; k = k + 4u) {
    let bl = vec4f(b_at(b0 + k), b_at(b1 + k), b_at(b2 + k), b_at(b3 + k));
    let bh = vec4f(b_at(b4 + k), b_at(b5 + k), b_at(b6 + k), b_at(b7 + k));
    { let av = vec4f(a_at(a0 + k)); lo0 = fma(av, bl, lo0); hi0 = fma(av, bh, hi0); }
    { let av = vec4f(a_at(a1 + k)); lo1 = fma(av, bl, lo1); hi1 = fma(av, bh, hi1); }
    { let av = vec4f(a_at(a2 + k)); lo2 = fma(av, bl, lo2); hi2 = fma(av, bh, hi2); }
    { let av = vec4f(a_at(a3 + k)); lo3 = fma(av, bl, lo3); hi3 = fma(av, bh, hi3); }
    { let av = vec4f(a_at(a4 + k)); lo4 = fma(av, bl, lo4); hi4 = fma(av, bh, hi4); }
    { let av = vec4f(a_at(a5 + k)); lo5 = fma(av, bl, lo5); hi5 = fma(av, bh, hi5); }
    { let av = vec4f(a_at(a6 + k)); lo6 = fma(av, bl, lo6); hi6 = fma(av, bh, hi6); }
    { let av = vec4f(a_at(a7 + k)); lo7 = fma(av, bl, lo7); hi7 = fma(av, bh, hi7); }
  }
  let first = lid.x == 0u;
  store_sums(first, row0 + 0u, col0, lo0, hi0);
  store_sums(first, row0 + 1u, col0, lo1, hi1);
  store_sums(first, row0 + 2u, col0, lo2, hi2);
  store_sums(first, row0 + 3u, col0, lo3, hi3);
  store_sums(first, row0 + 4u, col0, lo4, hi4);
  store_sums(first, row0 + 5u, col0, lo5, hi5);
  store_sums(first, row0 + 6u, col0, lo6, hi6);
  store_sums(first, row0 + 7u, col0, lo7, hi7);
}
