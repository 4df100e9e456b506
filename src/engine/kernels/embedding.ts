// Binding for shaders/embedding.wgsl, and the host-side segment table its backward reads.
import { ceilDiv, type Dispatch, type KernelContext, type TensorView } from '../kernel-context';
import type { FieldSpec, KernelContract } from '../kernel-contract';

const WG = 256;

const PARAMS = [['nTokens', 'u32'], ['dim', 'u32'], ['rowBegin', 'u32'], ['rowEnd', 'u32']] as const satisfies readonly FieldSpec[];
const params = { name: 'params', access: 'uniform', fields: PARAMS } as const;

export const EMBEDDING_FORWARD = {
  shader: 'embedding', entry: 'forward', overrides: ['WG'],
  bindings: [{ name: 'x', access: 'read_write' }, { name: 'tokens', access: 'read' }, { name: 'table', access: 'read' }, params],
} as const satisfies KernelContract;

export const EMBEDDING_BACKWARD = {
  shader: 'embedding', entry: 'backward', overrides: ['WG'],
  bindings: [{ name: 'dTable', access: 'read_write' }, { name: 'dX', access: 'read' }, { name: 'segments', access: 'read' }, params],
} as const satisfies KernelContract;

export const EMBEDDING_CONTRACTS: readonly KernelContract[] = [EMBEDDING_FORWARD, EMBEDDING_BACKWARD];

export interface TablePiece {
  readonly view: TensorView;
  readonly rowBegin: number;
  readonly rowEnd: number;
}

export interface EmbeddingShape {
  readonly nTokens: number;  // N
  readonly dim: number;      // C
}

const pieceParams = (s: EmbeddingShape, piece: TablePiece) =>
  ({ nTokens: s.nTokens, dim: s.dim, rowBegin: piece.rowBegin, rowEnd: piece.rowEnd });

/** x (N, C) = table[tokens]: one dispatch per row piece of the table (V, C). */
export function embeddingForward(ctx: KernelContext, label: string,
  t: { readonly x: TensorView; readonly tokens: TensorView; readonly table: readonly TablePiece[] }, s: EmbeddingShape): Dispatch[] {
  return t.table.map((piece, k) => ctx.launch(EMBEDDING_FORWARD, `${label}#${k}`,
    { x: t.x, tokens: t.tokens, table: piece.view, params: pieceParams(s, piece) }, ctx.grid(ceilDiv(s.nTokens * s.dim, WG)), { WG }));
}

/** dTable[token] += sum of dX rows at that token's positions, using the segments written by `embeddingSegments`. */
export function embeddingBackward(ctx: KernelContext, label: string,
  t: { readonly dTable: readonly TablePiece[]; readonly dX: TensorView; readonly segments: TensorView }, s: EmbeddingShape): Dispatch[] {
  return t.dTable.map((piece, k) => ctx.launch(EMBEDDING_BACKWARD, `${label}#${k}`,
    { dTable: piece.view, dX: t.dX, segments: t.segments, params: pieceParams(s, piece) }, ctx.grid(s.nTokens), { WG }));
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
