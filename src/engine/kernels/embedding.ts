// Binding for shaders/embedding.wgsl, and the host-side segment table its backward reads.
import { ceilDiv, uniformBytes, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';

const WG = 256;

export interface TablePiece {
  readonly view: TensorView;
  readonly rowBegin: number;
  readonly rowEnd: number;
}

const params = (ctx: KernelContext, label: string, n: number, dim: number, piece: TablePiece) =>
  ctx.uniform(`${label}.params`, uniformBytes([['u32', n], ['u32', dim], ['u32', piece.rowBegin], ['u32', piece.rowEnd]]));

/** x (N, C) = table[tokens]: one dispatch per row piece of the table. */
export function embeddingForward(ctx: KernelContext, label: string, x: TensorView, tokens: TensorView,
  pieces: readonly TablePiece[], nTokens: number, dim: number): Dispatch[] {
  const pipeline = ctx.pipeline('embedding', 'forward', { WG });
  return pieces.map((piece, k) => ctx.dispatch(`${label}#${k}`, pipeline,
    [x, tokens, piece.view, params(ctx, `${label}#${k}`, nTokens, dim, piece)], ctx.grid(ceilDiv(nTokens * dim, WG))));
}

/** dTable[token] += sum of dX rows at that token's positions, using the segments written by `embeddingSegments`. */
export function embeddingBackward(ctx: KernelContext, label: string, dPieces: readonly TablePiece[], dX: TensorView,
  segments: TensorView, nTokens: number, dim: number): Dispatch[] {
  const pipeline = ctx.pipeline('embedding', 'backward', { WG });
  return dPieces.map((piece, k) => ctx.dispatch(`${label}#${k}`, pipeline,
    [piece.view, dX, segments, params(ctx, `${label}#${k}`, nTokens, dim, piece)], ctx.grid(nTokens)));
}

/**
 * The batch's positions grouped by token: [count, (token, start, end) x count, positions sorted by token].
 * Sorting is stable, so each token's positions are summed in order: the backward is deterministic.
 */
export function embeddingSegments(tokens: Int32Array, out?: Uint32Array): Uint32Array {
  const n = tokens.length;
  const seg = out ?? new Uint32Array(1 + 4 * n);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => tokens[a] - tokens[b] || a - b);
  let count = 0;
  const orderBase = (segCount: number) => 1 + 3 * segCount;
  // First pass: count distinct tokens so the order block's position is known.
  for (let i = 0; i < n; i++) if (i === 0 || tokens[order[i]] !== tokens[order[i - 1]]) count++;
  seg[0] = count;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || tokens[order[i]] !== tokens[order[i - 1]]) {
      if (s > 0) seg[3 * (s - 1) + 3] = i;
      seg[3 * s + 1] = tokens[order[i]];
      seg[3 * s + 2] = i;
      s++;
    }
    seg[orderBase(count) + i] = order[i];
  }
  if (s > 0) seg[3 * (s - 1) + 3] = n;
  return seg;
}
