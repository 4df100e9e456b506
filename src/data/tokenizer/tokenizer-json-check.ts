// Checks that a value is a tokenizer.json Hugging Face's libraries can load, and says which field is wrong when it
// is not: a user who drops the wrong file on the page should read "model.merges[12] ..." rather than a stack
// trace from deep inside a tokenizer.

import { MAX_JSON_DEPTH, tooDeepAt } from '../json-depth';
import type { AddedToken } from './bpe-spec';
import { checkComponentFields } from './tokenizer-json-components';
import { checkPostProcessor } from './tokenizer-json-post-processor';

export class TokenizerJSONError extends Error {
  constructor(message: string) {
    super(`tokenizer.json: ${message}`);
    this.name = 'TokenizerJSONError';
  }
}

type Obj = Record<string, unknown>;

export interface CheckedTokenizerJSON {
  readonly root: Obj;
  readonly model: Obj;
  /** model.type, or what Hugging Face infers when it is missing ('BPE' when there are merges). */
  readonly modelType: string | null;
  readonly addedTokens: readonly AddedToken[];
  /** Some added token asks to match whole words only (single_word). */
  readonly anySingleWord: boolean;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Ids must stay below this. The largest published vocabularies hold 262,144 tokens; a bigger id is a corrupt
 * or hostile file, and both our tokenizer and Hugging Face's size tables by the largest id (one id of
 * 2147483647 kept the library busy for minutes).
 */
export const MAX_TOKEN_ID = 1 << 21;

const MAX_ADDED_TOKEN_CHARS = 1024;

function checkId(path: string, v: unknown): number {
  if (!isId(v)) throw new TokenizerJSONError(`${path} must be a non-negative integer id, got ${JSON.stringify(v)}`);
  if (v >= MAX_TOKEN_ID) throw new TokenizerJSONError(`${path} is ${v}, above the largest id Leveret accepts (${MAX_TOKEN_ID - 1})`);
  return v;
}

const SEQUENCE_FIELDS: Record<string, string> = {
  normalizer: 'normalizers',
  pre_tokenizer: 'pretokenizers',
  post_processor: 'processors',
  decoder: 'decoders',
};

/** A pipeline component is null or an object with a string `type`; a Sequence's members are checked too. */
function checkComponent(path: string, v: unknown, listField: string): void {
  if (v === null || v === undefined) return;
  if (!isObj(v)) throw new TokenizerJSONError(`${path} must be an object or null, got ${kind(v)}`);
  if (typeof v.type !== 'string') throw new TokenizerJSONError(`${path}.type must be a string, got ${kind(v.type)}`);
  if (v.type !== 'Sequence') {
    checkComponentFields(path, v, listField);
    return;
  }
  const list = v[listField];
  if (!Array.isArray(list)) throw new TokenizerJSONError(`${path}.${listField} must be an array, got ${kind(list)}`);
  list.forEach((item, i) => {
    if (item === null) throw new TokenizerJSONError(`${path}.${listField}[${i}] must be an object, got null`);
    checkComponent(`${path}.${listField}[${i}]`, item, listField);
  });
}

function checkAddedTokens(v: unknown): { tokens: AddedToken[]; anySingleWord: boolean } {
  if (v === undefined || v === null) return { tokens: [], anySingleWord: false };
  if (!Array.isArray(v)) throw new TokenizerJSONError(`added_tokens must be an array, got ${kind(v)}`);
  let anySingleWord = false;
  const tokens = v.map((t, i): AddedToken => {
    const at = `added_tokens[${i}]`;
    if (!isObj(t)) throw new TokenizerJSONError(`${at} must be an object, got ${kind(t)}`);
    checkId(`${at}.id`, t.id);
    if (typeof t.content !== 'string') throw new TokenizerJSONError(`${at}.content must be a string, got ${kind(t.content)}`);
    // Added tokens are matched by one regular expression built from all of them; a megabyte token makes it
    // too large to compile. Real ones are short markers like <|endoftext|>.
    if (t.content.length > MAX_ADDED_TOKEN_CHARS) {
      throw new TokenizerJSONError(`${at}.content is ${t.content.length} characters long, more than the ${MAX_ADDED_TOKEN_CHARS} Leveret accepts`);
    }
    for (const flag of ['special', 'normalized', 'lstrip', 'rstrip', 'single_word']) {
      if (t[flag] !== undefined && typeof t[flag] !== 'boolean') {
        throw new TokenizerJSONError(`${at}.${flag} must be true or false, got ${JSON.stringify(t[flag])}`);
      }
    }
    if (t.single_word === true) anySingleWord = true;
    const special = t.special === true;
    return {
      id: t.id as number,
      content: t.content,
      special,
      // Hugging Face's default: special tokens are matched in the raw text, others in the normalized text.
      normalized: typeof t.normalized === 'boolean' ? t.normalized : !special,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
    };
  });
  return { tokens, anySingleWord };
}

