// The model as a fixed list of kernel launches for one batch shape: the forward reads top to bottom as the
// Mistral block, the backward below it is the same list reversed. Built once; a step replays it.
// With a LoRA adapter, each targeted projection adds s (x A^T) B^T to its output, and the backward is the
// same list with the base's weight gradients left out (the base is frozen) and the adapter's put in.
// Recomputing (activation checkpointing), the forward keeps only each block's input x.l and writes every
// block's activations into one shared set; the backward recomputes block l from x.l right before block l's
// backward (the top block's are still there), so it computes exactly what it computes without recomputing.
// With f16 activations, every block computes into one shared f32 set as well (the same kernels, so the
// forward is the plain one's to the bit), and right after its down_proj the block's large saved tensors
// (memory.ts F16_SAVED) are packed to halves in per-layer storage; right before block l's backward they are
// unpacked into the shared set again, and the backward reads them there, in f32. The top block is never
// packed: its backward runs first, on the f32 values still in the set. The per-row statistics (rstd, lse)
// and LoRA's u are written per layer in f32 as in the plain graph, and x.l is f32 throughout. So the only
// change to any value is the rounding of the packed tensors to f16, read by the backward of blocks 0..L-2.
// Recomputation already drops these tensors: the two exclude each other (memory.ts F16_RECOMPUTE).
import { headDim, type ModelConfig } from '../model/config';
import { activationStorage, activationTable, blockActivation, f16SavedOf, logitsChunkRows, loraActivation, packedActivation, writesSwigluAct,
  type GraphMode, type GraphShape } from '../model/memory';
import { EMBED, FINAL_NORM, headWeight, layerParamNames } from '../model/params';
import { allocateTable, type TensorTable } from './buffers';
import type { Dispatch, KernelContext, TensorView } from './kernel-context';
import { attentionBackward, attentionForward, attentionTiles, defaultPositions, type AttentionShape, type AttentionTiles } from './kernels/attention';
import { addRmsnormForward } from './kernels/add-norm';
import { add, rope, ropeTables, swigluBackward, swigluForward } from './kernels/elementwise';
import { embeddingBackward, embeddingForward } from './kernels/embedding';
import { crossEntropy, type CrossEntropyDispatch } from './kernels/loss';
import { rmsnormBackwardInput, rmsnormBackwardWeight, rmsnormForward } from './kernels/norm';
import { loraBackward, loraForward, type LoraShape } from './kernels/lora';
import { loraNames, loraScale, targetShape, type LoraConfig, type LoraTarget } from '../model/lora';
import { linearBackwardInput, linearBackwardWeight, linearForward, ropeFits } from './linear';
import type { MatmulOperand, RopeEpilogue } from './kernels/matmul';
import type { TablePiece } from './kernels/embedding';
import { packF16, unpackF16 } from './kernels/pack-f16';
import type { ParamStore } from './param-store';

export interface GraphOptions {
  readonly mode: GraphMode;
  /** Micro-batches per optimizer step: the loss gradient is scaled to the mean over all of them. */
  readonly accumSteps?: number;
  readonly logitsChunkRows?: number;
  readonly attentionTiles?: AttentionTiles;
  readonly maxBindingBytes: number;
  /** A LoRA adapter on the frozen base: its settings and its store (trained when the graph trains). */
  readonly lora?: { readonly config: LoraConfig; readonly store: ParamStore };
  /** Keep each block's input only and recompute the block in the backward (training graphs). */
  readonly recompute?: boolean;
  /** Keep the large saved activations of every block but the top one as f16 (training graphs; not with
   *  recompute); every kernel still computes in f32. */
  readonly f16Activations?: boolean;
  /** false: the unfused graph (each residual add and RMSNorm its own dispatch, SwiGLU's act written by its own
   *  kernel for the down projection to read, RoPE a dispatch after the q and k projections), the baseline the
   *  bench times. Both compute the same values to the bit. */
  readonly fuse?: boolean;
  /** The update is applied layer by layer (engine.ts): also plan the top block's recomputation for the second
   *  backward (`recomputeTop`, recomputing graphs only). */
  readonly updatePerLayer?: boolean;
}

