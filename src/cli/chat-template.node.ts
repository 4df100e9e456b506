// Where `npm run data` finds the chat template for SFT sources: --chat-template FILE (a tokenizer_config.json,
// or a Jinja file whose bos_token/eos_token come from the tokenizer_config.json beside the tokenizer), else the
// tokenizer_config.json beside the --tokenizer file, as a Hugging Face model folder holds them. Each template is
// compiled here, so one that does not parse is refused naming its file before any data is read.
import { stat, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ChatTemplate, chatTemplateFromConfig, defaultChatTemplate, type ChatTemplateSpec } from '../data/sft/chat-template';
import { InputError } from './args';
import { readJSONFile } from './read-json.node';

const CONFIG_FILE = 'tokenizer_config.json';

function compiled(spec: ChatTemplateSpec, option: string): ChatTemplateSpec {
  try { new ChatTemplate(spec); } catch (e) { throw new InputError(`${option}${(e as Error).message}`); }
  return spec;
}

async function configAt(path: string): Promise<Record<string, unknown>> {
  const json = await readJSONFile(path, CONFIG_FILE);
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new InputError(`${path}: the ${CONFIG_FILE} is not a JSON object`);
  return json as Record<string, unknown>;
}

/** The tokenizer_config.json in `dir` as a template spec (ChatML when it has no chat_template), or null without one. */
export async function chatTemplateInFolder(dir: string): Promise<ChatTemplateSpec | null> {
  const path = join(dir, CONFIG_FILE);
  if (!(await stat(path).catch(() => null))?.isFile()) return null;
  return compiled(chatTemplateFromConfig(await configAt(path), path), '');
}

/**
 * The template for SFT sources: `file` when given (`.json`: a tokenizer_config.json; anything else: Jinja text),
 * else the tokenizer_config.json beside `tokenizerPath`, else ChatML.
 */
export async function resolveChatTemplate(file: string | undefined, tokenizerPath: string | undefined): Promise<ChatTemplateSpec> {
  const beside = tokenizerPath ? await chatTemplateInFolder(dirname(tokenizerPath)) : null;
  if (!file) return beside ?? defaultChatTemplate();
  if (file.endsWith('.json')) return compiled(chatTemplateFromConfig(await configAt(file), file), '--chat-template ');
  let template: string;
  try { template = await readFile(file, 'utf8'); } catch { throw new InputError(`--chat-template ${file}: no such file`); }
  return compiled({ template, bosToken: beside?.bosToken ?? '', eosToken: beside?.eosToken ?? '', origin: file }, '--chat-template ');
}
