// Prompts for synthetic text: a seed (seeds.ts) rendered by one of a few Jinja templates into an instruction,
// then, when the generator model has a chat template (tokenizer_config.json's chat_template), wrapped as a
// user turn so an instruction-tuned model is asked the way it was trained. A base model gets the instruction
// as plain text after BOS, as `npm run sample` prompts it, and continues it.
import { Template } from '@huggingface/jinja';
import { hashUnit } from '../rng';
import { compileTemplate } from '../tasks/jinja-check';
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { Seed } from './seeds';

/** What a synthesis template sees: the seed's topic phrase, its excerpt, the cluster's top words, the source
 *  and `row` (the seed record's own fields). */
export const SYNTH_VARIABLES: readonly string[] = ['topic', 'excerpt', 'terms', 'source', 'row'];

/** HARE's kinds of synthetic text: textbook prose, explanation, Q&A and story, each from a topic and an excerpt. */
export const DEFAULT_SYNTH_TEMPLATES: Readonly<Record<string, string>> = {
  textbook: 'Write a textbook passage about {{ topic }}. It may start from this sentence: "{{ excerpt }}"',
  student: 'Explain {{ topic }} to a student, step by step, with an example. Here is something related: "{{ excerpt }}"',
  qa: 'Write a question a curious reader might ask about {{ topic }}, then answer it in a full paragraph. Context: "{{ excerpt }}"',
  story: 'Write a short story that involves {{ topic }}. Let it begin like this: "{{ excerpt }}"',
};

/** Salts of the per-seed hashes (template choice, sampler seed), apart from the seed draw's. */
export const TEMPLATE_SALT = 0x74706c;
export const SAMPLER_SALT = 0x736d706c;

export interface SynthTemplate { readonly name: string; readonly source: string; readonly compiled: Template }

/** Compiles templates (name -> Jinja), refusing a syntax error or an unknown variable with the template's name. */
export function compileSynthTemplates(templates: Readonly<Record<string, string>>, where = 'templates'): SynthTemplate[] {
  const out: SynthTemplate[] = [];
  for (const [name, source] of Object.entries(templates)) {
    if (typeof source !== 'string' || source.trim() === '') throw new Error(`${where}: template "${name}" is not a non-empty string`);
    const c = compileTemplate(source, SYNTH_VARIABLES);
    if ('error' in c) throw new Error(`${where}: template "${name}": ${c.error.replace(/\(this layout has .*\)$/, `(a synthesis template has ${SYNTH_VARIABLES.join(', ')})`)}`);
    out.push({ name, source, compiled: c });
  }
  if (out.length === 0) throw new Error(`${where}: no template`);
  return out;
}

/** A --templates file: a JSON object of name -> template, or an array of templates (named t0, t1, ...). */
export function parseSynthTemplateFile(text: string, fileName: string): SynthTemplate[] {
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new Error(`${fileName}: not valid JSON (${(e as Error).message})`); }
  if (Array.isArray(json)) return compileSynthTemplates(Object.fromEntries(json.map((t, i) => [`t${i}`, t as string])), fileName);
  if (json === null || typeof json !== 'object') throw new Error(`${fileName}: expected an object of name -> Jinja template, or an array of templates`);
  return compileSynthTemplates(json as Record<string, string>, fileName);
}

/** The template of seed `index`: fixed by the seed, spread evenly over the templates. */
export function templateOf(templates: readonly SynthTemplate[], seed: number, index: number): SynthTemplate {
  return templates[Math.floor(hashUnit(seed, TEMPLATE_SALT, index) * templates.length)];
}

/** The sampler's seed for seed `index`: a sample depends on its index alone, so a resumed run repeats it. */
export function samplerSeedOf(seed: number, index: number): number {
  return Math.floor(hashUnit(seed, SAMPLER_SALT, index) * 0x7fffffff);
}

export function renderInstruction(t: SynthTemplate, s: Seed): string {
  return t.compiled.render({ topic: s.topic, excerpt: s.excerpt, terms: [...s.terms], source: s.source, row: s.row }).trim();
}

/** tokenizer_config.json's special token: a string or an AddedToken object ({content}). */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const c = (v as { content?: unknown } | null)?.content;
  return typeof c === 'string' ? c : undefined;
}

/** How instructions become token ids for this model. */
export interface PromptFormat {
  /** 'chat' when tokenizer_config.json has a chat template, else 'plain'. */
  readonly kind: 'chat' | 'plain';
  /** Token ids that end a sample: EOS, and with a chat template the end of its turn. */
  readonly stopIds: readonly number[];
  /** The text given to the tokenizer (after the chat template). */
  text(instruction: string): string;
  ids(instruction: string): number[];
}

/**
 * The model's prompt format. `chatTemplate` is tokenizer_config.json's (see chatTemplateOf), `tokenizerConfig`
 * the parsed file for its bos/eos strings. A plain prompt is BOS + the instruction and a blank line; a chat
 * prompt is the template's rendering of one user turn with the generation prompt, BOS prepended as an id
 * when the template writes it (so it is never spelled as text).
 */
export function promptFormat(tokenizer: Tokenizer, bosId: number, eosId: number, chatTemplate?: string, tokenizerConfig?: unknown): PromptFormat {
  if (chatTemplate === undefined) {
    return { kind: 'plain', stopIds: [eosId], text: (i) => `${i}\n\n`, ids: (i) => [bosId, ...tokenizer.encode(`${i}\n\n`)] };
  }
  const cfg = (tokenizerConfig ?? {}) as Record<string, unknown>;
  const bos = tokenText(cfg.bos_token), eos = tokenText(cfg.eos_token);
  let t: Template;
  try { t = new Template(chatTemplate); } catch (e) { throw new Error(`tokenizer_config.json: chat_template does not parse (${(e as Error).message})`); }
  const text = (instruction: string) =>
    t.render({ messages: [{ role: 'user', content: instruction }], add_generation_prompt: true, bos_token: bos ?? '', eos_token: eos ?? '' });
  // The chat's end-of-turn token, when it is one token (an added token): <|im_end|>, <|eot_id|>, </s>...
  const stopIds = [eosId];
  if (eos !== undefined) { const e = tokenizer.encode(eos); if (e.length === 1 && !stopIds.includes(e[0])) stopIds.push(e[0]); }
  return {
    kind: 'chat', stopIds,
    text,
    ids(instruction) {
      const s = text(instruction);
      if (bos && s.startsWith(bos)) return [bosId, ...tokenizer.encode(s.slice(bos.length))];
      const ids = tokenizer.encode(s);
      return ids.length > 0 ? ids : [bosId];
    },
  };
}
