// dataset.json checked field by field before a run starts, so a truncated or hand-edited manifest is
// refused up front with the file and the field at fault, not later as a TypeError inside the sampler.
import { dtypeFor, type DatasetManifest } from '../data/pack/manifest';
import { InputError } from './args';

/** Shard names are plain file names beside the manifest: no folders, nothing outside the dataset. */
const SHARD_NAME = /^[A-Za-z0-9._-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

export function checkManifest(json: unknown, file: string): DatasetManifest {
  const fail = (field: string, why: string): never => { throw new InputError(`${file}: ${field} ${why}`); };
  if (!isObject(json)) return fail('the top level', 'is not a JSON object');
  if (json.version !== 1) fail('version', `is ${JSON.stringify(json.version)}; this Leveret reads version 1`);
  if (!isInt(json.packLength, 2)) fail('packLength', 'must be an integer of at least 2');
  if (!isInt(json.vocabSize, 1)) fail('vocabSize', 'must be a positive integer');
  const vocab = json.vocabSize as number;
  if (json.dtype !== dtypeFor(vocab)) fail('dtype', `is ${JSON.stringify(json.dtype)}; a vocabulary of ${vocab} is stored as ${dtypeFor(vocab)}`);
  if (json.tokenizer !== 'tokenizer.json') fail('tokenizer', 'must be "tokenizer.json"');
  if (!isInt(json.bosId, -1) || (json.bosId as number) >= vocab) fail('bosId', `must be an id below ${vocab} (or -1 for none)`);
  if (!isInt(json.eosId, 0) || (json.eosId as number) >= vocab) fail('eosId', `must be an id below ${vocab}`);
  if (!isInt(json.seed, 0)) fail('seed', 'must be a non-negative integer');
  if (typeof json.valFraction !== 'number' || !(json.valFraction >= 0 && json.valFraction < 1)) fail('valFraction', 'must be a number in [0, 1)');
  if (!Array.isArray(json.sources) || json.sources.length === 0) return fail('sources', 'must be a non-empty list');
  let trainSequences = 0;
  json.sources.forEach((s: unknown, i: number) => {
    const at = `sources[${i}]`;
    if (!isObject(s)) return fail(at, 'is not an object');
    if (typeof s.name !== 'string' || s.name === '') fail(`${at}.name`, 'must be a non-empty string');
    if (typeof s.category !== 'string') fail(`${at}.category`, 'must be a string');
    if (typeof s.weight !== 'number' || !(s.weight >= 0 && Number.isFinite(s.weight))) fail(`${at}.weight`, 'must be a finite number ≥ 0');
    if (!isInt(s.tokens, 0)) fail(`${at}.tokens`, 'must be a non-negative integer');
    if (!isInt(s.records, 0)) fail(`${at}.records`, 'must be a non-negative integer');
    for (const split of ['train', 'val'] as const) {
      const shards = s[split];
      if (!Array.isArray(shards)) return fail(`${at}.${split}`, 'must be a list of shards');
      shards.forEach((r: unknown, k: number) => {
        const rat = `${at}.${split}[${k}]`;
        if (!isObject(r)) return fail(rat, 'is not an object');
        if (typeof r.file !== 'string' || !SHARD_NAME.test(r.file)) fail(`${rat}.file`, 'must be a file name beside dataset.json');
        if (!isInt(r.sequences, 0)) fail(`${rat}.sequences`, 'must be a non-negative integer');
        if (split === 'train' && (s.weight as number) > 0) trainSequences += r.sequences as number;
      });
    }
  });
  if (trainSequences === 0) fail('sources', 'hold no training sequence in a source of weight above 0: nothing to train on');
  return json as unknown as DatasetManifest;
}
