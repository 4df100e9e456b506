// The mixture sampler on a hand-built dataset whose every token says where it came from: token
// (s * 1000 + q) * PACK + p for source s, sequence q, position p, so each draw can be traced.
import { describe, expect, it } from 'vitest';
import { encodeTokens, type DatasetManifest } from '../../../src/data/pack/manifest';
import { MixtureSampler, VAL_PAD } from '../../../src/data/sampler';
import { MemoryStore } from '../../../src/data/store.memory';

const PACK = 17;

/** A token that encodes (source, global sequence, position): sources < 4, sequences < 1000, positions < PACK. */
const tokenAt = (s: number, q: number, p: number) => (s * 1000 + q) * PACK + p;
const whereIs = (t: number) => ({ s: Math.floor(Math.floor(t / PACK) / 1000), q: Math.floor(t / PACK) % 1000, p: t % PACK });

async function dataset(spec: { name: string; weight: number; shards: number[]; val: number }[]) {
  const store = new MemoryStore();
  const manifest: DatasetManifest = {
    version: 1, packLength: PACK, dtype: 'uint32', vocabSize: 70000, tokenizer: 'tokenizer.json', bosId: 1, eosId: 2,
    seed: 1, valFraction: 0.1, sources: [],
  };
  for (let s = 0; s < spec.length; s++) {
    const src = spec[s];
    let q = 0;
    const train = [];
    for (let k = 0; k < src.shards.length; k++) {
      const file = `${src.name}.train.${k}.bin`;
      const w = await store.writer(file);
      for (let i = 0; i < src.shards[k]; i++, q++) await w.write(encodeTokens(Array.from({ length: PACK }, (_, p) => tokenAt(s, q, p)), 'uint32'));
      await w.close();
      train.push({ file, sequences: src.shards[k] });
    }
    const val = [];
    if (src.val > 0) {
      const file = `${src.name}.val.0.bin`;
      const w = await store.writer(file);
      for (let i = 0; i < src.val; i++) await w.write(encodeTokens(Array.from({ length: PACK }, (_, p) => tokenAt(s, 900 + i, p)), 'uint32'));
      await w.close();
      val.push({ file, sequences: src.val });
    }
    manifest.sources.push({ name: src.name, category: 'x', weight: src.weight, tokens: 0, records: 0, train, val });
  }
  return { store, manifest };
}

const rowsOf = (batch: Int32Array, rowLen: number) => Array.from({ length: batch.length / rowLen }, (_, r) => Array.from(batch.subarray(r * rowLen, (r + 1) * rowLen)));

