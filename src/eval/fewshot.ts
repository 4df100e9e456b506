// Few-shot examples as the harness's default ContextSampler draws them: documents at random without
// replacement, the evaluated document (and any row equal to it) left out, n kept. The pool is the file's other rows (the harness uses the
// training split); each document's draw has a generator of its own, seeded from (seed, document index), so
// document i gets the same examples whether or not --limit cuts the documents after it.
import { hashUnit, Xoshiro128 } from '../data/rng';

export class FewshotError extends Error {}

/**
 * `k` entries of `pool` for document `doc`, in the order drawn, never `doc` itself nor a document equal to
 * it (`same`). A lazy Fisher–Yates shuffle: O(k) per document whatever the pool's size.
 */
export function drawFewshot(pool: readonly number[], doc: number, k: number, seed: number,
                            same: (a: number, b: number) => boolean = (a, b) => a === b): number[] {
  if (k === 0) return [];
  const rng = new Xoshiro128(Math.floor(hashUnit(seed | 0, doc | 0) * 4294967296));
  const moved = new Map<number, number>(); // positions of the virtual shuffled copy that differ from pool
  const at = (i: number) => moved.get(i) ?? pool[i];
  const out: number[] = [];
  for (let i = 0; i < pool.length && out.length < k; i++) {
    const j = i + rng.nextInt(pool.length - i);
    const pick = at(j);
    moved.set(j, at(i));
    if (!same(pick, doc)) out.push(pick);
  }
  if (out.length < k) {
    throw new FewshotError(`${k} few-shot examples asked for, but only ${out.length} other documents are there to draw from`);
  }
  return out;
}
