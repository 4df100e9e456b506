// A SourceFile over a local file, for the CLI and benchmarks: streamed through fs in 1 MiB chunks, with
// random access for Parquet.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { SourceFile } from './source';

export async function nodeSourceFile(path: string): Promise<SourceFile> {
  const { size } = await stat(path);
  return {
    name: path,
    size,
    stream: () => Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>,
    slice: (start, end) => ({
      arrayBuffer: async () => {
        const fh = await open(path, 'r');
        try {
          const out = new Uint8Array(Math.max(0, Math.min(end, size) - start));
          let filled = 0;
          while (filled < out.length) {
            const { bytesRead } = await fh.read(out, filled, out.length - filled, start + filled);
            if (bytesRead === 0) break;
            filled += bytesRead;
          }
          return out.buffer;
        } finally {
          await fh.close();
        }
      },
    }),
  };
}
