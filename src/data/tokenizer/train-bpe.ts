// Learns a byte-level BPE from the user's own text. The vocabulary is <unk>=0, <s>=1, </s>=2, then the 256 byte
// symbols in byte order (id 3 + byte), then one token per learned merge.
//
// How it stays fast on a few MB:
//   - the text is read once into a table of distinct words (pieces of the split regex) with their counts, so
//     memory grows with the number of distinct words, not with the text;
//   - pair counts are kept up to date incrementally: a merge only revisits the words that contain its pair
//     (found through a pair -> words index) and adjusts the counts of pairs in those words;
//   - the next merge comes from a heap of (count, pair) whose stale entries are fixed when popped.
// Ties are broken by the smaller pair of ids (left, then right), so the same texts give the same tokenizer
// whatever order they come in.

import { addedTokenPattern, splitOnAddedTokens } from './added-tokens';
import { specialToken, type BpeSpec } from './bpe-spec';
import { BpeTokenizer } from './bpe-tokenizer';
import { BYTE_TO_CHAR, utf8Encode } from './byte-alphabet';
import { PairHeap } from './pair-heap';
import { splitIsolated, TRAINER_SPLIT_PATTERN, TRAINER_SPLIT_REGEX } from './pretokenize';
import type { Tokenizer } from './tokenizer';
import { byteLevelBpeJSON } from './tokenizer-json-writer';

export interface TrainBpeOptions {
  /** Largest vocabulary wanted, special and byte tokens included: at least 259, at most 65536. */
  readonly vocabSize: number;
  /** A pair seen fewer times than this is never merged, so training may stop early (default 2). */
  readonly minFrequency?: number;
  /** Fraction of the merges done, 0 to 1 (0 while the text is still being read, whose length is unknown). */
  readonly onProgress?: (fraction: number) => void;
}

const SPECIALS = ['<unk>', '<s>', '</s>'] as const;
const FIRST_BYTE_ID = SPECIALS.length;
const MIN_VOCAB = FIRST_BYTE_ID + 256;
/** Pair key = left * PAIR_SPAN + right; ids stay below PAIR_SPAN. */
const PAIR_SPAN = 65536;
/** Hand control back to the event loop this often (ms), so a worker can still take messages. */
const YIELD_EVERY_MS = 100;

