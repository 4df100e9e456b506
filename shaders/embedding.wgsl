// Token embedding.
// forward : x[n, :] = table[tokens[n], :]
// backward: d_table[t, :] += sum over positions n with tokens[n] == t of d_x[n, :]
// The backward needs no atomics: the host (which knows the tokens) sorts the batch's positions by token id
// and uploads segments, so one workgroup owns one distinct token and sums its positions in a fixed order.
// A table larger than one storage binding is split into row pieces [row_begin, row_end), one dispatch each.

struct Params {
  n_tokens: u32,
  dim: u32,
  row_begin: u32,
  row_end: u32,
}

override WG: u32 = 256;

// ---- forward bindings: outputs, inputs, weights, uniforms
@group(0) @binding(0) var<storage, read_write> x: array<f32>;      // (N, C)
@group(0) @binding(1) var<storage, read> tokens: array<i32>;      // (N)
@group(0) @binding(2) var<storage, read> table: array<f32>;       // (rows, C): this piece of the table
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n_tokens * p.dim) { return; }
  let n = i / p.dim;
  let c = i % p.dim;
  let t = u32(tokens[n]);
  if (t >= p.row_begin && t < p.row_end) {
    x[i] = table[(t - p.row_begin) * p.dim + c];
  }
}

// ---- backward bindings: outputs, inputs, saved (segments), uniforms
// segments: [n_segments, then per segment (token, start, end), then the N positions sorted by token]
@group(0) @binding(0) var<storage, read_write> d_table: array<f32>; // (rows, C): this piece
@group(0) @binding(1) var<storage, read> d_x: array<f32>;          // (N, C)
@group(0) @binding(2) var<storage, read> segments: array<u32>;
@group(0) @binding(3) var<uniform> pb: Params;

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let s = wid.x + wid.y * nwg.x;
  let n_segments = segments[0];
  if (s >= n_segments) { return; }
  let token = segments[1u + 3u * s];
  if (token < pb.row_begin || token >= pb.row_end) { return; }
  let start = segments[2u + 3u * s];
  let end = segments[3u + 3u * s];
  let order_base = 1u + 3u * n_segments;
  let row = (token - pb.row_begin) * pb.dim;
  for (var c = lid; c < pb.dim; c = c + WG) {
    var acc = 0.0;
    for (var k = start; k < end; k = k + 1u) {
      acc = acc + d_x[segments[order_base + k] * pb.dim + c];
    }
    d_table[row + c] = d_table[row + c] + acc;
  }
}
