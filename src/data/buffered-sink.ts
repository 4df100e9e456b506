// Collects small writes (one JSONL line, one packed sequence) into blocks before they reach the storage
// backend: each backend call costs far more than a memcpy, in Node (a syscall) and in OPFS alike.
import { toBytes, type WritableSink } from './store';

/** The block size: large enough to amortise backend calls, small enough to keep memory bounded. */
export const SINK_BLOCK_BYTES = 1 << 20;

export class BufferedSink implements WritableSink {
  private block = new Uint8Array(SINK_BLOCK_BYTES);
  private used = 0;
  private closed = false;

  constructor(private readonly flushBlock: (bytes: Uint8Array) => Promise<void>,
              private readonly finish: () => Promise<void>) {}

  async write(chunk: Uint8Array | string): Promise<void> {
    if (this.closed) throw new Error('write after close');
    const bytes = toBytes(chunk);
    if (bytes.length >= SINK_BLOCK_BYTES) {
      await this.flush();
      await this.flushBlock(bytes);
      return;
    }
    if (this.used + bytes.length > SINK_BLOCK_BYTES) await this.flush();
    this.block.set(bytes, this.used);
    this.used += bytes.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.finish();
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    // The backend may keep the array it is given (the memory store does), so hand it a copy.
    await this.flushBlock(this.block.slice(0, this.used));
    this.used = 0;
  }
}
