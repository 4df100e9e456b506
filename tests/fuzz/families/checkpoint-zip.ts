// A real tiny checkpoint zip from the project's own writer, mutated (byte flips anywhere or in the central
// directory, truncation, junk, deflate bombs with true or false sizes, hostile directory fields, unsafe or
// repeated names) and imported as the page does: openZip, readCheckpoint, every tensor read. The page shows
// a refusal as "Refused <zip>: <message>", so a message that starts with the archive or a checkpoint file
// is a named refusal; anything else (a raw TypeError, a RangeError) is a crash. An accepted archive must
// give back exactly the tensors that were saved.
import { bytesSource } from '../../../src/train/checkpoint/byte-source';
import { crc32 } from '../../../src/train/checkpoint/crc32';
import { openZip } from '../../../src/train/checkpoint/zip-read';
import type { FuzzCase, FuzzFamily, Rng } from '../family';
import { anyByteMutation, appendJunk, flipByte, insertJunk, pick, truncate } from '../mutate';
import { craftZip, zeroBomb, type CraftedEntry } from '../zip-craft';
import { changedTensors, CHECKPOINT_FILE_NAMES, checkpointBytes, checkpointZip, importCheckpoint, input } from './checkpoint-base';

const ARCHIVE = 'fuzz-checkpoint.zip';
const JSON_FILES = ['config.json', 'tokenizer.json', 'trainer_state.json', 'tokenizer_config.json', 'generation_config.json'];

let bomb: Uint8Array | undefined;
/** 1 GB of zeros as 0.97 MB of deflate data, built once per process. */
const GB = 1 + 258 * 3_875_968;
const gigabyteBomb = () => (bomb ??= zeroBomb(GB));

/** Offsets of every central directory record in the archive. */
function centralRecords(zip: Uint8Array): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at: number[] = [];
  for (let i = 0; i + 46 <= zip.length; i++) if (view.getUint32(i, true) === 0x02014b50) at.push(i);
  return at;
}

/** One field of one central directory record (or of the end record) set to a hostile value. */
function directoryField(rng: Rng, zip: Uint8Array): { label: string; bytes: Uint8Array } {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  if (rng.nextInt(4) === 0) {
    const end = out.length - 22;
    const [field, offset, width] = pick(rng, [['entries', 10, 2], ['total entries', 8, 2], ['directory size', 12, 4], ['directory offset', 16, 4], ['comment length', 20, 2]] as const);
    const value = pick(rng, width === 2 ? [0, 1, 0xffff, 60000] : [0, 1, 0xffffffff, out.length, out.length * 2]);
    if (width === 2) view.setUint16(end + offset, value, true); else view.setUint32(end + offset, value, true);
    return { label: `end record ${field} = ${value}`, bytes: out };
  }
  const record = pick(rng, centralRecords(out));
  const [field, offset, width] = pick(rng, [
    ['flags', 8, 2], ['method', 10, 2], ['crc', 16, 4], ['compressed size', 20, 4], ['size', 24, 4], ['name length', 28, 2],
    ['extra length', 30, 2], ['comment length', 32, 2], ['local offset', 42, 4],
  ] as const);
  const value = pick(rng, width === 2 ? [0, 1, 8, 0xffff, 99] : [0, 1, 0xffffffff, 0x7fffffff, out.length, view.getUint32(record + offset, true) + 1]);
  if (width === 2) view.setUint16(record + offset, value, true); else view.setUint32(record + offset, value, true);
  return { label: `central record at ${record}: ${field} = ${value}`, bytes: out };
}

/** The checkpoint re-assembled by hand with one entry changed: a bomb, a lie about a size, a bad name. */
async function crafted(rng: Rng): Promise<{ label: string; bytes: Uint8Array }> {
  const files = await checkpointBytes();
  const entries: CraftedEntry[] = [...files].map(([name, data]) => ({ name, method: 0, data }));
  const target = pick(rng, JSON_FILES);
  const i = entries.findIndex((e) => e.name === target);
  const real = files.get(target)!;
  switch (rng.nextInt(5)) {
    case 0:
      entries[i] = { name: target, method: 8, data: gigabyteBomb(), size: GB, crc: 0 };
      return { label: `${target} a 1 GB bomb recording its size`, bytes: craftZip(entries) };
    case 1:
      entries[i] = { name: target, method: 8, data: gigabyteBomb(), size: real.length, crc: crc32(real) };
      return { label: `${target} a 1 GB bomb recording ${real.length} bytes`, bytes: craftZip(entries) };
    case 2: {
      // Within its kind's limit: inflates completely, then is not JSON.
      const size = 1 + 258 * pick(rng, [10, 2000]);
      entries[i] = { name: target, method: 8, data: zeroBomb(size), size, crc: crc32(new Uint8Array(size)) };
      return { label: `${target} ${size} zero bytes`, bytes: craftZip(entries) };
    }
    case 3: {
      const name = pick(rng, ['../config.json', `/${target}`, '', `a/../${target}`, `${target}\u0000`, 'tiny-step-120/../../x.json']);
      entries[i] = { ...entries[i], name };
      return { label: `${target} renamed ${JSON.stringify(name)}`, bytes: craftZip(entries) };
    }
    default:
      entries.push({ ...entries[i] });
      return { label: `${target} twice`, bytes: craftZip(entries) };
  }
}

export const checkpointZipFamily: FuzzFamily = {
  name: 'checkpoint-zip',
  describe: 'checkpoint zip from the project writer (flips, truncation, bombs, bad central directory, names) through openZip + readCheckpoint',
  async make(rng): Promise<FuzzCase> {
    const zip64 = rng.nextInt(3) === 0;
    const zip = await checkpointZip(zip64);
    const kind = rng.nextInt(6);
    let m: { label: string; bytes: Uint8Array };
    if (kind === 0) m = flipByte(rng, zip);
    else if (kind === 1) {
      // A flip in the directory and end records, where one byte decides where everything is.
      const start = centralRecords(zip)[0];
      const tail = flipByte(rng, zip.subarray(start));
      const out = zip.slice();
      out.set(tail.bytes, start);
      m = { label: `directory ${tail.label}`, bytes: out };
    } else if (kind === 2) m = pick(rng, [truncate, appendJunk, insertJunk])(rng, zip);
    else if (kind === 3) m = directoryField(rng, zip);
    else if (kind === 4) m = await crafted(rng);
    else m = anyByteMutation(rng, zip);
    return { label: `${zip64 && kind !== 4 ? 'Zip64: ' : ''}${m.label}`, fileName: ARCHIVE, bytes: m.bytes };
  },
  async run(c) {
    let result;
    try {
      const files = await openZip(bytesSource(c.bytes), { name: ARCHIVE });
      result = await importCheckpoint(files);
    } catch (e) {
      const message = String((e as Error)?.message ?? e);
      if (!message.startsWith(`${ARCHIVE}: `) && CHECKPOINT_FILE_NAMES.some((n) => message.startsWith(`${n}: `))) {
        throw new Error(`${ARCHIVE}: ${message}`, { cause: e });
      }
      throw e;
    }
    const violations: string[] = [];
    const changed = changedTensors(result.tensors);
    if (changed.length) violations.push(`accepted with changed tensors: ${changed.slice(0, 3).join(', ')}`);
    if (result.ck.trainerState.step !== input.trainerState.step) violations.push(`accepted at step ${result.ck.trainerState.step}`);
    return { messages: [...result.ck.warnings], kept: 1, violations };
  },
};
