// The whole pipeline on a planted corpus (five sources in four formats, gzip included, plus a benchmark):
// every planted document is checked for its fate, every rule for its count, the outputs for their format,
// and two runs for identical bytes.
import { beforeAll, describe, expect, it } from 'vitest';
import { jaccard, shingleSet } from '../../../src/data/dedup/minhash';
import { decodeTokens, readManifest, type DatasetManifest } from '../../../src/data/pack/manifest';
import { readCleaned } from '../../../src/data/pack-pass';
import type { PipelineReport } from '../../../src/data/report';
import type { MemoryStore } from '../../../src/data/store.memory';
import { normalizedWords } from '../../../src/data/words';
import { buildPlantedCorpus, EXPECTED, RULE_OF, type PlantedCorpus, type PlantedDoc } from './planted-corpus';
import { byteTokenizer, cleanedRows, runInMemory } from './helpers';

const SEQ_LEN = 64;
let corpus: PlantedCorpus;
let store: MemoryStore;
let report: PipelineReport;
let rows: Record<string, unknown>[];
let manifest: DatasetManifest;

async function run(c: PlantedCorpus) {
  return runInMemory({ sources: c.sources, benchmarks: c.benchmarks, seqLen: SEQ_LEN, valFraction: 0.05, seed: 11 });
}

/** The cleaned rows that came from a planted document. */
function rowsOf(d: PlantedDoc): Record<string, unknown>[] {
  if (d.source === 'books') return rows.filter((r) => r._source === 'books' && `line${String(r._line)}` === d.id);
  if (d.source === 'long-books') return rows.filter((r) => r._source === 'long-books');
  return rows.filter((r) => r._source === d.source && r.id === d.id);
}

beforeAll(async () => {
  corpus = await buildPlantedCorpus();
  ({ store, report } = await run(corpus));
  rows = await cleanedRows(store);
  manifest = await readManifest(store);
});

describe('planted cases', () => {
  it('every planted document is kept or removed as its label says', () => {
    const wrong = corpus.docs.filter((d) => (rowsOf(d).length > 0 ? 'kept' : 'removed') !== EXPECTED[d.label]);
    expect(wrong.map((d) => `${d.source}/${d.id} (${d.label})`)).toEqual([]);
  });

  it('each rule removes exactly the planted documents of its kind, source by source', () => {
    for (const s of report.sources) {
      for (const r of s.rules) {
        if (r.rule === 'length' || r.rule === 'links' || r.rule === 'pii') continue;
        const planted = corpus.docs.filter((d) => d.source === s.name && RULE_OF[d.label] === r.rule).length;
        expect({ source: s.name, rule: r.rule, removed: r.before.docs - r.after.docs }).toEqual({ source: s.name, rule: r.rule, removed: planted });
      }
    }
  });

  it('near-duplicates were planted at Jaccard ≥ 0.8, and the first-seen copy is the one kept', () => {
    for (const d of corpus.docs.filter((x) => x.label === 'near-dup' || x.label === 'exact-dup')) {
      const orig = corpus.docs.find((x) => x.id === d.of)!;
      expect(orig.source).toBe('web');
      expect(rowsOf(orig)).toHaveLength(1);
      const j = jaccard(shingleSet(normalizedWords(orig.text), 5), shingleSet(normalizedWords(d.text), 5));
      expect(j).toBeGreaterThanOrEqual(0.8);
    }
    const near = report.sources.flatMap((s) => s.rules.filter((r) => r.rule === 'near-dup').map((r) => r.details['other-source'] ?? 0));
    expect(near.reduce((a, b) => a + b, 0)).toBe(corpus.docs.filter((d) => d.label === 'near-dup').length);
  });

  it('PII is masked and links removed in the kept text, other fields untouched', () => {
    const [p0] = rowsOf(corpus.docs.find((d) => d.id === 'p0')!);
    expect(p0.text).toMatch(/Write to \[EMAIL\] or call \[PHONE\] for details\.$/);
    expect(p0).toMatchObject({ id: 'p0', lang: 'en', _source: 'web', _file: 'web.jsonl.gz' });
    const [p1] = rowsOf(corpus.docs.find((d) => d.id === 'p1')!);
    expect(p1.body).toMatch(/My card \[CARD\] was charged twice from \[IP\] yesterday\.$/);
    expect(p1).toMatchObject({ id: 'p1', _source: 'forum' });
    const [l0] = rowsOf(corpus.docs.find((d) => d.id === 'l0')!);
    expect(l0.text).toMatch(/The full story is at and also\.$/);
    const web = report.sources.find((s) => s.name === 'web')!;
    expect(web.rules.find((r) => r.rule === 'pii')!.details).toEqual({ email: 1, phone: 1 });
    expect(web.rules.find((r) => r.rule === 'links')!.details).toEqual({ links: 2 });
  });

  it('the long document is split into numbered pieces under the cap, in order, nothing lost', () => {
    const long = corpus.docs.find((d) => d.id === 'long')!;
    const pieces = rowsOf(long);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((p) => p._part)).toEqual(pieces.map((_, i) => i));
    for (const p of pieces) expect(new TextEncoder().encode(String(p.text)).length).toBeLessThanOrEqual(2048 * 4);
    expect(pieces.map((p) => p.text).join('\n\n')).toBe(long.text);
  });

  it('the report pairs each decontamination removal with the benchmark sample it matched', () => {
    const planted = corpus.docs.filter((d) => d.label === 'contaminated' || d.label === 'benchmark-copy');
    expect(report.decontamination.removed).toBe(planted.length);
    expect(report.decontamination.benchmarkSamples).toBe(corpus.benchmarkItems.length);
    for (const d of planted) {
      const pair = report.decontamination.pairs.find((p) => p.source === d.source &&
        (d.source === 'books' ? `line${p.line}` === d.id : p.excerpt.startsWith(d.text.slice(0, 40))));
      expect(pair, d.id).toBeDefined();
      expect(pair!.benchmark).toMatchObject({ file: 'bench.jsonl', line: d.of });
      expect(pair!.rate).toBeGreaterThan(0.5);
    }
  });
});

