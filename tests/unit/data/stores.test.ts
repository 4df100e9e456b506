// The three DataStore backends behave the same: streamed writes, exact byte ranges, streams, listing,
// removal, and errors for ranges past the end. OPFS runs against a small in-memory stand-in for the
// browser's handles (both writer paths: sync access handles in a worker, createWritable elsewhere).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DataStore } from '../../../src/data/store';
import { MemoryStore } from '../../../src/data/store.memory';
import { NodeDirStore } from '../../../src/data/store.node';
import { OpfsStore } from '../../../src/data/store.opfs';
import { SINK_BLOCK_BYTES } from '../../../src/data/buffered-sink';

class FakeFile {
  data = new Uint8Array(0);
  write(bytes: Uint8Array, at: number) {
    const next = new Uint8Array(Math.max(this.data.length, at + bytes.length));
    next.set(this.data);
    next.set(bytes, at);
    this.data = next;
  }
}

function fakeDir(withSync: boolean): FileSystemDirectoryHandle {
  const files = new Map<string, FakeFile>();
  const fileHandle = (name: string, f: FakeFile) => ({
    kind: 'file', name,
    getFile: async () => new File([f.data.slice()], name),
    ...(withSync ? {
      createSyncAccessHandle: async () => ({
        write: (b: Uint8Array, o?: { at?: number }) => { f.write(b, o?.at ?? 0); return b.length; },
        truncate: (n: number) => { f.data = f.data.slice(0, n); },
        flush: () => {}, close: () => {},
      }),
    } : {}),
    createWritable: async () => {
      f.data = new Uint8Array(0);
      let at = 0;
      return { write: async (b: Uint8Array) => { f.write(b, at); at += b.length; }, close: async () => {} };
    },
  });
  return {
    kind: 'directory',
    getFileHandle: async (name: string, o?: { create?: boolean }) => {
      let f = files.get(name);
      if (!f) {
        if (!o?.create) throw new DOMException('missing', 'NotFoundError');
        f = new FakeFile();
        files.set(name, f);
      }
      return fileHandle(name, f);
    },
    removeEntry: async (name: string) => { if (!files.delete(name)) throw new DOMException('missing', 'NotFoundError'); },
    entries: async function* () { for (const [n, f] of files) yield [n, fileHandle(n, f)]; },
  } as unknown as FileSystemDirectoryHandle;
}

const tmpDirs: string[] = [];
afterAll(async () => { for (const d of tmpDirs) await rm(d, { recursive: true, force: true }); });

const backends: [string, () => Promise<DataStore>][] = [
  ['memory', async () => new MemoryStore()],
  ['node directory', async () => { const d = await mkdtemp(join(tmpdir(), 'leveret-store-')); tmpDirs.push(d); return NodeDirStore.open(join(d, 'nested', 'ds')); }],
  ['OPFS (sync handles)', async () => new OpfsStore(fakeDir(true))],
  ['OPFS (createWritable)', async () => new OpfsStore(fakeDir(false))],
];

describe.each(backends)('%s store', (_name, make) => {
  it('writes in many pieces and reads back exact ranges, streams and text', async () => {
    const store = await make();
    // Crosses the sink's block size, with a write bigger than a block in the middle.
    const big = new Uint8Array(SINK_BLOCK_BYTES + 12345).map((_, i) => (i * 7) % 251);
    const w = await store.writer('data.bin');
    await w.write('head:');
    for (let i = 0; i < 1000; i++) await w.write(new Uint8Array([i % 256, (i * 3) % 256]));
    await w.write(big);
    await w.write('tail');
    await w.close();
    const expected = new Uint8Array([...new TextEncoder().encode('head:'),
      ...Array.from({ length: 1000 }, (_, i) => [i % 256, (i * 3) % 256]).flat(), ...big, ...new TextEncoder().encode('tail')]);
    expect(await store.size('data.bin')).toBe(expected.length);
    expect(await store.readRange('data.bin', 3, 10)).toEqual(expected.slice(3, 13));
    expect(await store.readRange('data.bin', 2000, SINK_BLOCK_BYTES)).toEqual(expected.slice(2000, 2000 + SINK_BLOCK_BYTES));
    expect(await store.readRange('data.bin', expected.length - 4, 4)).toEqual(expected.slice(-4));
    const chunks: Uint8Array[] = [];
    const reader = (await store.readStream('data.bin')).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(expected));
    await expect(store.readRange('data.bin', expected.length - 3, 4)).rejects.toThrow();
  });

  it('lists, overwrites, removes and refuses unsafe names', async () => {
    const store = await make();
    for (const n of ['b.json', 'a.txt']) { const w = await store.writer(n); await w.write(`{"n":"${n}"}`); await w.close(); }
    const w = await store.writer('a.txt'); await w.write('short'); await w.close();
    expect(await store.list()).toEqual(['a.txt', 'b.json']);
    expect(await store.readText('a.txt')).toBe('short');
    await store.remove('a.txt');
    await store.remove('never-existed.bin');
    expect(await store.list()).toEqual(['b.json']);
    await expect(store.size('a.txt')).rejects.toThrow();
    await expect(store.writer('../escape.txt')).rejects.toThrow(/invalid store file name/);
  });
});
