// RoPE's turn of one pair (a, b) = (x[i], x[i + D/2]) of a head by the angle whose cosine and sine are c and s:
// the one expression rope.wgsl and the q / k projections' RoPE epilogue (lib/rope_epilogue.wgsl) share, so
// the fused graph and the unfused one agree to the bit.
// Prefixed to rope.wgsl, and to the matmul kernels in their RoPE variant.

fn rope_turn(a: f32, b: f32, c: f32, s: f32) -> vec2f { return vec2f(a * c - b * s, b * c + a * s); }
