// A model's chat template, as its tokenizer_config.json gives it (`chat_template`, `bos_token`, `eos_token`),
// rendered with @huggingface/jinja the way transformers' apply_chat_template does: variables `messages`,
// `bos_token`, `eos_token`, `add_generation_prompt`. A model without one gets DEFAULT_CHAT_TEMPLATE (ChatML,
// the format of SmolLM2/Qwen instruct models), whose markers a BPE trained here learns like any text.
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from './layouts';

export const DEFAULT_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface ChatTemplateSpec {
  template: string;
  bosToken: string;
  eosToken: string;
  /** Where it came from, for the report: a tokenizer_config.json path, or 'default (ChatML)'. */
  origin: string;
}

/** tokenizer_config.json's tokens are strings or AddedToken objects ({content: "<s>", ...}). */
function tokenText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return '';
}

/**
 * The template of a parsed tokenizer_config.json: `chat_template` as a string, or as a list of named
 * templates (the one named "default"); DEFAULT_CHAT_TEMPLATE when it has none.
 */
export function chatTemplateFromConfig(config: Record<string, unknown>, origin: string): ChatTemplateSpec {
  let t = config.chat_template;
  if (Array.isArray(t)) t = (t.find((x) => (x as { name?: unknown })?.name === 'default') as { template?: unknown } | undefined)?.template;
  const bosToken = tokenText(config.bos_token), eosToken = tokenText(config.eos_token);
  if (typeof t === 'string' && t.trim() !== '') return { template: t, bosToken, eosToken, origin };
  return { template: DEFAULT_CHAT_TEMPLATE, bosToken, eosToken, origin: `default (ChatML; ${origin} has no chat_template)` };
}

export function defaultChatTemplate(eosToken = ''): ChatTemplateSpec {
  return { template: DEFAULT_CHAT_TEMPLATE, bosToken: '', eosToken, origin: 'default (ChatML)' };
}

export class ChatTemplate {
  private readonly compiled: Template;

  constructor(readonly spec: ChatTemplateSpec) {
    try {
      this.compiled = new Template(spec.template);
    } catch (e) {
      throw new Error(`chat template from ${spec.origin} does not parse: ${(e as Error).message}`);
    }
  }

  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
    return this.compiled.render({
      messages: messages.map((m) => ({ ...m })), bos_token: this.spec.bosToken, eos_token: this.spec.eosToken,
      add_generation_prompt: addGenerationPrompt,
    });
  }
}
