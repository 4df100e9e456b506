// What the checkpoint families share: a real tiny checkpoint from the project's own writer (as files and as
// the zip the page exports), and one way to import it that follows the worker: readCheckpoint with the
// tokenizer loaded for its fingerprint, then every parameter and moment read, as Trainer.restore does.
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import { tokenizerFingerprint } from '../../../src/data/tokenizer/fingerprint';
import type { TokenizerJSON } from '../../../src/data/tokenizer/tokenizer';
import { paramSpecs } from '../../../src/model/params';
import { bodyBytes, bytesSource, type ByteSource } from '../../../src/train/checkpoint/byte-source';
import { buildCheckpoint, CHECKPOINT_FILES } from '../../../src/train/checkpoint/checkpoint';
import { readCheckpoint, type LoadedCheckpoint } from '../../../src/train/checkpoint/checkpoint-read';
import { expAvgName, expAvgSqName } from '../../../src/train/checkpoint/trainer-state';
import { zipChunks } from '../../../src/train/checkpoint/zip-write';
import { collect, tinyInput } from '../../unit/checkpoint/fixtures';

/** The worker's fingerprint: the tokenizer is loaded (and so checked) first. */
export const fingerprint = (json: TokenizerJSON): string => tokenizerFingerprint(loadTokenizerJSON(json));

const tiny = tinyInput();
/** The saved run: the fixture's, with the worker's tokenizer fingerprint and a data cursor that fits the
 *  trainer-state family's dataset (one source "web" of 4 windows). */
export const input = {
  ...tiny,
  trainerState: {
    ...tiny.trainerState,
    tokenizerFingerprint: fingerprint(tiny.tokenizerJSON),
    sampler: { version: 1 as const, rng: [11, 22, 33, 44] as [number, number, number, number], sources: [{ name: 'web', epoch: 2, position: 3 }] },
  },
};

let files: Promise<Map<string, Uint8Array>> | undefined;
/** The checkpoint's files as bytes, built once per process. */
export function checkpointBytes(): Promise<Map<string, Uint8Array>> {
  files ??= (async () => {
    const out = new Map<string, Uint8Array>();
    for (const [name, body] of buildCheckpoint(input)) out.set(name, await bodyBytes(name, body));
    return out;
  })();
  return files;
}

const zips = new Map<boolean, Promise<Uint8Array>>();
/** The checkpoint as the page exports it: zipChunks under a folder, tensors stored, JSON deflated; with
 *  `zip64`, every record in its Zip64 form, as the writer does past 4 GB. */
export function checkpointZip(zip64 = false): Promise<Uint8Array> {
  if (!zips.has(zip64)) {
    zips.set(zip64, collect(zipChunks(buildCheckpoint(input), { folder: 'tiny-step-120', mtime: new Date(2024, 0, 1), forceZip64: zip64 })));
  }
  return zips.get(zip64)!;
}

/** Imports the files as the worker does and reads every tensor; returns the checkpoint and what it read. */
export async function importCheckpoint(sources: ReadonlyMap<string, ByteSource>): Promise<{ ck: LoadedCheckpoint; tensors: Map<string, Float32Array> }> {
  const ck = await readCheckpoint(sources, { fingerprint });
  const tensors = new Map<string, Float32Array>();
  for (const { name } of paramSpecs(ck.config)) {
    tensors.set(name, await ck.readParam(name));
    tensors.set(expAvgName(name), await ck.readMoment(expAvgName(name)));
    tensors.set(expAvgSqName(name), await ck.readMoment(expAvgSqName(name)));
  }
  return { ck, tensors };
}

/** The checkpoint's files with one replaced, as sources. */
export async function withFile(name: string, bytes: Uint8Array): Promise<Map<string, ByteSource>> {
  const out = new Map<string, ByteSource>();
  for (const [n, b] of await checkpointBytes()) out.set(n, bytesSource(n === name ? bytes : b));
  return out;
}

/** Tensors that differ bit for bit from the ones saved: an accepted import must give back exactly these. */
export function changedTensors(tensors: ReadonlyMap<string, Float32Array>): string[] {
  const saved = new Map<string, Float32Array>([...input.params, ...input.moments]);
  const changed: string[] = [];
  for (const [name, values] of tensors) {
    const want = saved.get(name);
    const a = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const b = want && new Uint32Array(want.buffer, want.byteOffset, want.length);
    if (!b || a.length !== b.length || a.some((x, i) => x !== b[i])) changed.push(name);
  }
  return changed;
}

export const CHECKPOINT_FILE_NAMES: readonly string[] = [...Object.values(CHECKPOINT_FILES), 'checkpoint'];
