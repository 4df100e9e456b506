// A conversation turned into the ids a model continues, the way transformers' apply_chat_template does it:
// the model's chat template (tokenizer_config.json `chat_template`, Jinja, rendered with @huggingface/jinja)
// with `messages`, `bos_token`, `eos_token` and `add_generation_prompt`, then tokenized with the model's
// special tokens recognised as whole tokens first (`<|im_start|>` is one id, not eleven bytes) and no BOS
// added: the template writes it where the model wants it. A model without a template gets CHATML_TEMPLATE
// (SmolLM2's and Qwen's format) led by the BOS token, since Leveret trains every document as BOS + text.
import { Template } from '@huggingface/jinja';
import type { Tokenizer, TokenizerJSON } from '../data/tokenizer/tokenizer';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export const CHATML_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Turn-end markers of the common chat formats: generation stops at whichever the tokenizer has as a token. */
const TURN_ENDS = ['<|im_end|>', '<|eot_id|>', '<|end|>', '<end_of_turn>', '</s>'];

export interface ChatFormat {
  readonly template: string;
  /** 'tokenizer_config.json' or the default's description, for the chat box. */
  readonly origin: string;
  readonly bosToken: string;
  readonly eosToken: string;
}

/** tokenizer_config.json names tokens as strings or as AddedToken objects ({content: "<s>", ...}). */
function tokenText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return '';
}

/** The format of a parsed tokenizer_config.json (null: none in the folder); the BOS/EOS strings fall back to the tokenizer's. */
export function chatFormat(tokenizerConfig: Record<string, unknown> | null, tokenizer: Tokenizer): ChatFormat {
  const json = tokenizer.toJSON();
  const bos = tokenText(tokenizerConfig?.bos_token) || tokenById(json, tokenizer.bosId) || '';
  const eos = tokenText(tokenizerConfig?.eos_token) || tokenById(json, tokenizer.eosId) || '';
  let t = tokenizerConfig?.chat_template;
  // Some releases list several named templates; "default" is the one apply_chat_template uses.
  if (Array.isArray(t)) t = (t.find((x) => (x as { name?: unknown })?.name === 'default') as { template?: unknown } | undefined)?.template;
  if (typeof t === 'string' && t.trim() !== '') return { template: t, origin: 'tokenizer_config.json', bosToken: bos, eosToken: eos };
  return { template: CHATML_TEMPLATE, origin: 'ChatML (the model has no chat template)', bosToken: bos, eosToken: eos };
}

export function renderChat(format: ChatFormat, messages: readonly ChatTurn[]): string {
  let compiled: Template;
  try {
    compiled = new Template(format.template);
  } catch (e) {
    throw new Error(`the chat template (${format.origin}) does not parse: ${(e as Error).message}`);
  }
  try {
    return compiled.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      bos_token: format.bosToken, eos_token: format.eosToken, add_generation_prompt: true,
    });
  } catch (e) {
    throw new Error(`the chat template (${format.origin}) failed: ${(e as Error).message}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function tokenById(json: TokenizerJSON, id: number): string | undefined {
  if (!Array.isArray(json.added_tokens)) return undefined;
  for (const t of json.added_tokens) if (isRecord(t) && t.id === id && typeof t.content === 'string') return t.content;
  return undefined;
}

/** The added tokens marked special, content -> id (what the tokenizers library splits out before the model runs). */
export function specialTokens(json: TokenizerJSON): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(json.added_tokens)) return out;
  for (const t of json.added_tokens) {
    if (isRecord(t) && t.special === true && typeof t.content === 'string' && t.content !== '' && typeof t.id === 'number') out.set(t.content, t.id);
  }
  return out;
}

/** Text to ids with each special token's text as its one id and the text between through `encode`. */
export function encodeWithSpecials(tokenizer: Tokenizer, text: string, specials: ReadonlyMap<string, number>): number[] {
  if (specials.size === 0) return tokenizer.encode(text);
  // Longest first, so "<|im_start|>" is not cut by a shorter token that is its prefix.
  const names = [...specials.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const ids: number[] = [];
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > at) ids.push(...tokenizer.encode(text.slice(at, m.index)));
    ids.push(specials.get(m[0]) as number);
    at = m.index + m[0].length;
  }
  if (at < text.length) ids.push(...tokenizer.encode(text.slice(at)));
  return ids;
}

/** Where a reply ends: the EOS ids (the tokenizer's and config.json's) and any turn-end marker the tokenizer has. */
export function stopIds(tokenizer: Tokenizer, format: ChatFormat, specials: ReadonlyMap<string, number>, extra: readonly number[] = []): number[] {
  const ids = new Set<number>([tokenizer.eosId, ...extra].filter((i) => i >= 0));
  for (const name of [format.eosToken, ...TURN_ENDS]) {
    const id = specials.get(name);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}
