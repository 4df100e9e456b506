// The model for generation with a KV cache, as fixed lists of kernel launches planned once for a max length L:
// a step graph runs R new rows at positions pos .. pos + R - 1 through every layer, appending each layer's
// keys (after RoPE) and values to that layer's cache and attending over the cache up to each row's position,
// then the head on the last real row only. Two step graphs share the cache: prefill (R = a chunk of the
// prompt) and decode (R = 1, one per generated token). Forward only, so one set of activations serves every
// layer. A call writes the tokens, the position uniform and the RoPE rows of its positions; nothing is created.
import { headDim, type ModelConfig } from '../model/config';
import { decodeStepTable } from '../model/decode-memory';
import { EMBED, FINAL_NORM, headWeight, layerParamNames } from '../model/params';
import { allocateTable, type TensorTable } from './buffers';
import type { Dispatch, KernelContext, TensorView } from './kernel-context';
import { attentionDecode, kvAppend, type DecodeAttentionShape } from './kernels/attention-decode';
import { add, rope, swigluForward } from './kernels/elementwise';
import { embeddingForward } from './kernels/embedding';
import { rmsnormForward } from './kernels/norm';
import { linearForward } from './linear';
import type { ParamStore } from './param-store';

export class DecodeStepGraph {
  readonly acts: TensorTable;
  /** Embedding and every layer, for the planned R rows. */
  readonly layers: Dispatch[] = [];
  /** Final norm and head on `xlast` (the caller copies the last real row of `x` there in between). */
  readonly head: Dispatch[] = [];

  /**
   * `cache` holds `k_cache.l` / `v_cache.l` (KV, L, D) per layer; `step` is the position uniform (pos, rows)
   * the caller writes before each submission.
   */
  constructor(ctx: KernelContext, readonly config: ModelConfig, store: ParamStore, cache: TensorTable, step: TensorView,
    readonly rows: number, maxLen: number, maxBindingBytes: number) {
    const c = config, R = rows, C = c.dim, F = c.hiddenDim, D = headDim(c), H = c.nHeads, KV = c.nKvHeads, V = c.vocabSize;
    this.acts = allocateTable(ctx.device, `decode ${R} rows`, decodeStepTable(c, R), { maxBindingBytes });
    const a = (name: string) => this.acts.get(name);
    const W = (name: string) => store.piecesOf(name);
    const P = (name: string) => store.view(name);
    const qShape = { rows: R, in: C, out: H * D };
    const kvShape = { rows: R, in: C, out: KV * D };
    const oShape = { rows: R, in: H * D, out: C };
    const upShape = { rows: R, in: C, out: F };
    const downShape = { rows: R, in: F, out: C };
    // The RoPE rows are this call's positions, written by the caller: row r turns by position pos + r.
    const ropeQ = { nTokens: R, seqLen: R, nHeads: H, headDim: D };
    const ropeK = { nTokens: R, seqLen: R, nHeads: KV, headDim: D };
    const att: DecodeAttentionShape = { rows: R, maxLen, nHeads: H, nKvHeads: KV, headDim: D };
    const x = a('x'), xmid = a('xmid'), xn = a('xn'), rstd = a('rstd'), q = a('q'), k = a('k'), v = a('v');
    const o = a('att'), proj = a('proj'), gate = a('gate'), up = a('up'), act = a('act');

    // x = embed(tokens); per layer: xmid = x + o(attend(rope(q(xn)), cache += (rope(k(xn)), v(xn))))
    //                                x = xmid + down(silu(gate(xn2)) * up(xn2))
    const f = this.layers;
    f.push(...embeddingForward(ctx, 'embed', { x, tokens: a('inputs'), table: W(EMBED) }, { nTokens: R, dim: C }));
    for (let l = 0; l < c.nLayers; l++) {
      const n = layerParamNames(l), L = `L${l}`, kc = cache.get(`k_cache.${l}`), vc = cache.get(`v_cache.${l}`);
      f.push(rmsnormForward(ctx, `${L}.attn_norm`, { y: xn, rstd, x, w: P(n.attnNorm) }, { rows: R, dim: C, eps: c.normEps }));
      f.push(...linearForward(ctx, `${L}.q_proj`, q, xn, W(n.q), qShape));
      f.push(...linearForward(ctx, `${L}.k_proj`, k, xn, W(n.k), kvShape));
      f.push(...linearForward(ctx, `${L}.v_proj`, v, xn, W(n.v), kvShape));
      f.push(rope(ctx, `${L}.rope_q`, { x: q, cos: a('rope.cos'), sin: a('rope.sin') }, ropeQ, 1));
      f.push(rope(ctx, `${L}.rope_k`, { x: k, cos: a('rope.cos'), sin: a('rope.sin') }, ropeK, 1));
      f.push(kvAppend(ctx, `${L}.kv_append`, { kCache: kc, vCache: vc, k, v, step }, att));
      f.push(attentionDecode(ctx, `${L}.attention`, { out: o, q, kCache: kc, vCache: vc, step }, att));
      f.push(...linearForward(ctx, `${L}.o_proj`, proj, o, W(n.o), oShape));
      f.push(add(ctx, `${L}.attn_residual`, { out: xmid, a: x, b: proj }, R * C));
      f.push(rmsnormForward(ctx, `${L}.mlp_norm`, { y: xn, rstd, x: xmid, w: P(n.mlpNorm) }, { rows: R, dim: C, eps: c.normEps }));
      f.push(...linearForward(ctx, `${L}.gate_proj`, gate, xn, W(n.gate), upShape));
      f.push(...linearForward(ctx, `${L}.up_proj`, up, xn, W(n.up), upShape));
      f.push(swigluForward(ctx, `${L}.swiglu`, { act, gate, up }, R * F));
      f.push(...linearForward(ctx, `${L}.down_proj`, proj, act, W(n.down), downShape));
      f.push(add(ctx, `${L}.mlp_residual`, { out: x, a: xmid, b: proj }, R * C));
    }
    // logits (V) = head(final_norm(x[last row])): the tied head multiplies by the embedding.
    this.head.push(rmsnormForward(ctx, 'final_norm', { y: a('xf'), rstd: a('rstdf'), x: a('xlast'), w: P(FINAL_NORM) }, { rows: 1, dim: C, eps: c.normEps }));
    this.head.push(...linearForward(ctx, 'lm_head', a('logits'), a('xf'), W(headWeight(c)), { rows: 1, in: C, out: V }));
  }

  destroy(): void {
    for (const b of this.acts.buffers) b.destroy();
  }
}