/** Distinct pieces of all texts and how often each occurs, split as encode will split them. */
async function countWords(texts: AsyncIterable<string> | Iterable<string>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const specials = addedTokenPattern([...SPECIALS]);
  const pieces: string[] = [];
  for await (const text of texts) {
    for (const section of splitOnAddedTokens(text, specials)) {
      if ((SPECIALS as readonly string[]).includes(section)) continue;
      pieces.length = 0;
      splitIsolated(section, TRAINER_SPLIT_REGEX, pieces);
      for (const p of pieces) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
  }
  return counts;
}

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function trainBpe(
  texts: AsyncIterable<string> | Iterable<string>,
  opts: TrainBpeOptions,
): Promise<Tokenizer> {
  const { vocabSize, minFrequency = 2, onProgress } = opts;
  if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB || vocabSize > PAIR_SPAN) {
    throw new RangeError(`trainBpe: vocabSize must be an integer from ${MIN_VOCAB} to ${PAIR_SPAN}, got ${vocabSize}`);
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw new RangeError(`trainBpe: minFrequency must be a positive integer, got ${minFrequency}`);
  }
  onProgress?.(0);
  const counts = await countWords(texts);

  // Each distinct word as its byte ids, with its count.
  const words: Int32Array[] = [];
  const lengths: number[] = [];
  const freqs: number[] = [];
  let bytes = new Uint8Array(256);
  for (const [word, count] of counts) {
    const [b, n] = utf8Encode(word, bytes);
    bytes = b;
    const sym = new Int32Array(n);
    for (let i = 0; i < n; i++) sym[i] = FIRST_BYTE_ID + b[i];
    words.push(sym);
    lengths.push(n);
    freqs.push(count);
  }
  counts.clear();

  const pairCount = new Map<number, number>();
  const wordsWith = new Map<number, number[]>();
  const note = (key: number, w: number) => {
    const list = wordsWith.get(key);
    if (list === undefined) wordsWith.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  for (let w = 0; w < words.length; w++) {
    const sym = words[w];
    for (let i = 0; i + 1 < lengths[w]; i++) {
      const key = sym[i] * PAIR_SPAN + sym[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + freqs[w]);
      note(key, w);
    }
  }
  const heap = new PairHeap();
  for (const [key, count] of pairCount) heap.push(count, key);

  const vocab: string[] = [...SPECIALS, ...BYTE_TO_CHAR];
  const tokenToId = new Map<string, number>();
  vocab.forEach((t, id) => tokenToId.set(t, id));
  const merges: number[] = [];
  const seen = new Int32Array(words.length).fill(-1);
  const grown = new Set<number>();
  const blocked = new Set<number>();
  const wanted = vocabSize - MIN_VOCAB;
  let lastYield = performance.now();
  let lastReport = -1;

  while (vocab.length < vocabSize && heap.size > 0) {
    const count = heap.topCount();
    const key = heap.topKey();
    heap.pop();
    if (blocked.has(key)) continue;
    const live = pairCount.get(key) ?? 0;
    if (live !== count) {
      // Stale: the pair lost occurrences since this entry was pushed (gains always push a fresh entry).
      if (live > 0 && live < count) heap.push(live, key);
      continue;
    }
    if (count < minFrequency) break;
    const a = Math.floor(key / PAIR_SPAN);
    const b = key - a * PAIR_SPAN;
    const merged = vocab[a] + vocab[b];
    if ((SPECIALS as readonly string[]).includes(merged)) {
      blocked.add(key); // never make a second token spelled like a special one
      continue;
    }
    let c = tokenToId.get(merged);
    if (c === undefined) {
      c = vocab.length;
      vocab.push(merged);
      tokenToId.set(merged, c);
    }
    merges.push(a, b);
    const step = merges.length;

    grown.clear();
    for (const w of wordsWith.get(key) ?? []) {
      if (seen[w] === step) continue;
      seen[w] = step;
      const sym = words[w];
      let n = lengths[w];
      let found = false;
      for (let i = 0; i + 1 < n && !found; i++) found = sym[i] === a && sym[i + 1] === b;
      if (!found) continue; // the index is allowed to hold words that lost the pair since
      const f = freqs[w];
      for (let i = 0; i + 1 < n; i++) {
        const k = sym[i] * PAIR_SPAN + sym[i + 1];
        pairCount.set(k, pairCount.get(k)! - f);
      }
      let j = 0;
      for (let i = 0; i < n; i++) {
        if (i + 1 < n && sym[i] === a && sym[i + 1] === b) {
          sym[j++] = c;
          i++;
        } else {
          sym[j++] = sym[i];
        }
      }
      n = j;
      lengths[w] = n;
      for (let i = 0; i + 1 < n; i++) {
        const k = sym[i] * PAIR_SPAN + sym[i + 1];
        pairCount.set(k, (pairCount.get(k) ?? 0) + f);
        if (sym[i] === c || sym[i + 1] === c) {
          grown.add(k);
          note(k, w);
        }
      }
    }
    pairCount.delete(key);
    wordsWith.delete(key);
    for (const k of grown) {
      const live2 = pairCount.get(k) ?? 0;
      if (live2 > 0) heap.push(live2, k);
    }

    const done = Math.floor((100 * (vocab.length - MIN_VOCAB)) / wanted);
    if (onProgress && done !== lastReport) {
      lastReport = done;
      onProgress(done / 100);
    }
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await pause();
      lastYield = performance.now();
    }
  }
  onProgress?.(1);

  const addedTokens = SPECIALS.map((s, id) => specialToken(id, s));
  const mergeIds = Int32Array.from(merges);
  const spec: BpeSpec = {
    tokenToId,
    idToToken: vocab,
    merges: mergeIds,
    unkToken: '<unk>',
    byteFallback: false,
    fuseUnk: false,
    ignoreMerges: false,
    addedTokens,
    rules: { kind: 'byte-level', normalizer: null, split: TRAINER_SPLIT_REGEX, addPrefixSpace: false },
  };
  return new BpeTokenizer({
    name: `bpe-${vocab.length}`,
    spec,
    bosId: 1,
    eosId: 2,
    json: () =>
      byteLevelBpeJSON({ idToToken: vocab, merges: mergeIds, addedTokens, bos: addedTokens[1] }, TRAINER_SPLIT_PATTERN, '<unk>'),
  });
}
