// Test helpers: in-memory source files, a tiny byte-level tokenizer (the real ones live in
// src/data/tokenizer and are tested there), and a pipeline runner over the memory store.
import type { SourceFile } from '../../../src/data/source';
import type { Tokenizer } from '../../../src/data/tokenizer/tokenizer';
import type { ResolveTokenizer } from '../../../src/data/tokenizer-choice';
import { MemoryStore } from '../../../src/data/store.memory';
import { runPipeline } from '../../../src/data/pipeline';
import type { PipelineOptions } from '../../../src/data/pipeline-options';

/** A file held in memory, streamed in chunks of `chunkBytes` (small chunks exercise every boundary case). */
export function memFile(name: string, content: string | Uint8Array, chunkBytes = 4096): SourceFile {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return {
    name,
    size: bytes.length,
    stream() {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(c) {
          if (at >= bytes.length) { c.close(); return; }
          c.enqueue(bytes.slice(at, at + chunkBytes));
          at += chunkBytes;
        },
      });
    },
    slice(start: number, end: number) {
      return { arrayBuffer: async () => bytes.slice(start, end).buffer as ArrayBuffer };
    },
  };
}

export async function gzip(bytes: Uint8Array | string): Promise<Uint8Array> {
  const input = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const stream = new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const jsonl = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Bytes shifted by 3 so that ids 0..2 stay free: 0 unused, BOS 1, EOS 2 (the project's convention). */
export function byteTokenizer(): Tokenizer {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    name: 'test-bytes',
    vocabSize: 259,
    bosId: 1,
    eosId: 2,
    encode: (text) => Array.from(enc.encode(text), (b) => b + 3),
    decode: (ids) => dec.decode(Uint8Array.from(Array.from(ids).filter((i) => i >= 3), (i) => i - 3)),
    toJSON: () => ({ model: { type: 'test-bytes' } }),
  };
}

export const resolveTestTokenizer: ResolveTokenizer = async (_choice, texts) => {
  // Drain the training texts like a BPE trainer would, so that path is exercised too.
  for await (const t of texts()) void t;
  return byteTokenizer();
};

export async function runInMemory(opts: Omit<PipelineOptions, 'tokenizer'> & Partial<Pick<PipelineOptions, 'tokenizer'>>) {
  const store = new MemoryStore();
  const report = await runPipeline({ tokenizer: { kind: 'bpe', vocabSize: 259 }, ...opts }, { store, resolveTokenizer: resolveTestTokenizer });
  return { store, report };
}

export async function cleanedRows(store: MemoryStore): Promise<Record<string, unknown>[]> {
  const text = await store.readText('cleaned.jsonl');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A deterministic English-ish sentence generator for planted corpora. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
