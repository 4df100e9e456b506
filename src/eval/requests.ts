// Text requests to token requests, as the harness's LM.loglikelihood and _encode_pair do for a causal model:
//   - trailing whitespace of the context moves to the front of the continuation;
//   - context + continuation is encoded in one pass and the continuation's tokens are the ones after
//     encode(context).length, so a token that straddles the boundary is not split differently than the
//     model saw it in training;
//   - no BOS unless asked for (the harness's add_bos_token); an empty context is the BOS token alone (the
//     harness's prefix_token_id), unless the continuation already starts with it.
import type { LoglikRequest } from './scorer';
import type { TextRequest } from './prompt';

export interface EncodeTokenizer {
  readonly bosId: number;
  encode(text: string): number[];
}

/** The request's tokens, or null when the continuation encodes to no tokens (nothing to score). */
export function tokenRequest(tok: EncodeTokenizer, r: TextRequest, bos: boolean): LoglikRequest | null {
  if (r.context === '') {
    const cont = tok.encode(r.continuation);
    if (cont.length === 0) return null;
    if (cont[0] === tok.bosId) return cont.length > 1 ? { context: cont.slice(0, 1), continuation: cont.slice(1) } : null;
    return { context: [tok.bosId], continuation: cont };
  }
  const { context, continuation } = moveTrailingSpace(r);
  const head = bos ? [tok.bosId] : [];
  const whole = [...head, ...tok.encode(context + continuation)];
  const ctx = [...head, ...tok.encode(context)];
  const cont = whole.slice(ctx.length);
  return cont.length > 0 ? { context: ctx, continuation: cont } : null;
}

/** The harness's whitespace rule: ("Answer: ", "B") is scored as ("Answer:", " B"). */
export function moveTrailingSpace(r: TextRequest): TextRequest {
  const kept = r.context.replace(/\s+$/u, '');
  if (kept.length === r.context.length) return r;
  return { context: kept, continuation: r.context.slice(kept.length) + r.continuation };
}
