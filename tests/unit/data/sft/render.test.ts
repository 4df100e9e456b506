// Chat templates of released models (as their tokenizer_config.json holds them) rendered by @huggingface/jinja,
// and the assistant spans found prefix by prefix: the learned text is exactly each assistant turn with its
// end-of-turn marker, and the pieces put back together are the whole rendering.
import { describe, expect, it } from 'vitest';
import { ChatTemplate, chatTemplateFromConfig, DEFAULT_CHAT_TEMPLATE } from '../../../../src/data/sft/chat-template';
import { detectSftLayout, sftMessages, SftRowError, type ChatMessage } from '../../../../src/data/sft/layouts';
import { renderPieces, tokenizePieces } from '../../../../src/data/sft/render';
import type { Tokenizer } from '../../../../src/data/tokenizer/tokenizer';

// HuggingFaceTB/SmolLM2-135M-Instruct
const SMOLLM2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
// TinyLlama/TinyLlama-1.1B-Chat-v1.0 (Zephyr's format)
const TINYLLAMA = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";
// meta-llama/Meta-Llama-3-8B-Instruct
const LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

const CONVERSATION: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: '4.' },
  { role: 'user', content: 'And 3+3?' },
  { role: 'assistant', content: '6.' },
];

const learned = (t: ChatTemplate, m: ChatMessage[]) => renderPieces(t, m).filter((p) => p.learn).map((p) => p.text);

describe('chat templates of released models', () => {
  it('SmolLM2 (ChatML, a default system prompt when none is given)', () => {
    const t = new ChatTemplate(chatTemplateFromConfig({ chat_template: SMOLLM2, bos_token: '<|im_start|>', eos_token: '<|im_end|>' }, 'smollm2'));
    const pieces = renderPieces(t, CONVERSATION.slice(1));
    expect(pieces.map((p) => p.text).join('')).toBe(t.render(CONVERSATION.slice(1), false));
    expect(pieces[0].text.startsWith('<|im_start|>system\nYou are a helpful AI assistant named SmolLM')).toBe(true);
    expect(learned(t, CONVERSATION.slice(1))).toEqual(['4.<|im_end|>\n', '6.<|im_end|>\n']);
  });

  it('TinyLlama (Zephyr tags, eos_token after every turn; transformers\' trim_blocks and lstrip_blocks)', () => {
    const t = new ChatTemplate(chatTemplateFromConfig({ chat_template: TINYLLAMA, bos_token: { content: '<s>' }, eos_token: { content: '</s>' } }, 'tinyllama'));
    const full = t.render(CONVERSATION, false);
    expect(full).toBe('<|system|>\nBe brief.</s>\n<|user|>\nWhat is 2+2?</s>\n<|assistant|>\n4.</s>\n<|user|>\nAnd 3+3?</s>\n<|assistant|>\n6.</s>\n');
    // The generation prompt renders as '<|assistant|>' and the newline after its {{ }} (trim_blocks trims only
    // after block tags), so the span starts right at the answer.
    expect(learned(t, CONVERSATION)).toEqual(['4.</s>\n', '6.</s>\n']);
  });

  it('Llama 3 (bos_token in front, <|eot_id|> ends each turn)', () => {
    const t = new ChatTemplate(chatTemplateFromConfig({ chat_template: LLAMA3, bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' }, 'llama3'));
    const pieces = renderPieces(t, CONVERSATION);
    expect(pieces[0]).toEqual({ text: '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n', learn: false });
    expect(learned(t, CONVERSATION)).toEqual(['4.<|eot_id|>', '6.<|eot_id|>']);
  });

  it('a config without chat_template gets the default (ChatML), and named template lists pick "default"', () => {
    expect(chatTemplateFromConfig({ eos_token: '</s>' }, 'x').template).toBe(DEFAULT_CHAT_TEMPLATE);
    expect(chatTemplateFromConfig({ chat_template: [{ name: 'tool_use', template: 'A' }, { name: 'default', template: 'B' }] }, 'x').template).toBe('B');
    const t = new ChatTemplate(chatTemplateFromConfig({}, 'x'));
    expect(learned(t, CONVERSATION.slice(1, 3))).toEqual(['4.<|im_end|>\n']);
  });

  it('a template that refuses a conversation is a row problem, not a crash', () => {
    const strict = "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}{{ m['content'] }}{% endfor %}";
    const t = new ChatTemplate({ template: strict, bosToken: '', eosToken: '', origin: 'strict' });
    expect(() => renderPieces(t, CONVERSATION)).toThrow(SftRowError);
  });
});

describe('layouts', () => {
  it('detects messages, ShareGPT conversations, prompt/completion and Alpaca rows', () => {
    expect(detectSftLayout({ messages: [] })).toBe('messages');
    expect(detectSftLayout({ conversations: [] })).toBe('messages');
    expect(detectSftLayout({ prompt: 'a', completion: 'b' })).toBe('prompt-completion');
    expect(detectSftLayout({ instruction: 'a', input: '', output: 'b' })).toBe('alpaca');
    expect(detectSftLayout({ text: 'a' })).toBeNull();
    expect(sftMessages({ instruction: 'Sum', input: '2, 3', output: '5' }, 'alpaca')).toEqual([
      { role: 'user', content: 'Sum\n\n2, 3' }, { role: 'assistant', content: '5' }]);
    expect(sftMessages({ conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'hello' }] }, 'messages')[1]).toEqual({ role: 'assistant', content: 'hello' });
  });

  it('refuses rows with a bad role, a non-string field or nothing to learn, saying why', () => {
    expect(() => sftMessages({ messages: [{ role: 'robot', content: 'x' }] }, 'messages')).toThrow(/role "robot"/);
    expect(() => sftMessages({ prompt: 'a', completion: 3 }, 'prompt-completion')).toThrow(/"completion" is number/);
    expect(() => sftMessages({ messages: [{ role: 'user', content: 'x' }] }, 'messages')).toThrow(/nothing to learn/);
  });
});

describe('tokenizing the pieces', () => {
  // One id per character (vocabulary: char codes), EOS 0: every piece boundary is visible in the ids.
  const tok: Tokenizer = { name: 'chars', vocabSize: 256, bosId: 1, eosId: 0, encode: (s) => [...s].map((c) => c.charCodeAt(0)),
    decode: () => '', toJSON: () => ({}) };

  it('learns exactly the assistant spans, and the EOS when the template does not end with it', () => {
    const ex = tokenizePieces(tok, [{ text: 'Q:hi ', learn: false }, { text: 'ok', learn: true }], '');
    expect(ex.ids).toEqual([...'Q:hi ok'].map((c) => c.charCodeAt(0)).concat(0));
    expect([...ex.learn]).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    const closed = tokenizePieces(tok, [{ text: 'Q ', learn: false }, { text: 'ok</s>', learn: true }], '</s>');
    expect(closed.ids.length).toBe(8);   // no second EOS
  });
});
