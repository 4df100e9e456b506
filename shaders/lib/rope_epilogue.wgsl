// The q / k projection's RoPE epilogue, replacing lib/matmul_store.wgsl in the matmul kernels
// in their RoPE variant (shaders.ts, ShaderVariant.rope): C = X W^T is (N tokens, heads * D), D = 2 ROPE_HALF,
// and row r turns by the angle of pos[r] as rope.wgsl's at_positions turns it. The rotation pairs element i of
// a head with element i + D/2, which a plain tile puts in another invocation; here the tile's logical columns
// are permuted so that each invocation's four, 4q .. 4q+3 of a head, are the head's columns 2q, 2q + 1 and
// their partners 2q + D/2, 2q + 1 + D/2: B (W's rows, read along k) is loaded through the same permutation,
// every column's sum is the one the plain matmul computes, and the pairs turn in registers as they are stored.
// Forward orientation only (B transposed), alpha 1, beta 0, no split-K, C's width whole heads and the
// first column a head's (kernels/matmul.ts checks). shaders.ts declares the bindings c, cos_t, sin_t, pos.

override ROPE_HALF: u32;   // D / 2, fed by kernels/matmul.ts

// Logical column n of the tile -> column of C (and row of W).
fn col_of(n: u32) -> u32 {
  let w = n % (2u * ROPE_HALF);   // within its head
  let pair = (w / 4u) * 2u;       // the first of the invocation's two pairs
  let j = w % 4u;
  return n - w + select(ROPE_HALF + pair + j - 2u, pair + j, j < 2u);
}

// Row r's logical columns col .. col + 3 (col a multiple of 4: all four in C or none): v.x, v.y are elements
// i, i + 1 of a head, v.z, v.w their partners i + D/2, i + 1 + D/2.
fn store_row(r: u32, col: u32, v: vec4f) {
  if (r >= p.M || col >= p.N) { return; }
  let pc = col_of(col);
  let i = pc % (2u * ROPE_HALF);
  let t = pos[r] * ROPE_HALF + i;
  let idx = p.c_off + r * p.ldc + pc;
  let e0 = rope_turn(v.x, v.z, cos_t[t], sin_t[t]);
  let e1 = rope_turn(v.y, v.w, cos_t[t + 1u], sin_t[t + 1u]);
  c[idx] = e0.x;
  c[idx + ROPE_HALF] = e0.y;
  c[idx + 1u] = e1.x;
  c[idx + 1u + ROPE_HALF] = e1.y;
}
