// C's storage for the matmul kernels, as computed (alpha, beta); the RoPE variant replaces this file with
// lib/rope_epilogue.wgsl, which permutes the tile's columns and turns each pair (shaders.ts).

@group(0) @binding(0) var<storage, read_write> c: array<f32>;

// Logical column n of the tile is column col_of(n) of C and of op(B) (B's rows when TRANS_B).
fn col_of(n: u32) -> u32 { return n; }

fn store_one(r: u32, n: u32, v: f32) {
  if (r >= p.M || n >= p.N) { return; }
  let idx = p.c_off + c_shift + r * p.ldc + n;
  // beta == 0 must not read C: it may hold anything, NaN included.
  if (p.beta == 0.0) { c[idx] = p.alpha * v; } else { c[idx] = p.alpha * v + p.beta * c[idx]; }
}

// Row r's columns col .. col + 3.
fn store_row(r: u32, col: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j = j + 1u) { store_one(r, col + j, v[j]); }
}
