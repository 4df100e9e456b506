// What every matmul kernel (matmul.wgsl, matmul_vec4.wgsl, matmul_lanes_n.wgsl, matmul_lanes_k.wgsl) shares:
// the uniform's layout, the orientation, and each invocation's share of K. shaders.ts puts it in front of the
// kernel with the storage bindings (C, A, B) of the kernel's variant and the uniform `p` after them.
//   C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C        (offsets and leading dims in elements)

struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  a_off: u32, b_off: u32, c_off: u32,
  alpha: f32, beta: f32,
  k_split: u32,   // K handled per workgroup layer z (split-K); K itself when not split
  c_split: u32,   // distance in C between the partial results of consecutive layers z
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;

// This invocation's share of K, [k_begin, k_end), and where its layer's partial result goes.
var<private> k_end: u32;
var<private> c_shift: u32;
