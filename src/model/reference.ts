// The reference model: the same Mistral decoder written plainly in tfjs ops, and the AdamW that trains it.
// On tfjs's CPU backend it is the ground truth the engine is tested against (its autograd gives the
// gradients); on tfjs-backend-webgpu it is the baseline the benchmarks compare with; on CPU or WebGL it is
// the fallback trainer where WebGPU is missing.
import * as tf from '@tensorflow/tfjs';
import { headDim, type ModelConfig } from './config';
import { EMBED, FINAL_NORM, headWeight, layerParamNames, paramSpecs } from './params';
import { loraNames, loraScale, loraSpecs, type LoraConfig, type LoraTarget } from './lora';

export type TensorMap = Record<string, tf.Tensor>;

function rmsnorm(x: tf.Tensor2D, w: tf.Tensor, eps: number): tf.Tensor2D {
  const ms = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), w) as tf.Tensor2D;
}

/**
 * The rotary tables (T, D/2): angle[t, i] = t * theta^(-2i / D), built from tfjs ops here rather than taken
 * from the engine, so that a wrong table in the engine shows up as a parity failure instead of being shared.
 * The angles are f32 where the engine's are f64: the tables agree to 7e-7 at T = 64 (the tests' lengths)
 * and drift to 7e-5 by T = 2048, where this reference is a fallback trainer, not a ground truth.
 */
function ropeTables(T: number, D: number, theta: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  return tf.tidy(() => {
    const invFreq = tf.exp(tf.mul(tf.range(0, D / 2), -2 * Math.log(theta) / D)) as tf.Tensor1D; // (D/2)
    const angle = tf.outerProduct(tf.range(0, T), invFreq);                       // (T, D/2)
    return { cos: tf.cos(angle) as tf.Tensor2D, sin: tf.sin(angle) as tf.Tensor2D };
  });
}

/** Half-split rotary embedding on (B, T, heads, D) with tables (T, D/2). */
function applyRope(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  const c = cos.reshape([1, x.shape[1], 1, half]);
  const s = sin.reshape([1, x.shape[1], 1, half]);
  return tf.concat([tf.sub(tf.mul(x1, c), tf.mul(x2, s)), tf.add(tf.mul(x2, c), tf.mul(x1, s))], 3) as tf.Tensor4D;
}

/** Causal grouped-query attention, materialising the (T, T) scores: plain and obviously right. */
function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, nHeads: number, nKv: number): tf.Tensor4D {
  const [B, T, , D] = q.shape;
  const group = nHeads / nKv;
  const idx = tf.tensor1d(Array.from({ length: nHeads }, (_, h) => Math.floor(h / group)), 'int32');
  const qh = tf.transpose(q, [0, 2, 1, 3]);                    // (B, H, T, D)
  const kh = tf.gather(tf.transpose(k, [0, 2, 1, 3]), idx, 1); // (B, H, T, D), kv heads repeated per group
  const vh = tf.gather(tf.transpose(v, [0, 2, 1, 3]), idx, 1);
  const scores = tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(D)); // (B, H, T, T)
  const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);                  // lower triangle = allowed
  const masked = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
  const out = tf.matMul(tf.softmax(masked, -1), vh);                       // (B, H, T, D)
  return tf.transpose(out, [0, 2, 1, 3]).reshape([B, T, nHeads, D]) as tf.Tensor4D;
}