describe('MixtureSampler', () => {
  it('draws sources in proportion to their weights', async () => {
    const { store, manifest } = await dataset([
      { name: 'a', weight: 6, shards: [30, 20], val: 0 }, { name: 'b', weight: 3, shards: [7], val: 0 }, { name: 'c', weight: 1, shards: [90], val: 0 },
    ]);
    const sampler = new MixtureSampler(manifest, store, { seed: 5, seqLen: 16 });
    const counts = [0, 0, 0];
    const rows = 20000;
    for (let step = 0; step < rows / 100; step++) {
      for (const row of rowsOf(await sampler.nextBatch(100, step), 17)) counts[whereIs(row[0]).s]++;
    }
    const expected = [0.6, 0.3, 0.1];
    counts.forEach((c, i) => {
      const sd = Math.sqrt((expected[i] * (1 - expected[i])) / rows);
      expect(Math.abs(c / rows - expected[i])).toBeLessThan(4 * sd);
    });
  });

  it('walks each source through a permutation per epoch: every window once, then a new order', async () => {
    const { store, manifest } = await dataset([{ name: 'a', weight: 1, shards: [3, 4], val: 0 }]);
    const sampler = new MixtureSampler(manifest, store, { seed: 9, seqLen: 7 }); // 17 / 8 = 2 windows per sequence
    const rows = rowsOf(await sampler.nextBatch(28, 0), 8);
    const windows = rows.map((r) => { const w = whereIs(r[0]); expect(r).toEqual(Array.from({ length: 8 }, (_, p) => tokenAt(0, w.q, w.p + p))); return `${w.q}:${w.p}`; });
    const epoch1 = windows.slice(0, 14);
    const epoch2 = windows.slice(14);
    const all = Array.from({ length: 7 }, (_, q) => [`${q}:0`, `${q}:8`]).flat().sort();
    expect([...epoch1].sort()).toEqual(all);
    expect([...epoch2].sort()).toEqual(all);
    expect(epoch2).not.toEqual(epoch1);
  });

  it('is deterministic for a seed and resumes exactly from getState()', async () => {
    const { store, manifest } = await dataset([{ name: 'a', weight: 2, shards: [5], val: 0 }, { name: 'b', weight: 1, shards: [4, 4], val: 0 }]);
    const opts = { seed: 3, seqLen: 16 };
    const one = new MixtureSampler(manifest, store, opts);
    const straight: Int32Array[] = [];
    for (let s = 0; s < 12; s++) straight.push(await one.nextBatch(4, s));

    const two = new MixtureSampler(manifest, store, opts);
    for (let s = 0; s < 5; s++) expect(await two.nextBatch(4, s)).toEqual(straight[s]);
    const saved = JSON.parse(JSON.stringify(two.getState()));
    const resumed = new MixtureSampler(manifest, store, opts);
    resumed.setState(saved);
    for (let s = 5; s < 12; s++) expect(await resumed.nextBatch(4, s)).toEqual(straight[s]);

    const other = new MixtureSampler(manifest, store, { ...opts, seed: 4 });
    expect(await other.nextBatch(4, 0)).not.toEqual(straight[0]);
    expect(() => resumed.setState({ ...saved, sources: saved.sources.slice(1) })).toThrow(/different sources/);
  });

  it('stage 1 draws only the named sources until its last step, then the full mixture', async () => {
    const { store, manifest } = await dataset([{ name: 'd1', weight: 1, shards: [10], val: 0 }, { name: 'd2', weight: 1, shards: [10], val: 0 }]);
    const sampler = new MixtureSampler(manifest, store, { seed: 1, seqLen: 16, stage1: { sources: ['d1'], untilStep: 10 } });
    const sourcesAt = async (step: number) => rowsOf(await sampler.nextBatch(50, step), 17).map((r) => whereIs(r[0]).s);
    for (let step = 0; step < 10; step++) expect(new Set(await sourcesAt(step))).toEqual(new Set([0]));
    expect(new Set(await sourcesAt(10))).toEqual(new Set([0, 1]));
    expect(() => new MixtureSampler(manifest, store, { seed: 1, seqLen: 16, stage1: { sources: ['nope'], untilStep: 1 } })).toThrow(/unknown source/);
  });

  it('skips sources with no training data or zero weight, and rejects a seqLen that does not fit', async () => {
    const { store, manifest } = await dataset([{ name: 'a', weight: 1, shards: [], val: 2 }, { name: 'b', weight: 0, shards: [3], val: 0 }, { name: 'c', weight: 1, shards: [2], val: 0 }]);
    const sampler = new MixtureSampler(manifest, store, { seed: 1, seqLen: 16 });
    expect(sampler.activeSources(0)).toEqual([{ index: 2, probability: 1 }]);
    expect(() => new MixtureSampler(manifest, store, { seed: 1, seqLen: 17 })).toThrow(/seqLen/);
  });

  it('valBatches walks every validation window once, in order, padding the last batch', async () => {
    const { store, manifest } = await dataset([{ name: 'a', weight: 1, shards: [2], val: 2 }, { name: 'b', weight: 1, shards: [2], val: 1 }]);
    const sampler = new MixtureSampler(manifest, store, { seed: 1, seqLen: 7 });
    expect(sampler.valWindows).toBe(6);
    const batches: Int32Array[] = [];
    for await (const b of sampler.valBatches(4)) batches.push(b);
    expect(batches).toHaveLength(2);
    const rows = batches.flatMap((b) => rowsOf(b, 8));
    const seen = rows.slice(0, 6).map((r) => whereIs(r[0])).map((w) => `${w.s}:${w.q}:${w.p}`);
    expect(seen).toEqual(['0:900:0', '0:900:8', '0:901:0', '0:901:8', '1:900:0', '1:900:8']);
    expect(rows.slice(6).flat().every((t) => t === VAL_PAD)).toBe(true);
  });
});
