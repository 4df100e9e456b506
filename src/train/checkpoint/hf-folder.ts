// A released Hugging Face model folder (LlamaForCausalLM or MistralForCausalLM: config.json, tokenizer.json,
// model.safetensors or an index with shards) opened for continued training or evaluation. Takes the folder
// as file name -> random-access source, so the CLI passes file handles and the page can pass dropped Files
// (blobSource) to the same reader. Opening reads only config, tokenizer and the tensor headers; weights are
// read one tensor at a time by loadWeights, so a 2.2 GB BF16 folder never sits whole in memory.
import type { ModelConfig } from '../../model/config';
import { LM_HEAD, numel, paramSpecs } from '../../model/params';
import { loadTokenizerJSON } from '../../data/tokenizer/load-tokenizer-json';
import type { Tokenizer, TokenizerJSON } from '../../data/tokenizer/tokenizer';
import { MAX_JSON_DEPTH, tooDeepAt } from '../../data/json-depth';
import { readAll, type ByteSource } from './byte-source';
import { CheckpointError } from './errors';
import { configFromHF } from './hf-config';
import { openWeightFiles, type WeightFiles } from './safetensors-index';

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';

export interface HFModelFolder {
  readonly config: ModelConfig;
  /** config.json's ids (the first, where eos_token_id lists several). */
  readonly bosId: number;
  readonly eosId: number;
  readonly tokenizer: Tokenizer;
  readonly tokenizerJSON: TokenizerJSON;
  readonly weights: WeightFiles;
  /** Bytes of the tensors the model uses, as stored (BF16: 2 per value). */
  readonly paramBytes: number;
  /** Accepted but worth telling the user: ignored tensors, special ids that differ between the files. */
  readonly warnings: readonly string[];
}

// Older transformers releases saved RoPE's inverse frequencies as a buffer; they follow from rope_theta.
const DERIVED = /\.rotary_emb\.inv_freq$/;
const LIST_AT_MOST = 5;
const listNames = (names: readonly string[]): string =>
  names.length <= LIST_AT_MOST ? names.join(', ') : `${names.slice(0, LIST_AT_MOST).join(', ')} and ${names.length - LIST_AT_MOST} more`;

async function readJSON(files: ReadonlyMap<string, ByteSource>, name: string, folder: string): Promise<unknown> {
  const source = files.get(name);
  // Named by the missing file, not the folder: callers prefix the folder (`--init-from DIR: ...`).
  if (!source) throw new CheckpointError(name, `is missing from ${folder} (a model folder holds ${CONFIG_FILE}, ${TOKENIZER_FILE} and its weights)`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source)));
  } catch (e) {
    throw new CheckpointError(name, `is not valid JSON (${(e as Error).message})`);
  }
  // The checks after this quote values and walk the tokenizer recursively: refuse absurd nesting first.
  const deep = tooDeepAt(json);
  if (deep !== null) throw new CheckpointError(name, `${deep}: nests deeper than ${MAX_JSON_DEPTH} levels`);
  return json;
}

