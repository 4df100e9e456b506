// A chat template's markers must reach the model as the tokenizer's special tokens: a byte-level BPE
// tokenizer.json with <|im_start|> / <|im_end|> among its added tokens (as SmolLM2 and Qwen ship them) encodes
// each marker as its one id when SFT renders and tokenizes a conversation, never as the bytes '<', '|', ...
import { describe, expect, it } from 'vitest';
import { ChatTemplate, chatTemplateFromConfig } from '../../../../src/data/sft/chat-template';
import { renderPieces, tokenizePieces } from '../../../../src/data/sft/render';
import { loadTokenizerJSON } from '../../../../src/data/tokenizer/load-tokenizer-json';
import { byteLevelTokenizerJSON } from '../../checkpoint/hf-folder-fixture';

const SMOLLM2 = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

describe('template markers through a tokenizer.json with added tokens', () => {
  const json = byteLevelTokenizerJSON();
  const tok = loadTokenizerJSON(json);
  const added = new Map((json.added_tokens as { id: number; content: string }[]).map((t) => [t.content, t.id]));
  const start = added.get('<|im_start|>')!, end = added.get('<|im_end|>')!;
  const template = new ChatTemplate(chatTemplateFromConfig({ chat_template: SMOLLM2, eos_token: '<|im_end|>' }, 'smollm2-like'));
  const messages = [{ role: 'user', content: 'the hare' }, { role: 'assistant', content: 'ran on' }];

  it('each marker is one special-token id, in the prompt and in the learned answer', () => {
    const ex = tokenizePieces(tok, renderPieces(template, messages), '<|im_end|>');
    expect(ex.ids.filter((id) => id === start)).toHaveLength(2);
    expect(ex.ids.filter((id) => id === end)).toHaveLength(2);
    // '<' and '|' never appear as byte tokens: every marker matched whole.
    const bytes = new Set(['<', '|'].map((c) => tok.encode(c)[0]));
    expect(ex.ids.some((id) => bytes.has(id))).toBe(false);
    // The rendering ends with eos_token, so no EOS is appended; the answer is learned as its text, <|im_end|>, '\n'.
    const learnedIds = ex.ids.filter((_, i) => ex.learn[i]);
    expect(learnedIds).toEqual([...tok.encode('ran on'), end, ...tok.encode('\n')]);
    expect(ex.ids.slice(0, 1 + tok.encode('user\nthe hare').length + 2)).toEqual([start, ...tok.encode('user\nthe hare'), end, ...tok.encode('\n')]);
  });
});