const linear = (x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D => tf.matMul(x, w as tf.Tensor2D, false, true);

/** Logits (B*T, V) for input tokens (B, T); with `lora`, p also holds the adapter's tensors by PEFT name and
 *  each targeted projection adds s (x A^T) B^T, written out as PEFT's LoRA Linear does. */
export function referenceLogits(c: ModelConfig, p: TensorMap, inputs: tf.Tensor2D, lora?: LoraConfig): tf.Tensor2D {
  const proj = (l: number, t: LoraTarget, x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D => {
    const y = linear(x, w);
    if (!lora || !lora.targets.includes(t)) return y;
    const n = loraNames(l, t);
    return tf.add(y, tf.mul(linear(linear(x, p[n.A]), p[n.B]), loraScale(lora)));
  };
  const [B, T] = inputs.shape;
  const N = B * T, D = headDim(c), H = c.nHeads, KV = c.nKvHeads;
  const { cos, sin } = ropeTables(T, D, c.ropeTheta);
  let x = tf.gather(p[EMBED], inputs.reshape([N])) as tf.Tensor2D; // (N, C)
  for (let l = 0; l < c.nLayers; l++) {
    const n = layerParamNames(l);
    const xn = rmsnorm(x, p[n.attnNorm], c.normEps);
    const q = applyRope(proj(l, 'q_proj', xn, p[n.q]).reshape([B, T, H, D]), cos, sin);
    const k = applyRope(proj(l, 'k_proj', xn, p[n.k]).reshape([B, T, KV, D]), cos, sin);
    const v = proj(l, 'v_proj', xn, p[n.v]).reshape([B, T, KV, D]) as tf.Tensor4D;
    const att = attention(q, k, v, H, KV).reshape([N, H * D]) as tf.Tensor2D;
    x = tf.add(x, proj(l, 'o_proj', att, p[n.o]));
    const xn2 = rmsnorm(x, p[n.mlpNorm], c.normEps);
    const g = proj(l, 'gate_proj', xn2, p[n.gate]);
    const act = tf.mul(tf.mul(g, tf.sigmoid(g)), proj(l, 'up_proj', xn2, p[n.up])) as tf.Tensor2D;
    x = tf.add(x, proj(l, 'down_proj', act, p[n.down]));
  }
  // Tied: the same variable feeds the gather above and this product, so autograd sums both gradients.
  return linear(rmsnorm(x, p[FINAL_NORM], c.normEps), p[headWeight(c)]);
}

/**
 * Next-token cross-entropy summed over positions whose target is not -1, divided by `count`: by default the
 * positions of this batch (its mean); a trainer with several micro-batches passes the learned positions of
 * all of them, so that the sum over micro-batches is the mean over the step's learned tokens.
 */
export function referenceLoss(c: ModelConfig, p: TensorMap, inputs: tf.Tensor2D, targets: tf.Tensor1D, lora?: LoraConfig,
  count?: number): tf.Scalar {
  const logits = referenceLogits(c, p, inputs, lora);
  const logp = tf.logSoftmax(logits, -1);
  const onehot = tf.oneHot(targets, c.vocabSize);          // a -1 target gives a row of zeros
  const perToken = tf.neg(tf.sum(tf.mul(onehot, logp), -1));
  const n = count ?? tf.maximum(tf.sum(tf.cast(tf.greaterEqual(targets, 0), 'float32')), 1);
  return tf.div(tf.sum(perToken), n) as tf.Scalar;
}

/** Targets that are not -1 over every micro-batch, counted here rather than with the engine's helper. */
function learnedCount(micro: readonly { targets: Int32Array }[]): number {
  return Math.max(1, micro.reduce((n, b) => n + b.targets.filter((t) => t >= 0).length, 0));
}

export interface ReferenceOptimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly gradClip: number;
}

/**
 * The reference model as a trainer: tf.Variables for every parameter, AdamW written out as PyTorch's
 * torch.optim.AdamW defines it, and global-norm clipping as clip_grad_norm_ does. With a LoRA adapter the
 * base is held as constants and only the adapter's tensors are variables (PEFT's default).
 */
export class ReferenceTrainer {
  readonly vars: Record<string, tf.Variable> = {};
  private readonly frozen: Record<string, tf.Tensor> = {};
  private readonly m: Record<string, tf.Variable> = {};
  private readonly v: Record<string, tf.Variable> = {};
  private readonly decay: Record<string, boolean> = {};
  step = 0;

  constructor(readonly config: ModelConfig, init: ReadonlyMap<string, Float32Array>, readonly opt: ReferenceOptimizer,
    readonly lora?: { readonly config: LoraConfig; readonly init: ReadonlyMap<string, Float32Array> }) {
    const trained = lora
      ? loraSpecs(config, lora.config).map((s) => ({ name: s.name, shape: s.shape, decay: true }))
      : paramSpecs(config);
    if (lora) {
      for (const s of paramSpecs(config)) {
        const data = init.get(s.name);
        if (!data) throw new Error(`missing parameter ${s.name}`);
        this.frozen[s.name] = tf.tensor(data, [...s.shape]);
      }
    }
    for (const s of trained) {
      const data = (lora ? lora.init : init).get(s.name);
      if (!data) throw new Error(`missing parameter ${s.name}`);
      this.vars[s.name] = tf.variable(tf.tensor(data, [...s.shape]), true);
      this.m[s.name] = tf.variable(tf.zeros([...s.shape]), false);
      this.v[s.name] = tf.variable(tf.zeros([...s.shape]), false);
      this.decay[s.name] = s.decay;
    }
  }

  /** Loss and gradients of the mean loss over the learned targets (not -1) of all `micro` micro-batches
   *  (each tokens (B,T), targets (B*T)): each micro-batch adds its sum divided by the step's count. */
  // Reads go through the async data(): tfjs-backend-webgpu has no cheap synchronous read-back.
  async lossAndGrads(micro: readonly { inputs: Int32Array; targets: Int32Array }[], batch: number, seqLen: number):
    Promise<{ loss: number; grads: Record<string, tf.Tensor> }> {
    const names = Object.keys(this.vars);
    let total = 0;
    let sums: Record<string, tf.Tensor> | null = null;
    const count = learnedCount(micro);
    for (const b of micro) {
      const inputs = tf.tensor2d(b.inputs, [batch, seqLen], 'int32');
      const targets = tf.tensor1d(b.targets, 'int32');
      const lossOf = (...ts: tf.Tensor[]) => referenceLoss(this.config,
        { ...this.frozen, ...Object.fromEntries(names.map((n, i) => [n, ts[i]])) }, inputs, targets, this.lora?.config, count);
      const { value, grads: list } = tf.valueAndGrads(lossOf)(names.map((n) => this.vars[n]));
      inputs.dispose();
      targets.dispose();
      const grads: Record<string, tf.Tensor> = Object.fromEntries(names.map((n, i) => [n, list[i]]));
      total += (await value.data())[0];
      value.dispose();
      if (sums === null) sums = grads;
      else {
        const prev: Record<string, tf.Tensor> = sums;
        const next: Record<string, tf.Tensor> = {};
        for (const n of names) { next[n] = tf.add(prev[n], grads[n]); prev[n].dispose(); grads[n].dispose(); }
        sums = next;
      }
    }
    return { loss: total, grads: sums! };
  }

  /** One AdamW step with learning rate lr; returns the loss and the gradient norm before clipping. */
  async trainStep(micro: readonly { inputs: Int32Array; targets: Int32Array }[], batch: number, seqLen: number, lr: number):
    Promise<{ loss: number; gradNorm: number }> {
    const { loss, grads } = await this.lossAndGrads(micro, batch, seqLen);
    const gradNorm = await this.gradNorm(grads);
    this.apply(grads, gradNorm, lr);
    for (const g of Object.values(grads)) g.dispose();
    return { loss, gradNorm };
  }

  /** The global L2 norm of the gradients. */
  async gradNorm(grads: Record<string, tf.Tensor>): Promise<number> {
    // Summed pairwise, not with addN: tfjs-backend-webgpu's AddN binds every input at once and fails past
    // the adapter's storage-buffer limit.
    const t = tf.tidy(() => tf.sqrt(Object.values(grads).map((g) => tf.sum(tf.square(g))).reduce((x, y) => tf.add(x, y))));
    const norm = (await t.data())[0];
    t.dispose();
    return norm;
  }

  /** Clips the gradients by their global norm and applies them (AdamW). */
  apply(grads: Record<string, tf.Tensor>, norm: number, lr: number): void {
    const o = this.opt;
    const clip = Math.min(1, o.gradClip / (norm + 1e-6));
    this.step++;
    const bc1 = 1 - Math.pow(o.beta1, this.step);
    const bc2 = 1 - Math.pow(o.beta2, this.step);
    tf.tidy(() => {
      for (const [n, p] of Object.entries(this.vars)) {
        const g = tf.mul(grads[n], clip);
        const m = tf.add(tf.mul(this.m[n], o.beta1), tf.mul(g, 1 - o.beta1));
        const v = tf.add(tf.mul(this.v[n], o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
        this.m[n].assign(m);
        this.v[n].assign(v);
        const decayed = tf.mul(p, 1 - lr * (this.decay[n] ? o.weightDecay : 0));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), o.eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
      }
    });
  }

  async params(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [n, p] of Object.entries(this.vars)) out.set(n, await p.data() as Float32Array);
    return out;
  }

  async moments(): Promise<{ m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
    for (const n of Object.keys(this.vars)) { m.set(n, await this.m[n].data() as Float32Array); v.set(n, await this.v[n].data() as Float32Array); }
    return { m, v };
  }

  setMoments(m: ReadonlyMap<string, Float32Array>, v: ReadonlyMap<string, Float32Array>): void {
    for (const n of Object.keys(this.vars)) {
      const a = m.get(n), b = v.get(n);
      if (!a || !b) throw new Error(`missing AdamW moments for ${n}`);
      tf.tidy(() => { this.m[n].assign(tf.tensor(a, this.m[n].shape)); this.v[n].assign(tf.tensor(b, this.v[n].shape)); });
    }
  }

  dispose(): void {
    for (const n of Object.keys(this.vars)) { this.vars[n].dispose(); this.m[n].dispose(); this.v[n].dispose(); }
    for (const t of Object.values(this.frozen)) t.dispose();
  }
}
