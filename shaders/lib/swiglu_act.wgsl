// SwiGLU's gate value silu(g) * u, silu(g) = g * sigmoid(g): the one expression swiglu.wgsl writes `act`
// with and the matmuls' SwiGLU operand (shaders.ts, ShaderVariant.swiglu) computes as they load it, so the
// fused graph and the unfused one agree to the bit. The vec4 form is four scalar calls, not vector
// arithmetic, so that it is the same expression element by element.
// Prefixed to swiglu.wgsl, and to the matmul kernels in their SwiGLU variants.

fn sigmoid(z: f32) -> f32 { return 1.0 / (1.0 + exp(-z)); }

fn swiglu_act(g: f32, u: f32) -> f32 { return g * sigmoid(g) * u; }

fn swiglu_act4(g: vec4f, u: vec4f) -> vec4f {
  return vec4f(swiglu_act(g.x, u.x), swiglu_act(g.y, u.y), swiglu_act(g.z, u.z), swiglu_act(g.w, u.w));
}
