import { inflateSync, strFromU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { bodyBytes, bytesSource, readAll, sourcesInMemory, type ChunkedFile, type FileBody } from '../../../src/train/checkpoint/byte-source';
import { buildCheckpoint } from '../../../src/train/checkpoint/checkpoint';
import { readCheckpoint } from '../../../src/train/checkpoint/checkpoint-read';
import { crc32 } from '../../../src/train/checkpoint/crc32';
import { openZip } from '../../../src/train/checkpoint/zip-read';
import { zipChunks, zipToBlob } from '../../../src/train/checkpoint/zip-write';
import { craftZip, zeroBomb, type CraftedEntry } from '../../fuzz/zip-craft';
import { collect, fingerprint, sameBytes, tinyInput, values } from './fixtures';

const enc = (s: string) => new TextEncoder().encode(s);
const MTIME = new Date(2024, 4, 17, 13, 45, 30);

/** A chunked body that hands out views of one reused buffer, as a GPU readback loop would. */
function reusedBuffer(total: number, piece: number): { file: ChunkedFile; expected: Uint8Array } {
  const expected = new Uint8Array(total).map((_, i) => (i * 31 + 7) & 255);
  const scratch = new Uint8Array(piece);
  const file: ChunkedFile = {
    size: total,
    async *chunks() {
      for (let at = 0; at < total; at += piece) {
        const n = Math.min(piece, total - at);
        scratch.set(expected.subarray(at, at + n));
        yield scratch.subarray(0, n);
      }
    },
  };
  return { file, expected };
}

function sampleFiles(): { files: [string, FileBody][]; expected: Map<string, Uint8Array> } {
  const tensors = reusedBuffer(100_003, 4096);
  const small = new Uint8Array(values(10, 3).buffer);
  const json = enc(JSON.stringify({ hidden_size: 64, note: 'repeated '.repeat(50) }));
  const files: [string, FileBody][] = [['config.json', json], ['model.safetensors', tensors.file], ['tiny.safetensors', small], ['empty.json', new Uint8Array(0)]];
  return { files, expected: new Map([['config.json', json], ['model.safetensors', tensors.expected], ['tiny.safetensors', small], ['empty.json', new Uint8Array(0)]]) };
}

describe('crc32', () => {
  it('gives the standard check value and continues across pieces', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
    const bytes = new Uint8Array(1001).map((_, i) => (i * 13) & 255);
    expect(crc32(bytes.subarray(501), crc32(bytes.subarray(0, 501)))).toBe(crc32(bytes));
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('zip writer', () => {
  for (const forceZip64 of [false, true]) {
    it(`writes an archive that fflate reads back byte for byte${forceZip64 ? ' (Zip64 records)' : ''}`, async () => {
      const { files, expected } = sampleFiles();
      const archive = await collect(zipChunks(files, { mtime: MTIME, forceZip64 }));
      const unzipped = unzipSync(archive);
      expect(Object.keys(unzipped)).toEqual([...expected.keys()]);
      for (const [name, bytes] of expected) expect(sameBytes(unzipped[name], bytes), name).toBe(true);
      const mine = await openZip(bytesSource(archive), { name: 'run.zip' });
      for (const [name, bytes] of expected) expect(sameBytes(await readAll(mine.get(name)!), bytes), name).toBe(true);
    });
  }

  it('stores tensor files and deflates JSON, under an optional folder', async () => {
    const { files } = sampleFiles();
    const archive = await collect(zipChunks(files, { folder: 'tiny-step-120', mtime: MTIME }));
    // The central directory's method field (offset 10 in each record) says stored (0) or deflated (8).
    const view = new DataView(archive.buffer);
    const methods = new Map<string, number>();
    for (let i = 0; i + 46 <= archive.length; i++) {
      if (view.getUint32(i, true) !== 0x02014b50) continue;
      const nameLength = view.getUint16(i + 28, true);
      methods.set(strFromU8(archive.subarray(i + 46, i + 46 + nameLength)), view.getUint16(i + 10, true));
    }
    expect(Object.fromEntries(methods)).toEqual({
      'tiny-step-120/config.json': 8, 'tiny-step-120/model.safetensors': 0, 'tiny-step-120/tiny.safetensors': 0, 'tiny-step-120/empty.json': 8,
    });
    // The reader looks through the single top-level folder.
    expect([...(await openZip(bytesSource(archive))).keys()]).toEqual(['config.json', 'model.safetensors', 'tiny.safetensors', 'empty.json']);
  });

  it('builds a Blob whose parts survive the producer reusing its buffer', async () => {
    const { files, expected } = sampleFiles();
    const blob = await zipToBlob(files, { mtime: MTIME });
    expect(blob.type).toBe('application/zip');
    const unzipped = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(sameBytes(unzipped['model.safetensors'], expected.get('model.safetensors'))).toBe(true);
  });

  it('refuses a chunked body that delivers a size other than the one announced', async () => {
    const liar: ChunkedFile = { size: 10, async *chunks() { yield new Uint8Array(6); } };
    await expect(collect(zipChunks([['model.safetensors', liar]]))).rejects.toThrow('model.safetensors announced 10 bytes but produced 6');
  });
});

describe('zip reader', () => {
  it('reads archives written by another tool (fflate, deflated, with a folder and Finder litter)', async () => {
    const archive = zipSync({
      'ckpt/': {},
      'ckpt/config.json': enc('{"a":1}'),
      'ckpt/model.safetensors': [new Uint8Array(300).fill(5), { level: 9 }],
      '__MACOSX/ckpt/._config.json': new Uint8Array(4),
      'ckpt/.DS_Store': new Uint8Array(8),
    });
    const files = await openZip(bytesSource(archive));
    expect([...files.keys()]).toEqual(['config.json', 'model.safetensors']);
    expect(await readAll(files.get('model.safetensors')!)).toEqual(new Uint8Array(300).fill(5));
  });

  it('keeps names as they are when files are not all in one folder', async () => {
    const archive = zipSync({ 'a/config.json': enc('{}'), 'b.json': enc('{}') });
    expect([...(await openZip(bytesSource(archive))).keys()]).toEqual(['a/config.json', 'b.json']);
  });

  const storedArchive = async () => collect(zipChunks([['config.json', enc('{"x": 1}')], ['model.safetensors', new Uint8Array(64).fill(9)]], { mtime: MTIME }));
  const dataOffset = (archive: Uint8Array, name: string) => {
    const at = archive.findIndex((_, i) => strFromU8(archive.subarray(i, i + name.length)) === name);
    return at + name.length; // no extra field for small entries: the data follows the name
  };

  it('reads stored entries without copying the archive', async () => {
    const archive = await storedArchive();
    const files = await openZip(bytesSource(archive));
    const entry = await files.get('model.safetensors')!.read(0, 64);
    expect(entry.buffer).toBe(archive.buffer);
  });

  it.each([
    ['not a zip at all', async () => enc('{"just": "json"}'), 'run.zip: is not a zip archive'],
    ['truncated', async () => (await storedArchive()).subarray(0, 100), 'run.zip: is not a zip archive'],
    ['a flipped bit in a stored entry', async () => {
      const a = await storedArchive();
      a[dataOffset(a, 'model.safetensors') + 10] ^= 1;
      return a;
    }, 'run.zip: model.safetensors: CRC-32 mismatch'],
    ['a damaged deflated entry', async () => {
      const a = await storedArchive();
      a[dataOffset(a, 'config.json')] ^= 0xff;
      return a;
    }, 'run.zip: config.json: '],
    ['an unsupported compression method', async () => {
      const a = await storedArchive();
      const view = new DataView(a.buffer);
      for (let i = 0; i < a.length - 4; i++) if (view.getUint32(i, true) === 0x02014b50) view.setUint16(i + 10, 14, true); // LZMA
      return a;
    }, 'run.zip: config.json: uses compression method 14'],
    ['a central directory pointing past its end', async () => {
      const a = await storedArchive();
      const view = new DataView(a.buffer);
      view.setUint32(a.length - 22 + 16, a.length, true);
      return a;
    }, 'run.zip: central directory'],
  ])('refuses an archive that is %s', async (_, make, message) => {
    await expect(openZip(bytesSource(await make()), { name: 'run.zip' })).rejects.toThrow(message);
  });

  it('can skip CRC checks of stored entries when asked', async () => {
    const a = await storedArchive();
    a[dataOffset(a, 'model.safetensors') + 10] ^= 1;
    const files = await openZip(bytesSource(a), { verify: false });
    expect((await readAll(files.get('model.safetensors')!))[10]).toBe(8);
  });
});

describe('zip reader against bombs and lies', () => {
  // 1 + 258 * 3,875,968 = 999,999,745 bytes: 1 GB of zeros, from 0.97 MB of deflate data.
  const GB = 1 + 258 * 3_875_968;

  /** A real checkpoint's files, stored as they are, except config.json, which is `config`. */
  async function checkpointZip(config: CraftedEntry): Promise<Uint8Array> {
    const files = buildCheckpoint(tinyInput());
    const entries: CraftedEntry[] = [];
    for (const [name, body] of files) {
      entries.push(name === 'config.json' ? config : { name, method: 0, data: await bodyBytes(name, body) });
    }
    return craftZip(entries);
  }

  /** Refused with `message` in well under a second: nothing near a gigabyte was inflated. */
  async function refusedQuickly(archive: Uint8Array, message: string | RegExp): Promise<void> {
    const t0 = performance.now();
    await expect(openZip(bytesSource(archive), { name: 'run.zip' })).rejects.toThrow(message);
    expect(performance.now() - t0).toBeLessThan(1000);
  }

  it('builds the bomb it claims to (checked at a small size)', () => {
    const small = inflateSync(zeroBomb(1 + 258 * 1000));
    expect(small.length).toBe(1 + 258 * 1000);
    expect(small.every((b) => b === 0)).toBe(true);
  });

  it('refuses a 0.97 MB checkpoint whose config.json records its 1 GB size, before inflating', async () => {
    // The CRC is never reached: the declared size alone is refused.
    const bomb = zeroBomb(GB);
    expect(bomb.length).toBeLessThan(970_000);
    const archive = await checkpointZip({ name: 'config.json', method: 8, data: bomb, size: GB, crc: 0 });
    expect(archive.length).toBeLessThan(1_100_000); // the bomb and the tiny model's real files
    await refusedQuickly(archive, /^run\.zip: config\.json: inflates to 999999745 bytes, more than a file of its kind needs \(1 MiB\); refused without inflating/);
  });

  it('stops a config.json that records 600 bytes but inflates to 1 GB at the first piece past 600', async () => {
    const archive = await checkpointZip({ name: 'config.json', method: 8, data: zeroBomb(GB), size: 600, crc: 0 });
    await refusedQuickly(archive, 'run.zip: config.json: inflates to more than the 600 bytes the archive records');
  });

  it('still reads a deflated file that is exactly its recorded size', async () => {
    const data = zeroBomb(1 + 258 * 40);
    const archive = craftZip([{ name: 'notes.json', method: 8, data, size: 1 + 258 * 40, crc: crc32(new Uint8Array(1 + 258 * 40)) }]);
    const files = await openZip(bytesSource(archive));
    expect((await readAll(files.get('notes.json')!)).length).toBe(1 + 258 * 40);
  });

  it('refuses a stored header that claims a size its archive does not hold', async () => {
    const archive = craftZip([{ name: 'config.json', method: 0, data: enc('{}'), size: 2 }]);
    const view = new DataView(archive.buffer);
    for (let i = 0; i + 4 <= archive.length; i++) {
      if (view.getUint32(i, true) === 0x02014b50) { view.setUint32(i + 20, GB, true); view.setUint32(i + 24, GB, true); }
    }
    await refusedQuickly(archive, /^run\.zip: config\.json: data \(999999745 bytes at 41\) runs past the end of the archive/);
  });

  it('refuses a JSON file in a folder (or stored) that is larger than its kind needs, before reading it', async () => {
    const files = await sourcesInMemory(buildCheckpoint(tinyInput()));
    files.set('config.json', { size: 2 ** 31, read: async () => { throw new Error('must not be read'); } });
    await expect(readCheckpoint(files, { fingerprint })).rejects.toThrow('config.json: is 2147483648 bytes, more than a file of its kind needs (1 MiB)');
  });

  it.each([
    ['a name that climbs out of its folder', '../config.json', 'run.zip: central directory entry 1 of 1 has an unsafe name "../config.json"'],
    ['an absolute name', '/etc/config.json', 'run.zip: central directory entry 1 of 1 has an unsafe name'],
    ['an empty name', '', 'run.zip: central directory entry 1 of 1 has an unsafe name ""'],
  ])('refuses %s', async (_, name, message) => {
    await refusedQuickly(craftZip([{ name, method: 0, data: enc('{}') }]), message);
  });

  it('refuses an end record announcing more entries than its directory holds', async () => {
    const archive = craftZip([{ name: 'a.json', method: 0, data: enc('{}') }]);
    new DataView(archive.buffer).setUint16(archive.length - 22 + 10, 60_000, true);
    await refusedQuickly(archive, 'run.zip: end record announces 60000 entries, more than its 52-byte central directory can hold');
  });
});