describe('report', () => {
  it('counts documents, characters and tokens before and after every rule, consistently', () => {
    for (const s of report.sources) {
      expect(s.rules[0].before).toEqual(s.read);
      for (let i = 1; i < s.rules.length; i++) expect(s.rules[i].before).toEqual(s.rules[i - 1].after);
      expect(s.kept).toEqual(s.rules[s.rules.length - 1].after);
      expect(s.kept.docs).toBe(rows.filter((r) => r._source === s.name).length);
    }
    const removedExamples = report.sources.flatMap((s) => s.rules.flatMap((r) => r.examples));
    expect(removedExamples.some((e) => e.reason.startsWith('detected language: fr'))).toBe(true);
  });

  it('report.json on the store is the returned report', async () => {
    expect(JSON.parse(await store.readText('report.json'))).toEqual(report);
    expect(report.problems.counts).toEqual({});
  });

  it('the mixture lists every source with its weight share and tokens', () => {
    expect(report.mixture.map((m) => m.source)).toEqual(['web', 'books', 'long-books', 'forum', 'qa']);
    expect(report.mixture.reduce((n, m) => n + m.share, 0)).toBeCloseTo(1, 12);
    expect(report.mixture[0].share).toBeCloseTo(3 / 8, 12);
  });
});

describe('dataset on the store', () => {
  it('manifest, tokenizer and shards agree in format and size', async () => {
    expect(manifest).toMatchObject({ version: 1, packLength: SEQ_LEN + 1, dtype: 'uint16', vocabSize: 259, tokenizer: 'tokenizer.json', eosId: 2 });
    expect(JSON.parse(await store.readText('tokenizer.json'))).toEqual(byteTokenizer().toJSON());
    for (const s of manifest.sources) {
      const seqs = [...s.train, ...s.val].reduce((n, sh) => n + sh.sequences, 0);
      expect(s.tokens).toBe(seqs * manifest.packLength);
      for (const sh of [...s.train, ...s.val]) expect(await store.size(sh.file)).toBe(sh.sequences * manifest.packLength * 2);
      if (seqs >= 2) expect(s.val.reduce((n, sh) => n + sh.sequences, 0)).toBeGreaterThanOrEqual(1);
    }
  });

  it('train shards hold each source\'s training records in order, each followed by EOS', async () => {
    const tok = byteTokenizer();
    const names = manifest.sources.map((m) => m.name);
    const keys = ['text', 'text', 'text', 'body', 'question_text'];
    const streams = names.map(() => ({ train: [] as number[], val: [] as number[] }));
    for await (const e of readCleaned(store, names, keys, 11, 0.05, 1 << 20)) {
      (e.val ? streams[e.source].val : streams[e.source].train).push(...tok.encode(e.text), tok.eosId);
    }
    const read = async (files: { file: string; sequences: number }[]) => {
      const out: number[] = [];
      for (const f of files) {
        const ids = new Int32Array(f.sequences * manifest.packLength);
        decodeTokens(await store.readRange(f.file, 0, ids.length * 2), 'uint16', ids);
        out.push(...ids);
      }
      return out;
    };
    for (let i = 0; i < names.length; i++) {
      const s = manifest.sources[i];
      const train = await read(s.train);
      const val = await read(s.val);
      expect(train).toEqual(streams[i].train.slice(0, train.length));
      // Validation is its own records, or (when none of its records filled a sequence) the next training one.
      const ownVal = streams[i].val.slice(0, val.length);
      const movedVal = streams[i].train.slice(train.length, train.length + val.length);
      expect(val.length === 0 || JSON.stringify(val) === JSON.stringify(ownVal) || JSON.stringify(val) === JSON.stringify(movedVal)).toBe(true);
      expect(train.length + val.length).toBe(s.tokens);
    }
  });
});

describe('determinism', () => {
  it('the same input and seed give byte-identical outputs', async () => {
    const again = await run(await buildPlantedCorpus());
    const names = await store.list();
    expect(await again.store.list()).toEqual(names);
    for (const n of names) {
      const a = await store.readRange(n, 0, await store.size(n));
      const b = await again.store.readRange(n, 0, await again.store.size(n));
      expect(Buffer.from(b).equals(Buffer.from(a)), n).toBe(true);
    }
  });
});
