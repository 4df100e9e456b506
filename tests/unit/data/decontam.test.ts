// HARE's decontamination rule on planted cases: benchmark items pasted into documents, samples copied from
// benchmarks, near misses that must stay, strict mode, and the n-gram size chosen by length.
import { describe, expect, it } from 'vitest';
import { checkContamination, chooseN, sizesNeeded } from '../../../src/data/decontam/decontaminate';
import { BenchmarkIndexBuilder } from '../../../src/data/decontam/ngram-index';
import { wordHashes } from '../../../src/data/dedup/hash';
import { DEFAULT_RULES } from '../../../src/data/rules/defaults';
import { estimateTokens } from '../../../src/data/rules/length';
import { normalizedWords } from '../../../src/data/words';

const d = DEFAULT_RULES.decontam;
const len = DEFAULT_RULES.length;
const wh = (t: string) => wordHashes(normalizedWords(t));

const BENCH = [
  'Which planet in the solar system has the longest day relative to its year? A. Mercury B. Venus C. Mars D. Jupiter. Answer: B',
  'The committee postponed the vote because several members were travelling abroad that week, so the chair rescheduled it for the following Tuesday afternoon.',
  'What is the boiling point of water at sea level in degrees Celsius? A. 90 B. 100 C. 110 D. 120. Answer: B',
];

function index(strict = false) {
  const rules = { ...d, strict };
  const b = new BenchmarkIndexBuilder(sizesNeeded(rules));
  BENCH.forEach((t, i) => b.add(wh(t), { file: 'bench.jsonl', line: i + 1, excerpt: t.slice(0, 40) }));
  return { idx: b.build(), rules };
}

const filler = (n: number, seed: string) => Array.from({ length: n }, (_, i) =>
  `On day ${i} of the ${seed} voyage the crew mended sails, counted barrels and wrote letters home to their families.`).join(' ');

describe('n-gram size', () => {
  it('grows with length inside HARE ranges: 4..8 for short samples, 10..15 for long ones', () => {
    expect(chooseN(1, d, len)).toBe(4);
    expect(chooseN(256, d, len)).toBe(6);
    expect(chooseN(512, d, len)).toBe(8);
    expect(chooseN(513, d, len)).toBe(10);
    expect(chooseN(2048, d, len)).toBe(15);
    expect(chooseN(50_000, d, len)).toBe(15);
    expect(sizesNeeded(d)).toEqual([4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]);
  });
});

describe('repetition rate', () => {
  const { idx } = index();
  const check = (t: string) => checkContamination(wh(t), estimateTokens(t, 4), idx, d, len);

  it('catches a benchmark item pasted into a long document (benchmark coverage)', () => {
    const doc = `${filler(30, 'northern')} ${BENCH[1]} ${filler(30, 'southern')}`;
    expect(estimateTokens(doc, 4)).toBeGreaterThan(512);
    const hit = check(doc);
    expect(hit).toMatchObject({ benchmark: 1, mode: 'benchmark-coverage' });
    expect(hit!.rate).toBe(1);
    expect(hit!.n).toBeGreaterThanOrEqual(10);
  });

  it('catches a short sample copied from a benchmark, even with case and punctuation changed', () => {
    const hit = check('which planet in the solar system has the longest day relative to its year -- a mercury b venus c mars d jupiter answer b');
    expect(hit?.benchmark).toBe(0);
    expect(hit!.rate).toBeGreaterThan(0.5);
  });

  it('catches a short sample that is mostly benchmark text (sample coverage)', () => {
    const hit = check('What is the boiling point of water at sea level in degrees Celsius? Think.');
    expect(hit).not.toBeNull();
    expect(hit!.benchmark).toBe(2);
  });

  it('keeps text that shares only short phrases or under half of an item', () => {
    expect(check(filler(40, 'western'))).toBeNull();
    expect(check('The committee postponed the vote because several members were travelling. The weather then changed for the better and the harvest came in early, to the relief of all the farmers in the valley.')).toBeNull();
    expect(check('Which planet is red? Mars is red because of iron oxide dust on its surface, which scientists have studied for decades.')).toBeNull();
  });

  it('compares with one benchmark sample at a time: phrases spread over several items do not add up', () => {
    const b = new BenchmarkIndexBuilder(sizesNeeded(d));
    ['Which of the following is a mammal? A. shark B. whale', 'It is true about the old harbour that ships were small.',
      'Sailors saw the old harbour lights at night from far away.'].forEach((t, i) => b.add(wh(t), { file: 'b', line: i + 1, excerpt: '' }));
    const sample = 'Which of the following is true about the old harbour lights at night';
    // 8 of its 10 four-grams occur somewhere in the benchmark, at most 3 in any one item.
    expect(checkContamination(wh(sample), estimateTokens(sample, 4), b.build(), d, len)).toBeNull();
  });

  it('keeps everything when no benchmark was given', () => {
    const empty = new BenchmarkIndexBuilder(sizesNeeded(d)).build();
    expect(checkContamination(wh(BENCH[0]), 30, empty, d, len)).toBeNull();
  });
});

describe('strict mode', () => {
  it('removes a sample sharing a single 13-gram, which the rate rule keeps', () => {
    const thirteen = 'several members were travelling abroad that week so the chair rescheduled it for';
    expect(normalizedWords(thirteen)).toHaveLength(13);
    const doc = `${filler(30, 'eastern')} Word came that ${thirteen} reasons nobody knew. ${filler(30, 'polar')}`;
    const loose = index(false);
    expect(checkContamination(wh(doc), estimateTokens(doc, 4), loose.idx, loose.rules, len)).toBeNull();
    const strict = index(true);
    const hit = checkContamination(wh(doc), estimateTokens(doc, 4), strict.idx, strict.rules, len);
    expect(hit).toMatchObject({ benchmark: 1, mode: 'strict', n: 13 });
  });
});
