// A chat reply, streamed: the conversation rendered with the model's chat template, tokenized with its
// special tokens, continued token by token through a KV-cache generator until a turn end, EOS, the token
// limit or a cancel; each token's text goes to the page as it comes. The limits are the samples' (train-sample).
import type { Tokenizer } from '../data/tokenizer/tokenizer';
import type { TokenGenerator } from '../train/sampling';
import { encodeWithSpecials, renderChat, stopIds, type ChatFormat } from './chat-prompt';
import type { ChatRequest } from './train-api';
import { checkSampleSettings } from './train-sample';

export interface ChatModel {
  readonly generator: TokenGenerator;
  readonly tokenizer: Tokenizer;
  readonly format: ChatFormat;
  readonly specials: ReadonlyMap<string, number>;
  /** The longest prompt + reply (the model's context). */
  readonly contextLength: number;
  /** More ids that end a reply (config.json's eos_token_id). */
  readonly extraStops: readonly number[];
}

export interface ChatReply {
  text: string;
  tokens: number;
  cancelled: boolean;
  promptTokens: number;
}

export async function streamChat(m: ChatModel, req: ChatRequest, progress: (text: string, tokens: number) => void,
  cancelled: () => boolean): Promise<ChatReply> {
  checkSampleSettings({ prompt: '', maxTokens: req.maxTokens, temperature: req.temperature, topK: req.topK, seed: req.seed, everySteps: 0 });
  if (req.messages.length === 0 || req.messages[req.messages.length - 1].role !== 'user') throw new Error('the conversation must end with your message');
  const promptIds = encodeWithSpecials(m.tokenizer, renderChat(m.format, req.messages), m.specials);
  const room = Math.min(m.contextLength, m.generator.maxLen);
  if (promptIds.length + req.maxTokens > room) {
    throw new Error(`the conversation is ${promptIds.length} tokens and the reply may be ${req.maxTokens}, more than the model's ` +
      `context of ${room}: lower Max tokens or clear the chat`);
  }
  const signal = { get aborted() { return cancelled(); } };
  const r = await m.generator.generate(promptIds, {
    maxNewTokens: req.maxTokens, temperature: req.temperature, topK: req.topK, seed: req.seed,
    stopIds: stopIds(m.tokenizer, m.format, m.specials, m.extraStops), signal,
  }, (_, ids) => progress(m.tokenizer.decode([...ids]), ids.length));
  return { text: m.tokenizer.decode(r.ids), tokens: r.ids.length, cancelled: r.reason === 'cancelled', promptTokens: promptIds.length };
}