export async function openHFFolder(files: ReadonlyMap<string, ByteSource>, folder = 'model folder'): Promise<HFModelFolder> {
  const { config, bosId, eosId } = configFromHF(await readJSON(files, CONFIG_FILE, folder), CONFIG_FILE);
  const tokenizerJSON = (await readJSON(files, TOKENIZER_FILE, folder)) as TokenizerJSON;
  let tokenizer: Tokenizer;
  try {
    tokenizer = loadTokenizerJSON(tokenizerJSON, { name: `${folder}/${TOKENIZER_FILE}` });
  } catch (e) {
    // The tokenizer's own errors already start with "tokenizer.json:".
    const m = (e as Error).message;
    throw new CheckpointError(TOKENIZER_FILE, m.startsWith(`${TOKENIZER_FILE}: `) ? m.slice(TOKENIZER_FILE.length + 2) : m);
  }
  // Released models often pad the embedding past the tokenizer (to a multiple of 64); the reverse would
  // feed ids the embedding has no row for.
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new CheckpointError(TOKENIZER_FILE, `defines ${tokenizer.vocabSize} tokens, more than config.json's vocab_size ${config.vocabSize}`);
  }
  const warnings: string[] = [];
  for (const [role, ours, theirs] of [['BOS', bosId, tokenizer.bosId], ['EOS', eosId, tokenizer.eosId]] as const) {
    if (theirs !== ours) {
      warnings.push(`${CONFIG_FILE} says the ${role} token is ${ours}, ${TOKENIZER_FILE}'s conventional ${role} is ${theirs}; ` +
        `data is prepared with ${TOKENIZER_FILE}'s`);
    }
  }

  const weights = await openWeightFiles(files, folder);
  // Compared before the tensor list is built from config.json: a layer count of 10^9 would build 10^10 specs.
  const layers = new Set([...weights.tensors.keys()].map((n) => /^model\.layers\.(\d+)\./.exec(n)?.[1]).filter((l) => l !== undefined));
  if (layers.size !== config.nLayers) {
    throw new CheckpointError(CONFIG_FILE, `num_hidden_layers is ${config.nLayers}, the weights (${weights.files[0]}) hold ${layers.size} layers`);
  }
  const specs = paramSpecs(config);
  const where = (name: string) => weights.tensors.get(name)?.file ?? weights.files[0];
  const missing = specs.filter((s) => !weights.tensors.has(s.name)).map((s) => s.name);
  if (missing.length) {
    const hint = missing.includes(LM_HEAD) && missing.length === 1 ? ` (if this model ties its head to the embedding, config.json needs "tie_word_embeddings": true)` : '';
    throw new CheckpointError(weights.files[0], `is missing ${missing.length} tensor(s) config.json needs: ${listNames(missing)}${hint}`);
  }
  let paramBytes = 0;
  for (const s of specs) {
    const t = weights.tensors.get(s.name)!;
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new CheckpointError(t.file, `${s.name} has shape [${t.shape.join(', ')}], config.json needs [${s.shape.join(', ')}]`);
    }
    paramBytes += t.end - t.begin;
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = [...weights.tensors.keys()].filter((n) => !known.has(n));
  // A tied model saved with its head written out anyway holds a copy of the embedding: transformers ties
  // over it on load, and so does Leveret.
  const ignorable = (n: string) => DERIVED.test(n) || (config.tieWordEmbeddings === true && n === LM_HEAD);
  const refused = extra.filter((n) => !ignorable(n));
  if (refused.length) {
    throw new CheckpointError(where(refused[0]),
      `has ${refused.length} tensor(s) config.json does not account for: ${listNames(refused)} (biases, or config.json from another model?)`);
  }
  if (extra.length) warnings.push(`ignored ${listNames(extra)} (derived from rope_theta, or a tied head's copy of the embedding)`);
  return { config, bosId, eosId, tokenizer, tokenizerJSON, weights, paramBytes, warnings };
}

export interface LoadProgress {
  readonly name: string;        // the tensor just loaded
  readonly tensors: number;     // tensors loaded so far
  readonly totalTensors: number;
  readonly bytes: number;       // stored bytes read so far
  readonly totalBytes: number;
}

/**
 * Reads the model's tensors one at a time and hands each to `write` (a GPU upload) before reading the next,
 * so at most one tensor (as stored and as float32) is in memory; `onProgress` after each.
 */
export async function loadWeights(folder: HFModelFolder,
  write: (name: string, values: Float32Array) => void | Promise<void>,
  onProgress?: (p: LoadProgress) => void): Promise<void> {
  const specs = paramSpecs(folder.config);
  let bytes = 0;
  for (let i = 0; i < specs.length; i++) {
    const { name, shape } = specs[i];
    const values = await folder.weights.read(name);
    if (values.length !== numel(shape)) throw new CheckpointError(folder.weights.tensors.get(name)!.file, `${name} read back ${values.length} values`);
    await write(name, values);
    const t = folder.weights.tensors.get(name)!;
    bytes += t.end - t.begin;
    onProgress?.({ name, tensors: i + 1, totalTensors: specs.length, bytes, totalBytes: folder.paramBytes });
  }
}
