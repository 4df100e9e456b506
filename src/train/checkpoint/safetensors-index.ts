// A model's weights as Hugging Face saves them: one model.safetensors, or shards listed by
// model.safetensors.index.json ({"metadata": {"total_size": N}, "weight_map": {tensor: shard file}}), as
// save_pretrained writes any model past its shard size (5 GB by default; 2 GB for many older releases).
// Both give one view: every tensor by name, read one at a time from its shard and widened to float32, so a
// folder larger than memory loads tensor by tensor.
import { MAX_JSON_DEPTH, tooDeepAt } from '../../data/json-depth';
import { readAll, type ByteSource } from './byte-source';
import { CheckpointError } from './errors';
import { openSafetensors, type SafetensorsReader, type TensorInfo } from './safetensors';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export interface WeightTensor extends TensorInfo {
  /** The shard holding it. */
  readonly file: string;
}

export interface WeightFiles {
  /** The files the weights came from: model.safetensors, or the index then its shards in order. */
  readonly files: readonly string[];
  /** Every tensor, shard by shard in file order. */
  readonly tensors: ReadonlyMap<string, WeightTensor>;
  /** Bytes of tensor data over all shards (what reading every tensor reads). */
  readonly dataBytes: number;
  /** One tensor as float32 (F16 and BF16 widened exactly); the array is the caller's. */
  read(name: string): Promise<Float32Array>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shard of each tensor, from the index's text; refuses, naming the index, anything that is not a flat map
 *  of tensor names to shard files inside the folder. */
export function parseWeightIndex(text: string, fileName = INDEX_FILE): Map<string, string> {
  const fail = (message: string): never => {
    throw new CheckpointError(fileName, message);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(json)) fail('is not a JSON object');
  // Messages below quote values; a value nested thousands deep would overflow the stack while quoting it.
  const deep = tooDeepAt(json);
  if (deep !== null) fail(`${deep}: nests deeper than ${MAX_JSON_DEPTH} levels`);
  const map = (json as Record<string, unknown>).weight_map;
  if (!isRecord(map)) fail(`weight_map: ${map === undefined ? 'is missing' : 'must be an object of tensor name -> shard file'}`);
  const out = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard === '') fail(`weight_map.${tensor}: must be a shard file name, got ${JSON.stringify(shard)}`);
    // Shards sit next to the index; a path would reach outside the folder the user chose.
    if (/[/\\]/.test(shard as string) || shard === '.' || shard === '..') {
      fail(`weight_map.${tensor}: shard ${JSON.stringify(shard)} is not a file name in this folder`);
    }
    if (!(shard as string).endsWith('.safetensors')) fail(`weight_map.${tensor}: shard ${JSON.stringify(shard)} is not a .safetensors file`);
    out.set(tensor, shard as string);
  }
  if (out.size === 0) fail('weight_map: lists no tensors');
  return out;
}

/** Opens the weights of a folder (file name -> source): the sharded index when present, else model.safetensors. */
export async function openWeightFiles(files: ReadonlyMap<string, ByteSource>, folder = 'model folder'): Promise<WeightFiles> {
  const index = files.get(INDEX_FILE);
  if (index) return openSharded(files, index);
  const single = files.get(SINGLE_FILE);
  if (!single) throw new CheckpointError(SINGLE_FILE, `is missing from ${folder}, and so is ${INDEX_FILE}: no weights to read`);
  const reader = await openSafetensors(single, SINGLE_FILE);
  return fromReaders([SINGLE_FILE], [reader]);
}

async function openSharded(files: ReadonlyMap<string, ByteSource>, index: ByteSource): Promise<WeightFiles> {
  const bytes = await readAll(index);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CheckpointError(INDEX_FILE, 'is not UTF-8 text');
  }
  const map = parseWeightIndex(text);
  const shards = [...new Set(map.values())];
  const missing = shards.filter((s) => !files.has(s));
  if (missing.length) throw new CheckpointError(INDEX_FILE, `names shard(s) the folder does not have: ${missing.join(', ')}`);
  const readers: SafetensorsReader[] = [];
  for (const shard of shards) {
    const reader = await openSafetensors(files.get(shard) as ByteSource, shard);
    // Index and shards must agree exactly: a tensor the index does not place here would be loaded from
    // nowhere by transformers, and one the index places here but that is absent is a truncated download.
    for (const name of reader.tensors.keys()) {
      const listed = map.get(name);
      if (listed !== shard) {
        throw new CheckpointError(shard, listed === undefined
          ? `holds ${name}, which ${INDEX_FILE} does not list`
          : `holds ${name}, which ${INDEX_FILE} places in ${listed}`);
      }
    }
    for (const [name, s] of map) {
      if (s === shard && !reader.tensors.has(name)) throw new CheckpointError(shard, `lacks ${name}, which ${INDEX_FILE} places in it`);
    }
    readers.push(reader);
  }
  return fromReaders([INDEX_FILE, ...shards], readers);
}

function fromReaders(files: string[], readers: readonly SafetensorsReader[]): WeightFiles {
  const tensors = new Map<string, WeightTensor>();
  const byName = new Map<string, SafetensorsReader>();
  let dataBytes = 0;
  for (const r of readers) {
    for (const t of r.tensors.values()) {
      tensors.set(t.name, { ...t, file: r.fileName });
      byName.set(t.name, r);
      dataBytes += t.end - t.begin;
    }
  }
  return {
    files, tensors, dataBytes,
    read(name) {
      const r = byName.get(name);
      if (!r) throw new CheckpointError(files[0], `has no tensor named ${name}`);
      return r.read(name);
    },
  };
}
