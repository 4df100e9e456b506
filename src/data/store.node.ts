// A DataStore on a local directory, for the Node CLI and the benchmarks.
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BufferedSink } from './buffered-sink';
import { checkName, checkRange, type DataStore, type WritableSink } from './store';

export class NodeDirStore implements DataStore {
  private constructor(readonly dir: string) {}

  /** Opens `dir`, creating it (and its parents) when missing. */
  static async open(dir: string): Promise<NodeDirStore> {
    await mkdir(dir, { recursive: true });
    return new NodeDirStore(dir);
  }

  async writer(name: string): Promise<WritableSink> {
    const fh = await open(this.path(name), 'w');
    return new BufferedSink(async (b) => { await fh.write(b); }, async () => { await fh.close(); });
  }

  async readRange(name: string, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    const fh = await open(this.path(name), 'r');
    try {
      const { size } = await fh.stat();
      checkRange(name, size, byteOffset, byteLength);
      const out = new Uint8Array(byteLength);
      let filled = 0;
      while (filled < byteLength) {
        const { bytesRead } = await fh.read(out, filled, byteLength - filled, byteOffset + filled);
        if (bytesRead === 0) throw new Error(`${name}: short read`);
        filled += bytesRead;
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  async readStream(name: string): Promise<ReadableStream<Uint8Array>> {
    await stat(this.path(name)); // fail here, not on the first read, when the file is missing
    const nodeStream = createReadStream(this.path(name), { highWaterMark: 1 << 20 });
    return Readable.toWeb(nodeStream) as unknown as ReadableStream<Uint8Array>;
  }

  async readText(name: string): Promise<string> {
    return readFile(this.path(name), 'utf8');
  }

  async size(name: string): Promise<number> {
    return (await stat(this.path(name))).size;
  }

  async list(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
  }

  async remove(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  private path(name: string): string {
    return join(this.dir, checkName(name));
  }
}