/**
 * The backward cut where an update-per-layer step (engine.ts) puts the optimizer in: `backward` is
 * top, topGrads, layers[L-1] .. layers[0], bottomGrads, in that order.
 */
export interface BackwardParts {
  /** final_norm.dx: the gradient into the top block's output. */
  readonly top: readonly Dispatch[];
  /** final_norm.dw: a gradient outside the layers. */
  readonly topGrads: readonly Dispatch[];
  /** layers[l]: block l's backward (after its recomputation, when recomputing): every read of layer l's weights
   *  and every write of their gradients; nothing else reads or writes them. */
  readonly layers: readonly (readonly Dispatch[])[];
  /** embed.dx: the embedding's gradient, complete only here (tied, the head's chunks added into it first). */
  readonly bottomGrads: readonly Dispatch[];
}

export class ModelGraph {
  readonly acts: TensorTable;
  readonly forward: Dispatch[] = [];
  /** Logits and loss (and, training, the head's backward), chunk by chunk. */
  readonly head: Dispatch[] = [];
  /** Logits and loss without any backward: evaluation on a training graph. */
  readonly headLoss: Dispatch[] = [];
  /** Logits alone, per chunk: for sampling, where the logits must survive. */
  readonly headLogits: Dispatch[][] = [];
  /** The loss dispatches, one per chunk: a training step sets their gradient scale (engine.trainStep). */
  readonly losses: CrossEntropyDispatch[] = [];
  readonly backward: Dispatch[] = [];
  /** `backward` in the pieces an update-per-layer step interleaves with the optimizer. */
  readonly backwardParts: BackwardParts = { top: [], topGrads: [], layers: [], bottomGrads: [] };
  /** The head and loss with the head's input gradient but not its weight gradient (training graphs): the second
   *  backward of an update-per-layer step, which keeps the first one's gradients outside the layers. */
  readonly headInput: Dispatch[] = [];
  /** Block L-1 recomputed (recomputing graphs with updatePerLayer): the first backward left block 0's activations
   *  in the shared set, the second starts at the top block. */
  readonly recomputeTop: Dispatch[] = [];
  readonly chunkRows: number;
  readonly nTokens: number;

