// Text to token requests with Mistral's tokenizer (SentencePiece: a word's leading space is part of its
// token, so encoding the continuation on its own would give different tokens than the model sees).
import { describe, expect, it } from 'vitest';
import { mistralTokenizer } from '../../../src/data/tokenizer';
import { moveTrailingSpace, tokenRequest } from '../../../src/eval/requests';

const tok = mistralTokenizer();

describe('token requests', () => {
  it('moves the context\'s trailing spaces into the continuation', () => {
    expect(moveTrailingSpace({ context: 'Answer: ', continuation: 'B' })).toEqual({ context: 'Answer:', continuation: ' B' });
    expect(moveTrailingSpace({ context: 'x \n ', continuation: 'y' })).toEqual({ context: 'x', continuation: ' \n y' });
    expect(tokenRequest(tok, { context: 'Answer: ', continuation: 'B' }, false))
      .toEqual(tokenRequest(tok, { context: 'Answer:', continuation: ' B' }, false));
  });

  it('encodes context + continuation in one pass and takes the tokens after the context\'s', () => {
    const context = 'Question: Which gas do plants absorb?\nAnswer:', continuation = ' carbon dioxide';
    const r = tokenRequest(tok, { context, continuation }, false)!;
    const whole = tok.encode(context + continuation);
    expect(r.context).toEqual(tok.encode(context));
    expect([...r.context, ...r.continuation]).toEqual(whole);
    expect(tok.decode(r.continuation).trim()).toBe('carbon dioxide');
    // Encoded alone, " carbon dioxide" starts with an extra "▁" piece: the one-pass split is not that.
    expect(r.continuation).not.toEqual(tok.encode(continuation));
  });

  it('adds BOS to the context only when asked', () => {
    const plain = tokenRequest(tok, { context: 'The sky is', continuation: ' blue' }, false)!;
    const bos = tokenRequest(tok, { context: 'The sky is', continuation: ' blue' }, true)!;
    expect(plain.context[0]).not.toBe(tok.bosId);
    expect(bos.context).toEqual([tok.bosId, ...plain.context]);
    expect(bos.continuation).toEqual(plain.continuation);
  });

  it('scores an empty context after BOS alone, as the harness\'s prefix token', () => {
    expect(tokenRequest(tok, { context: '', continuation: ' blue' }, false)).toEqual({ context: [tok.bosId], continuation: tok.encode(' blue') });
  });

  it('returns null when the continuation has no tokens of its own', () => {
    expect(tokenRequest({ bosId: 1, encode: () => [5] }, { context: 'a', continuation: 'b' }, false)).toBeNull();
  });
});
