// The matmuls for CPU-emulated adapters (SwiftShader), C = alpha op(A) op(B) + beta C as in matmul.wgsl, laid
// out for a CPU that runs four neighbouring invocations as the four lanes of one SIMD register. There a load
// whose four lanes read one address is one load and a broadcast, a load whose lanes read four consecutive
// floats is one vector load, and any other load is four scalar loads with a branch each (vec4 loads count as
// four loads). So each layout arranges every load to be one of the first two kinds, reads scalars (any
// alignment), and uses no workgroup memory or barriers (a workgroup's invocations are fibers there). About
// 1.5-4.6x the vec4 `direct` layout at the tiny and micro presets' shapes (npm run bench -- --only kernels).
//
// This file, lanes_n, for op(B) along n (dX = dY W, and dW = dY^T X with TRANS_A): invocations side by side
// along n. Each owns 16 rows at four columns LANES_X apart, so at every k its sixteen values of A
// are its neighbours' too (broadcasts) and its four values of B lie next to theirs (vector loads).
// matmul_lanes_k.wgsl is the layout for both operands along k (Y = X W^T).
// Never split along K (k_end = K): a CPU has no idle cores to fill.

// Sixteen rows per invocation (1.4-2.1x as fast as eight at the tiny and micro shapes, and a SwiGLU B operand is
// recomputed half as often), written out: SwiftShader keeps neither private arrays nor loop-carried values
// of a loop it does not unroll in registers (the same kernel with arrays and loops ran 3-4x slower).
override LANES_X: u32;   // invocations along n, fed by kernels/matmul.ts (LANES), which sizes the grid from it

// op(A)'s element (m, k) is at a_row(m) + k * a_step(): m is clamped to the last row (reads past the edge
// are never stored, and clamping keeps the loop free of branches).
fn a_row(m: u32) -> u32 {
  let r = min(m, p.M - 1u);
  if (TRANS_A) { return p.a_off + r; }
  return p.a_off + r * p.lda;
}
fn a_step() -> u32 { return select(1u, p.lda, TRANS_A); }

// Row r's columns col, col + LANES_X, col + 2 LANES_X, col + 3 LANES_X.
fn store_spread(r: u32, col: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j = j + 1u) { store_one(r, col + j * LANES_X, v[j]); }
}

@compute @workgroup_size(LANES_X, 1)
fn lanes_n(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  k_end = p.K;
  c_shift = 0u;
  let col0 = wid.x * 4u * LANES_X + lid.x;
  let row0 = wid.y * 16u;
  let n0 = p.b_off + min(col0, p.N - 1u);
  let n1 = p.b_off + min(col0 + LANES_X, p.N - 1u);
  let n2 = p.b_off + min(col0 + 2u * LANES_X, p.N - 1u);
  let n3 = p.b_off + min(col0 + 3u * LANES_X, p.N - 1u);
  let a0 = a_row(row0 + 0u);
  let a1 = a_row(row0 + 1u);
  let a2 = a_row(row0 + 2u);
  let a3 = a_row(row0 + 3u);
  let a4 = a_row(row0 + 4u);
  let a5 = a_row(row0 + 5u);
  let a6 = a_row(row0 + 6u);
  let a7 = a_row(row0 + 7u);
  let a8 = a_row(row0 + 8u);
  let a9 = a_row(row0 + 9u);
  let a10 = a_row(row0 + 10u);
  let a11 = a_row(row0 + 11u);
  let a12 = a_row(row0 + 12u);
  let a13 = a_row(row0 + 13u);
  let a14 = a_row(row0 + 14u);
  let a15 = a_row(row0 + 15u);
  let step = a_step();
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0);
  var acc5 = vec4f(0.0);
  var acc6 = vec4f(0.0);
  var acc7 = vec4f(0.0);
  var acc8 = vec4f(0.0);
  var acc9 = vec4f(0.0);
  var acc10 = vec4f(0.0);
  var acc11 = vec4f(0.0);
  var acc12 = vec4f(0.0);
  var acc13 = vec4f(0.0);
  var acc14 = vec4f(0.0);
  var acc15 = vec4f(0.0);
  for (var k = 0u; k < p.K; k = k + 1u) {
    let brow = k * p.ldb;
    let bv = vec4f(b_at(brow + n0), b_at(brow + n1), b_at(brow + n2), b_at(brow + n3));
    let ak = k * step;
    acc0 = fma(vec4f(a_at(a0 + ak)), bv, acc0);
    acc1 = fma(vec4f(a_at(a1 + ak)), bv, acc1);
    acc2 = fma(vec4f(a_at(a2 + ak)), bv, acc2);
    acc3 = fma(vec4f(a_at(a3 + ak)), bv, acc3);
    acc4 = fma(vec4f(a_at(a4 + ak)), bv, acc4);
    acc5 = fma(vec4f(a_at(a5 + ak)), bv, acc5);
    acc6 = fma(vec4f(a_at(a6 + ak)), bv, acc6);
    acc7 = fma(vec4f(a_at(a7 + ak)), bv, acc7);
    acc8 = fma(vec4f(a_at(a8 + ak)), bv, acc8);
    acc9 = fma(vec4f(a_at(a9 + ak)), bv, acc9);
    acc10 = fma(vec4f(a_at(a10 + ak)), bv, acc10);
    acc11 = fma(vec4f(a_at(a11 + ak)), bv, acc11);
    acc12 = fma(vec4f(a_at(a12 + ak)), bv, acc12);
    acc13 = fma(vec4f(a_at(a13 + ak)), bv, acc13);
    acc14 = fma(vec4f(a_at(a14 + ak)), bv, acc14);
    acc15 = fma(vec4f(a_at(a15 + ak)), bv, acc15);
  }
  store_spread(row0 + 0u, col0, acc0);
  store_spread(row0 + 1u, col0, acc1);
  store_spread(row0 + 2u, col0, acc2);
  store_spread(row0 + 3u, col0, acc3);
  store_spread(row0 + 4u, col0, acc4);
  store_spread(row0 + 5u, col0, acc5);
  store_spread(row0 + 6u, col0, acc6);
  store_spread(row0 + 7u, col0, acc7);
  store_spread(row0 + 8u, col0, acc8);
  store_spread(row0 + 9u, col0, acc9);
  store_spread(row0 + 10u, col0, acc10);
  store_spread(row0 + 11u, col0, acc11);
  store_spread(row0 + 12u, col0, acc12);
  store_spread(row0 + 13u, col0, acc13);
  store_spread(row0 + 14u, col0, acc14);
  store_spread(row0 + 15u, col0, acc15);
}
