// The prompt format of a generator model folder, read from its files (a Map, as the CLI's folder and the
// page's dropped files both give): the chat template of tokenizer_config.json when there is one.
import { chatTemplateOf } from '../../export/gguf-export';
import { readAll, type ByteSource } from '../../train/checkpoint/byte-source';
import type { Tokenizer } from '../tokenizer/tokenizer';
import { promptFormat, type PromptFormat } from './prompts';

export const TOKENIZER_CONFIG = 'tokenizer_config.json';

/** `plain` ignores a chat template (a base model whose folder carries one it was never tuned on). */
export async function modelPromptFormat(files: ReadonlyMap<string, ByteSource>, tokenizer: Tokenizer, bosId: number, eosId: number,
  plain = false): Promise<PromptFormat> {
  const source = files.get(TOKENIZER_CONFIG);
  if (plain || !source) return promptFormat(tokenizer, bosId, eosId);
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source)));
  } catch (e) {
    throw new Error(`${TOKENIZER_CONFIG} is not valid JSON (${(e as Error).message})`);
  }
  return promptFormat(tokenizer, bosId, eosId, chatTemplateOf(config), config);
}