  constructor(ctx: KernelContext, readonly config: ModelConfig, store: ParamStore, readonly shape: GraphShape,
    opts: GraphOptions) {
    const c = config, B = shape.batchSize, T = shape.seqLen, N = B * T;
    const C = c.dim, F = c.hiddenDim, D = headDim(c), H = c.nHeads, KV = c.nKvHeads, V = c.vocabSize;
    const train = opts.mode === 'train';
    const lora = opts.lora;
    const frozen = lora !== undefined;   // the base gets no weight gradients
    const storage = activationStorage(opts.mode, { recompute: opts.recompute, f16Activations: opts.f16Activations });
    const re = storage === 'recompute', half = storage === 'f16';
    const fuse = opts.fuse !== false;
    if (train && !(lora ? lora.store.training : store.training)) throw new Error('a training graph needs a training ParamStore');
    this.nTokens = N;
    this.chunkRows = logitsChunkRows(c, N, opts.maxBindingBytes, opts.logitsChunkRows);
    const lim = ctx.caps.limits;
    this.acts = allocateTable(ctx.device, `activations ${B}x${T}`, activationTable(c, shape, opts.mode, this.chunkRows, lora?.config,
      { recompute: re, f16Activations: half, fuse }),
      { maxBindingBytes: opts.maxBindingBytes });
    const adapted = new Set<LoraTarget>(lora?.config.targets ?? []);
    // Fused, SwiGLU's act is never written: down_proj reads silu(gate) * up from gate and up as it loads its
    // input, and its weight gradient does the same; a LoRA adapter on down_proj needs act written (its input).
    const writesAct = writesSwigluAct(lora?.config, fuse);
    // Fused, RoPE is q_proj's and k_proj's epilogue, unless an adapter adds to the projection after its base
    // product (the turn must follow the sum) or a piece of the weight splits a head.
    const ropeEpilogue = (t: LoraTarget, w: readonly TablePiece[]) => fuse && !adapted.has(t) && ropeFits(w, D);
    const a = (name: string) => this.acts.get(name);
    const rt = ropeTables(T, D, c.ropeTheta);
    ctx.device.queue.writeBuffer(a('rope.cos').buffer, a('rope.cos').offset, rt.cos);
    ctx.device.queue.writeBuffer(a('rope.sin').buffer, a('rope.sin').offset, rt.sin);
    // One causal sequence per row until a batch brings its own positions (packed examples: Engine.upload).
    ctx.device.queue.writeBuffer(a('positions').buffer, a('positions').offset, defaultPositions(B, T));

    const W = (name: string) => store.piecesOf(name);
    const P = (name: string) => store.view(name);
    const att: AttentionShape = { batch: B, seqLen: T, nHeads: H, nKvHeads: KV, headDim: D };
    const tiles = opts.attentionTiles ?? attentionTiles(D, lim.maxComputeWorkgroupStorageSize, lim.maxComputeInvocationsPerWorkgroup);
    const qShape = { rows: N, in: C, out: H * D };
    const kvShape = { rows: N, in: C, out: KV * D };
    const oShape = { rows: N, in: H * D, out: C };
    const upShape = { rows: N, in: C, out: F };
    const downShape = { rows: N, in: F, out: C };
    const ropeQ = { nTokens: N, seqLen: T, nHeads: H, headDim: D };
    const ropeK = { nTokens: N, seqLen: T, nHeads: KV, headDim: D };
    const ropeT = { cos: a('rope.cos'), sin: a('rope.sin'), positions: a('positions') };
    const ropeE: RopeEpilogue = { ...ropeT, headDim: D };
    // LoRA on target t of layer l: nothing when t is not adapted.
    const loraShape = (t: LoraTarget): LoraShape =>
      ({ rows: N, ...targetShape(c, t), rank: lora!.config.rank, scale: loraScale(lora!.config) });
    const loraU = (t: LoraTarget, l: number) => a(train ? loraActivation(t, l, storage) : 'lora.u');
    const loraF = (l: number, t: LoraTarget, y: TensorView, x: TensorView, L = `L${l}`): Dispatch[] => {
      if (!adapted.has(t)) return [];
      const n = loraNames(l, t), A = lora!.store.view(n.A), Bw = lora!.store.view(n.B);
      return loraForward(ctx, `${L}.${t}`, { y, u: loraU(t, l), x, a: A, b: Bw }, loraShape(t));
    };
    /** Block l's saved activation `name` (one per layer, or the shared block set when recomputing or, for the
     *  large ones, with f16 activations). */
    const saved = (name: string, l: number) => a(blockActivation(name, l, storage));
    /** With f16 activations: block l's large saved tensors into its halves, or back into the f32 set. */
    const packedNames = f16SavedOf(writesAct);   // act is among them only where the graph writes it
    const packBlock = (l: number): Dispatch[] => packedNames.map((name) =>
      packF16(ctx, `L${l}.save_f16.${name}`, { f16: a(packedActivation(name, l)), f32: saved(name, l) }, saved(name, l).size / 4));
    const unpackBlock = (l: number): Dispatch[] => packedNames.map((name) =>
      unpackF16(ctx, `L${l}.load_f16.${name}`, { f32: saved(name, l), f16: a(packedActivation(name, l)) }, saved(name, l).size / 4));
    const loraB = (l: number, t: LoraTarget, dx: TensorView, dy: TensorView, x: TensorView): Dispatch[] => {
      if (!adapted.has(t)) return [];
      const n = loraNames(l, t), st = lora!.store;
      return loraBackward(ctx, `L${l}.${t}.dx`, { dA: st.view(n.A, 'grads'), dB: st.view(n.B, 'grads'), dx, du: a('d.lora.u'), dy, x,
        u: loraU(t, l), a: st.view(n.A), b: st.view(n.B) }, loraShape(t));
    };

    // ---------------- forward ----------------
    // Block l: x[l+1] = xmid + down(silu(gate(xn2)) * up(xn2)), xmid = x + o(attention(rope(q(xn1)), rope(k(xn1)), v(xn1))).
    // `recomputing`: the same kernels, labelled L3.recompute.*, without the output (down_proj's base product and
    // the residual add), which the block's backward does not read; down_proj's adapter still recomputes its u
    // (its s u B^T lands in the unread scratch proj).
    // Fused (the default), each residual add and the RMSNorm that reads its sum are one dispatch: xmid with
    // mlp_norm, and x[l+1] with block l+1's attn_norm (the final norm after the top block), so block l > 0
    // finds its xn1 written; a recomputed block, which starts from the saved x.l, norms it itself. SwiGLU is
    // down_proj's prologue (`L3.swiglu+down_proj`, reading silu(gate) * up from gate and up) unless act is
    // written (writesAct), so a recomputed block ends at up_proj; RoPE is the q and k projections' epilogue
    // (`L3.q_proj+rope_q`, `L3.k_proj+rope_k`) where ropeEpilogue allows.
    // With f16 activations, a block below the top packs its saved tensors after down_proj, the last kernel to
    // read them, before the residual add's fused norm writes the next block's xn1 over this one's.
    const norm = { rows: N, dim: C, eps: c.normEps };
    const block = (l: number, recomputing: boolean): Dispatch[] => {
      const n = layerParamNames(l), L = recomputing ? `L${l}.recompute` : `L${l}`, out: Dispatch[] = [];
      const x = a(`x.${l}`), xn1 = saved('xn1', l), q = saved('q', l), k = saved('k', l), v = saved('v', l);
      const o = saved('att', l), xmid = saved('xmid', l), xn2 = saved('xn2', l);
      const gate = saved('gate', l), up = saved('up', l), proj = a('proj');
      const act = writesAct ? saved('act', l) : null, mlpIn: MatmulOperand = act ?? { gate, up };
      if (!fuse || l === 0 || recomputing) out.push(rmsnormForward(ctx, `${L}.attn_norm`, { y: xn1, rstd: saved('rstd1', l), x, w: P(n.attnNorm) }, norm));
      const qRope = ropeEpilogue('q_proj', W(n.q)), kRope = ropeEpilogue('k_proj', W(n.k));
      out.push(...linearForward(ctx, qRope ? `${L}.q_proj+rope_q` : `${L}.q_proj`, q, xn1, W(n.q), qShape, 0, qRope ? ropeE : undefined),
        ...loraF(l, 'q_proj', q, xn1, L));
      out.push(...linearForward(ctx, kRope ? `${L}.k_proj+rope_k` : `${L}.k_proj`, k, xn1, W(n.k), kvShape, 0, kRope ? ropeE : undefined),
        ...loraF(l, 'k_proj', k, xn1, L));
      out.push(...linearForward(ctx, `${L}.v_proj`, v, xn1, W(n.v), kvShape), ...loraF(l, 'v_proj', v, xn1, L));
      if (!qRope) out.push(rope(ctx, `${L}.rope_q`, { x: q, ...ropeT }, ropeQ, 1));
      if (!kRope) out.push(rope(ctx, `${L}.rope_k`, { x: k, ...ropeT }, ropeK, 1));
      out.push(attentionForward(ctx, `${L}.attention`, { out: o, lse: saved('lse', l), q, k, v, pos: a('positions') }, att, tiles));
      out.push(...linearForward(ctx, `${L}.o_proj`, proj, o, W(n.o), oShape), ...loraF(l, 'o_proj', proj, o, L));
      if (fuse) out.push(addRmsnormForward(ctx, `${L}.attn_residual+mlp_norm`, { s: xmid, y: xn2, rstd: saved('rstd2', l), a: x, b: proj, w: P(n.mlpNorm) }, norm));
      else {
        out.push(add(ctx, `${L}.attn_residual`, { out: xmid, a: x, b: proj }, N * C));
        out.push(rmsnormForward(ctx, `${L}.mlp_norm`, { y: xn2, rstd: saved('rstd2', l), x: xmid, w: P(n.mlpNorm) }, norm));
      }
      out.push(...linearForward(ctx, `${L}.gate_proj`, gate, xn2, W(n.gate), upShape), ...loraF(l, 'gate_proj', gate, xn2, L));
      out.push(...linearForward(ctx, `${L}.up_proj`, up, xn2, W(n.up), upShape), ...loraF(l, 'up_proj', up, xn2, L));
      if (act) out.push(swigluForward(ctx, `${L}.swiglu`, { act, gate, up }, N * F));
      const loraDown = act ? loraF(l, 'down_proj', proj, act, L) : [];
      if (recomputing) return [...out, ...loraDown];
      out.push(...linearForward(ctx, act ? `${L}.down_proj` : `${L}.swiglu+down_proj`, proj, mlpIn, W(n.down), downShape), ...loraDown);
      if (half && l < c.nLayers - 1) out.push(...packBlock(l));
      if (!fuse) return [...out, add(ctx, `${L}.mlp_residual`, { out: a(`x.${l + 1}`), a: xmid, b: proj }, N * C)];
      const top = l === c.nLayers - 1, next = layerParamNames(l + 1);
      const normed = top ? { label: 'final_norm', y: a('xf'), rstd: a('rstdf'), w: P(FINAL_NORM) }
        : { label: `L${l + 1}.attn_norm`, y: saved('xn1', l + 1), rstd: saved('rstd1', l + 1), w: P(next.attnNorm) };
      out.push(addRmsnormForward(ctx, `${L}.mlp_residual+${normed.label}`,
        { s: a(`x.${l + 1}`), y: normed.y, rstd: normed.rstd, a: xmid, b: proj, w: normed.w }, norm));
      return out;
    };
    const f = this.forward;
    f.push(...embeddingForward(ctx, 'embed', { x: a('x.0'), tokens: a('inputs'), table: W(EMBED) }, { nTokens: N, dim: C }));
    for (let l = 0; l < c.nLayers; l++) f.push(...block(l, false));
    const xL = a(`x.${c.nLayers}`), xf = a('xf');
    if (!fuse) f.push(rmsnormForward(ctx, 'final_norm', { y: xf, rstd: a('rstdf'), x: xL, w: P(FINAL_NORM) }, norm));

    // ---------------- head and loss, chunk by chunk ----------------
    // A tied head multiplies by the embedding matrix, and its weight gradient adds into the embedding's:
    // the head's chunks add in order here, the embedding backward adds its rows last, so the sum is in
    // one fixed order every step (deterministic, no atomics).
    const head = headWeight(c);
    // Every position learned; a training step rewrites it to 1 / (targets learned in the step), the same value
    // when all are (engine.trainStep).
    const scale = 1 / (N * (opts.accumSteps ?? 1));
    for (let r0 = 0; r0 < N; r0 += this.chunkRows) {
      const rows = Math.min(this.chunkRows, N - r0);
      const s = { rows, in: C, out: V, xOff: r0 * C };
      const logits = linearForward(ctx, `lm_head[${r0}]`, a('logits'), xf, W(head), s);
      this.headLogits.push(logits);
      const loss = crossEntropy(ctx, `loss[${r0}]`, { logits: a('logits'), losses: a('losses'), targets: a('targets') },
        { rows, vocab: V, rowOffset: r0, scale });
      this.losses.push(loss);
      this.head.push(...logits, loss);
      this.headLoss.push(...logits, loss);
      if (train) {
        const dx = linearBackwardInput(ctx, `lm_head.dx[${r0}]`, a('d.xn'), a('logits'), W(head), s, false);
        this.head.push(...dx);
        this.headInput.push(...logits, loss, ...dx);
        if (!frozen) this.head.push(...linearBackwardWeight(ctx, `lm_head.dw[${r0}]`, store.piecesOf(head, 'grads'), a('logits'), xf, s));
      }
    }
    if (!train) return;

    // ---------------- backward: the forward in reverse ----------------
    // Written part by part (backwardParts: the final norm, each block, the embedding), `backward` their sum.
    const parts = { top: [] as Dispatch[], topGrads: [] as Dispatch[], layers: [] as Dispatch[][], bottomGrads: [] as Dispatch[] };
    let b = parts.top;
    const G = (name: string) => store.piecesOf(name, 'grads');
    // The base's weight gradients: left out when it is frozen.
    const bw = (make: () => Dispatch | Dispatch[]) => { if (!frozen) b.push(...[make()].flat()); };
    const dx = a('d.x'), dxn = a('d.xn');
    b.push(rmsnormBackwardInput(ctx, 'final_norm.dx', { dX: dx, dY: dxn, x: xL, rstd: a('rstdf'), w: P(FINAL_NORM) }, { rows: N, dim: C, accumulate: false }));
    b = parts.topGrads;
    bw(() => rmsnormBackwardWeight(ctx, 'final_norm.dw', { dW: store.view(FINAL_NORM, 'grads'), dY: dxn, x: xL, rstd: a('rstdf') }, { rows: N, dim: C }));
    for (let l = c.nLayers - 1; l >= 0; l--) {
      const n = layerParamNames(l), L = `L${l}`;
      b = parts.layers[l] = [];
      // Recomputing: block l's activations again from x.l; the top block's are still those of the forward.
      // f16 activations: block l's saved tensors unpacked into the f32 set (the top block's are still there).
      if (re && l < c.nLayers - 1) b.push(...block(l, true));
      if (half && l < c.nLayers - 1) b.push(...unpackBlock(l));
      const x = a(`x.${l}`), xn1 = saved('xn1', l), q = saved('q', l), k = saved('k', l), v = saved('v', l);
      const o = saved('att', l), xmid = saved('xmid', l), xn2 = saved('xn2', l);
      const gate = saved('gate', l), up = saved('up', l);
      const act = writesAct ? saved('act', l) : null, mlpIn: MatmulOperand = act ?? { gate, up };
      const dAct = a('d.act'), dGate = a('d.gate'), dUp = a('d.up');
      const dq = a('d.q'), dk = a('d.k'), dv = a('d.v'), dAtt = a('d.att');
      // MLP: x[l+1] = xmid + down(silu(gate(xn2)) * up(xn2)); dx already holds d x[l+1] = d xmid's residual part
      // Each adapter's dx adds into its projection's, after the base has written it.
      b.push(...linearBackwardInput(ctx, `${L}.down_proj.dx`, dAct, dx, W(n.down), downShape, false), ...(act ? loraB(l, 'down_proj', dAct, dx, act) : []));
      bw(() => linearBackwardWeight(ctx, act ? `${L}.down_proj.dw` : `${L}.swiglu+down_proj.dw`, G(n.down), dx, mlpIn, downShape));
      b.push(swigluBackward(ctx, `${L}.swiglu.dx`, { dGate, dUp, dAct, gate, up }, N * F));
      b.push(...linearBackwardInput(ctx, `${L}.gate_proj.dx`, dxn, dGate, W(n.gate), upShape, false), ...loraB(l, 'gate_proj', dxn, dGate, xn2));
      b.push(...linearBackwardInput(ctx, `${L}.up_proj.dx`, dxn, dUp, W(n.up), upShape, true), ...loraB(l, 'up_proj', dxn, dUp, xn2));
      bw(() => linearBackwardWeight(ctx, `${L}.gate_proj.dw`, G(n.gate), dGate, xn2, upShape));
      bw(() => linearBackwardWeight(ctx, `${L}.up_proj.dw`, G(n.up), dUp, xn2, upShape));
      b.push(rmsnormBackwardInput(ctx, `${L}.mlp_norm.dx`, { dX: dx, dY: dxn, x: xmid, rstd: saved('rstd2', l), w: P(n.mlpNorm) }, { rows: N, dim: C, accumulate: true }));
      bw(() => rmsnormBackwardWeight(ctx, `${L}.mlp_norm.dw`, { dW: store.view(n.mlpNorm, 'grads'), dY: dxn, x: xmid, rstd: saved('rstd2', l) }, { rows: N, dim: C }));
      // attention: xmid = x + o_proj(attention(rope(q(xn1)), rope(k(xn1)), v(xn1)))
      b.push(...linearBackwardInput(ctx, `${L}.o_proj.dx`, dAtt, dx, W(n.o), oShape, false), ...loraB(l, 'o_proj', dAtt, dx, o));
      bw(() => linearBackwardWeight(ctx, `${L}.o_proj.dw`, G(n.o), dx, o, oShape));
      b.push(...attentionBackward(ctx, `${L}.attention.dx`,
        { dq, dk, dv, delta: a('d.delta'), dOut: dAtt, out: o, q, k, v, pos: a('positions'), lse: saved('lse', l) }, att, tiles));
      b.push(rope(ctx, `${L}.rope_q.dx`, { x: dq, ...ropeT }, ropeQ, -1));
      b.push(rope(ctx, `${L}.rope_k.dx`, { x: dk, ...ropeT }, ropeK, -1));
      b.push(...linearBackwardInput(ctx, `${L}.q_proj.dx`, dxn, dq, W(n.q), qShape, false), ...loraB(l, 'q_proj', dxn, dq, xn1));
      b.push(...linearBackwardInput(ctx, `${L}.k_proj.dx`, dxn, dk, W(n.k), kvShape, true), ...loraB(l, 'k_proj', dxn, dk, xn1));
      b.push(...linearBackwardInput(ctx, `${L}.v_proj.dx`, dxn, dv, W(n.v), kvShape, true), ...loraB(l, 'v_proj', dxn, dv, xn1));
      bw(() => linearBackwardWeight(ctx, `${L}.q_proj.dw`, G(n.q), dq, xn1, qShape));
      bw(() => linearBackwardWeight(ctx, `${L}.k_proj.dw`, G(n.k), dk, xn1, kvShape));
      bw(() => linearBackwardWeight(ctx, `${L}.v_proj.dw`, G(n.v), dv, xn1, kvShape));
      // Frozen, the gradient below layer 0's norm would only feed the embedding's: not computed.
      if (!frozen || l > 0) b.push(rmsnormBackwardInput(ctx, `${L}.attn_norm.dx`, { dX: dx, dY: dxn, x, rstd: saved('rstd1', l), w: P(n.attnNorm) }, { rows: N, dim: C, accumulate: true }));
      bw(() => rmsnormBackwardWeight(ctx, `${L}.attn_norm.dw`, { dW: store.view(n.attnNorm, 'grads'), dY: dxn, x, rstd: saved('rstd1', l) }, { rows: N, dim: C }));
    }
    b = parts.bottomGrads;
    bw(() => embeddingBackward(ctx, 'embed.dx', { dTable: G(EMBED), dX: dx, segments: a('segments') }, { nTokens: N, dim: C }));
    this.backwardParts = parts;
    this.backward.push(...parts.top, ...parts.topGrads, ...[...parts.layers].reverse().flat(), ...parts.bottomGrads);
    if (re && opts.updatePerLayer) this.recomputeTop.push(...block(c.nLayers - 1, true));
  }

  destroy(): void {
    for (const buf of this.acts.buffers) buf.destroy();
  }
}