/** One merge as its two halves: "left right" (one space) or [left, right]. */
export function mergeParts(m: unknown, i: number): [string, string] {
  if (typeof m === 'string') {
    const parts = m.split(' ');
    if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return [parts[0], parts[1]];
  } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
    return [m[0], m[1]];
  }
  throw new TokenizerJSONError(`model.merges[${i}] must be "left right" (one space) or [left, right], got ${JSON.stringify(m)}`);
}

function checkVocabObject(vocab: unknown): Obj {
  if (!isObj(vocab)) throw new TokenizerJSONError(`model.vocab must be an object mapping tokens to ids, got ${kind(vocab)}`);
  for (const [tok, id] of Object.entries(vocab)) checkId(`model.vocab[${JSON.stringify(tok)}]`, id);
  return vocab;
}

function checkBpeModel(model: Obj): void {
  const vocab = checkVocabObject(model.vocab);
  if (!Array.isArray(model.merges)) throw new TokenizerJSONError(`model.merges must be an array, got ${kind(model.merges)}`);
  model.merges.forEach((m, i) => {
    const [a, b] = mergeParts(m, i);
    for (const part of [a, b]) {
      if (!Object.hasOwn(vocab, part)) throw new TokenizerJSONError(`model.merges[${i}]: ${JSON.stringify(part)} is not in model.vocab`);
    }
    if (!Object.hasOwn(vocab, a + b)) {
      throw new TokenizerJSONError(`model.merges[${i}]: the merged token ${JSON.stringify(a + b)} is not in model.vocab`);
    }
  });
  for (const field of ['unk_token', 'continuing_subword_prefix', 'end_of_word_suffix']) {
    const v = model[field];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new TokenizerJSONError(`model.${field} must be a string or null, got ${kind(v)}`);
  }
  for (const field of ['fuse_unk', 'byte_fallback', 'ignore_merges']) {
    const v = model[field];
    if (v !== undefined && v !== null && typeof v !== 'boolean') throw new TokenizerJSONError(`model.${field} must be true or false, got ${JSON.stringify(v)}`);
  }
}

function checkUnigramModel(model: Obj): void {
  if (!Array.isArray(model.vocab)) throw new TokenizerJSONError(`model.vocab must be an array of [token, score] for Unigram, got ${kind(model.vocab)}`);
  // A Unigram token's id is its place in the list.
  if (model.vocab.length > MAX_TOKEN_ID) throw new TokenizerJSONError(`model.vocab has ${model.vocab.length} entries, more than the ${MAX_TOKEN_ID} Leveret accepts`);
  model.vocab.forEach((e, i) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number') {
      throw new TokenizerJSONError(`model.vocab[${i}] must be [token, score], got ${JSON.stringify(e)}`);
    }
  });
  // The unknown token's id is a place in that list; one past its end comes out of encode as an id with no token.
  const unk = model.unk_id;
  if (unk !== undefined && unk !== null && !(isId(unk) && unk < model.vocab.length)) {
    throw new TokenizerJSONError(`model.unk_id must be an index into model.vocab (below ${model.vocab.length}), got ${JSON.stringify(unk)}`);
  }
}

/** Parses (when given text) and checks a tokenizer.json; throws TokenizerJSONError naming the bad field. */
export function checkTokenizerJSON(input: unknown): CheckedTokenizerJSON {
  let root = input;
  if (typeof input === 'string') {
    try {
      root = JSON.parse(input);
    } catch (e) {
      throw new TokenizerJSONError(`not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (!isObj(root)) throw new TokenizerJSONError(`expected an object at the top level, got ${kind(root)}`);
  // Before any recursive walk (ours, structuredClone, the fingerprint, the library's constructors).
  const deep = tooDeepAt(root);
  if (deep !== null) throw new TokenizerJSONError(`nests more than ${MAX_JSON_DEPTH} levels deep (at ${deep}); no tokenizer.json needs that`);
  if (!('model' in root)) throw new TokenizerJSONError('missing field "model"');
  const model = root.model;
  if (!isObj(model)) throw new TokenizerJSONError(`model must be an object, got ${kind(model)}`);
  if (model.type !== undefined && typeof model.type !== 'string') throw new TokenizerJSONError(`model.type must be a string, got ${kind(model.type)}`);
  for (const [field, list] of Object.entries(SEQUENCE_FIELDS)) checkComponent(field, root[field], list);
  checkPostProcessor('post_processor', root.post_processor);
  const { tokens, anySingleWord } = checkAddedTokens(root.added_tokens);

  let modelType = typeof model.type === 'string' ? model.type : null;
  if (modelType === null && 'merges' in model) modelType = 'BPE';
  if (modelType === 'BPE') checkBpeModel(model);
  else if (modelType === 'WordPiece' || modelType === 'WordLevel') checkVocabObject(model.vocab);
  else if (modelType === 'Unigram') checkUnigramModel(model);
  else if (modelType === null && !('vocab' in model)) throw new TokenizerJSONError('model.type is missing and model has no vocab');
  return { root, model, modelType, addedTokens: tokens, anySingleWord };
}
