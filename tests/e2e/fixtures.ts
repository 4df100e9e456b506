// Input files for the end-to-end tests, cut from ../shared/data so they are real text yet small enough for
// SwiftShader: a JSONL of Moby-Dick chapters, a plain-text file of State of the Union addresses, and files
// that are broken on purpose.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARTIFACTS, ROOT } from './paths';
import { releasedFolder, writeFixture } from '../unit/checkpoint/hf-folder-fixture';

const SHARED = resolve(ROOT, '..', 'shared', 'data');
const INPUTS = resolve(ARTIFACTS, 'inputs');

function records(file: string): Record<string, unknown>[] {
  return readFileSync(resolve(SHARED, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function write(name: string, content: string | Uint8Array): string {
  mkdirSync(INPUTS, { recursive: true });
  const path = resolve(INPUTS, name);
  writeFileSync(path, content);
  return path;
}

/** Chapters 1 to 12 of Moby-Dick as JSON Lines (about 120 KB). */
export function mobyJsonl(): string {
  return write('moby.jsonl', records('moby-dick.jsonl').slice(3, 15).map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/** Four State of the Union addresses as plain text, one document per paragraph (about 45 KB). */
export function sotuText(): string {
  return write('sotu.txt', records('sotu.jsonl').slice(0, 4).map((r) => String(r.text)).join('\n\n'));
}

/** A benchmark whose one sample is the opening of Moby-Dick's chapter 1, which mobyJsonl() holds: decontamination must remove that chapter. */
export function benchmarkJsonl(): { name: string; text: string } {
  const chapter = String(records('moby-dick.jsonl')[3].text);
  return { name: 'bench.jsonl', text: `${JSON.stringify({ question: chapter.slice(0, 1200) })}\n` };
}

/** A file named like Parquet whose bytes are not: unreadable, so the pipeline reports it and goes on. */
export function brokenParquet(): string {
  return write('broken.parquet', 'this is not a parquet file, only text pretending to be one\n'.repeat(20));
}

/** SmolLM's chat format, as its tokenizer_config.json writes it (a ChatML template). */
export const CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * A released-looking chat model folder (sharded BF16 tied Llama, byte-level tokenizer.json, a tokenizer_config.json
 * with CHATML, BOS <|endoftext|> and EOS <|im_end|>) written under inputs/NAME; `context` sets its
 * max_position_embeddings (and model_max_length) when given. Returns the folder's path.
 */
export async function chatModelFolder(name: string, context?: number): Promise<string> {
  const fixture = releasedFolder(context ? { config: { max_position_embeddings: context } } : {});
  fixture.files.set('tokenizer_config.json', new TextEncoder().encode(JSON.stringify({
    bos_token: '<|endoftext|>', eos_token: '<|im_end|>', ...(context ? { model_max_length: context } : {}), chat_template: CHATML,
  })));
  const dir = resolve(INPUTS, name);
  await writeFixture(dir, fixture);
  return dir;
}
