// Rotary position embedding in Hugging Face's half-split form (rotate_half): within each head, element i
// pairs with element i + D/2 and the pair turns by angle pos * theta^(-2i/D).
//   forward : (a, b) -> (a cos - b sin, b cos + a sin)
//   backward: the transpose, which is the rotation by -angle (sign = -1)
// In place on q (N, H*D) or k (N, KV*D). The cos/sin table (T, D/2) is computed on the host in double
// precision, the same numbers the reference model uses.

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
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let half = p.head_dim / 2u;
  let idx = gid.x + gid.y * nwg.x * WG;          // over (n, head, i < D/2)
  if (idx >= p.n_tokens * p.n_heads * half) { return; }
  let i = idx % half;
  let nh = idx / half;                            // n * heads + head
  let n = nh / p.n_heads;
  let pos = n % p.seq_len;
  let c = cos_t[pos * half + i];
  let s = p.sign * sin_t[pos * half + i];
  let base = nh * p.head_dim;
  let a = x[base + i];
  let b = x[base + i + half];
  x[base + i] = a * c - b * s;
  x[base + i + half] = b * c + a * s;
}
