// Rotary position embedding in Hugging Face's half-split form (rotate_half): within each head, element i
// pairs with element i + D/2 and the pair turns by angle pos * theta^(-2i/D).
//   forward : (a, b) -> (a cos - b sin, b cos + a sin)
//   backward: the transpose, which is the rotation by -angle (sign = -1)
// In place on q (N, H*D) or k (N, KV*D). The cos/sin table (T, D/2) is computed on the host in double
// precision, the same numbers the reference model uses.
// The turn itself is lib/rope_turn.wgsl's rope_turn, which the q / k projections' RoPE epilogue shares (the
// fused graph rotates q and k as the matmul stores them instead of here).
// Two entry points, one per source of the position: `main` turns token n by its place in its row (n mod T:
// one document per row, or the decode graph's rows of this call); `at_positions` reads it from pos[n], so a
// row packed with several examples restarts the count at each one (pos[n] = place within its example).

struct Params {
  n_tokens: u32,
  seq_len: u32,
  n_heads: u32,
  head_dim: u32,
  sign: f32,
}

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> x: array<f32>;   // (N, heads * D)
@group(0) @binding(1) var<storage, read> cos_t: array<f32>;    // (T, D/2)
@group(0) @binding(2) var<storage, read> sin_t: array<f32>;    // (T, D/2)

// Turns element pair (i, i + D/2) of row nh (= n * heads + head) by the angle of position pos.
fn rotate(nh: u32, i: u32, pos: u32, head_dim: u32, sign: f32) {
  let half = head_dim / 2u;
  let c = cos_t[pos * half + i];
  let s = sign * sin_t[pos * half + i];
  let base = nh * head_dim;
  let turned = rope_turn(x[base + i], x[base + i + half], c, s);
  x[base + i] = turned.x;
  x[base + i + half] = turned.y;
}

// ---- main: outputs, inputs, uniforms
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let half = p.head_dim / 2u;
  let idx = gid.x + gid.y * nwg.x * WG;          // over (n, head, i < D/2)
  if (idx >= p.n_tokens * p.n_heads * half) { return; }
  let nh = idx / half;                            // n * heads + head
  rotate(nh, idx % half, (nh / p.n_heads) % p.seq_len, p.head_dim, p.sign);
}

// ---- at_positions: outputs, inputs (the positions after the tables), uniforms
@group(0) @binding(3) var<storage, read> pos: array<u32>;      // (N) position of token n within its example
@group(0) @binding(4) var<uniform> pp: Params;

@compute @workgroup_size(WG)
fn at_positions(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let half = pp.head_dim / 2u;
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= pp.n_tokens * pp.n_heads * half) { return; }
  let nh = idx / half;
  rotate(nh, idx % half, pos[nh / pp.n_heads], pp.head_dim, pp.sign);
}
