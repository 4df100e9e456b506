// An in-memory DataStore: for tests, and for small runs where nothing needs to outlive the page.
import { BufferedSink } from './buffered-sink';
import { checkName, checkRange, type DataStore, type WritableSink } from './store';

export class MemoryStore implements DataStore {
  private readonly files = new Map<string, Uint8Array[]>();

  async writer(name: string): Promise<WritableSink> {
    const blocks: Uint8Array[] = [];
    this.files.set(checkName(name), blocks);
    return new BufferedSink(async (b) => { blocks.push(b); }, async () => {});
  }

  async readRange(name: string, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    const blocks = this.blocks(name);
    checkRange(name, total(blocks), byteOffset, byteLength);
    const out = new Uint8Array(byteLength);
    let pos = 0; // file offset of the current block
    let filled = 0;
    for (const b of blocks) {
      const end = pos + b.length;
      if (end > byteOffset && filled < byteLength) {
        const from = Math.max(0, byteOffset + filled - pos);
        const take = Math.min(b.length - from, byteLength - filled);
        out.set(b.subarray(from, from + take), filled);
        filled += take;
      }
      pos = end;
    }
    return out;
  }

  async readStream(name: string): Promise<ReadableStream<Uint8Array>> {
    const blocks = this.blocks(name).slice();
    let i = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < blocks.length) controller.enqueue(blocks[i++].slice());
        else controller.close();
      },
    });
  }

  async readText(name: string): Promise<string> {
    return new TextDecoder().decode(await this.readRange(name, 0, await this.size(name)));
  }

  async size(name: string): Promise<number> {
    return total(this.blocks(name));
  }

  async list(): Promise<string[]> {
    return [...this.files.keys()].sort();
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }

  private blocks(name: string): Uint8Array[] {
    const b = this.files.get(name);
    if (!b) throw new Error(`${name}: no such file`);
    return b;
  }
}

function total(blocks: Uint8Array[]): number {
  let n = 0;
  for (const b of blocks) n += b.length;
  return n;
}
