// Topic clusters per source: a planted two-topic corpus is split by topic (purity measured), every record
// of cleaned.jsonl carries its cluster, and a per-cluster cap changes the token shares as the report says.
import { describe, expect, it } from 'vitest';
import { clusterTargets } from '../../../src/data/diversity/balance';
import { cleanedRows, jsonl, memFile, rng, runInMemory } from './helpers';
import type { PipelineOptions } from '../../../src/data/pipeline-options';

const SEA = ['ship', 'harbour', 'sailors', 'anchor', 'tide', 'waves', 'deck', 'captain', 'fishing', 'nets', 'coast', 'storm', 'mast', 'voyage'];
const SPACE = ['rocket', 'orbit', 'astronauts', 'launch', 'planet', 'telescope', 'satellite', 'gravity', 'moon', 'station', 'comet', 'galaxy', 'engine', 'mission'];
const GLUE = ['the', 'a', 'of', 'and', 'with', 'near', 'after', 'before', 'was', 'were'];

/** A sentence-shaped document mostly of one topic's words, with shared function words. */
function doc(topic: string[], r: () => number, words = 30): string {
  const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(i % 2 === 0 ? pick(topic) : pick(GLUE));
  return `${out.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
}

/** 3 sea documents for each space one, shuffled: a source one topic dominates. */
function corpus() {
  const r = rng(7);
  const rows: { id: string; topic: string; text: string }[] = [];
  for (let i = 0; i < 160; i++) {
    const sea = i % 4 !== 3;
    rows.push({ id: `d${i}`, topic: sea ? 'sea' : 'space', text: doc(sea ? SEA : SPACE, r) });
  }
  return rows;
}

async function run(diversity: PipelineOptions['diversity']) {
  return runInMemory({
    sources: [{ name: 'mixed', category: 'web', weight: 1, files: [memFile('mixed.jsonl', jsonl(corpus()))] }],
    valFraction: 0, seqLen: 32, diversity, rules: { nearDedup: { enabled: false } },
  });
}

describe('topic clusters', () => {
  it('split a planted two-topic corpus by topic, record each record\'s cluster, report sizes, words and examples', async () => {
    const { store, report } = await run({ clusters: 2 });
    const rows = await cleanedRows(store);
    expect(rows).toHaveLength(160);
    // Purity: the share of records whose cluster's majority topic is their own.
    const byCluster = new Map<number, Map<string, number>>();
    for (const r of rows) {
      const m = byCluster.get(r._cluster as number) ?? new Map<string, number>();
      m.set(r.topic as string, (m.get(r.topic as string) ?? 0) + 1);
      byCluster.set(r._cluster as number, m);
    }
    const purity = [...byCluster.values()].reduce((s, m) => s + Math.max(...m.values()), 0) / rows.length;
    expect(purity).toBeGreaterThanOrEqual(0.95);
    const s = report.diversity!.sources[0];
    expect(s.clusters.map((c) => c.docs)).toEqual([120, 40]); // numbered by size; 3:1 as planted
    expect(s.clusters[0].terms.some((t) => SEA.includes(t))).toBe(true);
    expect(s.clusters[1].terms.some((t) => SPACE.includes(t))).toBe(true);
    expect(s.clusters[0].examples).toHaveLength(3);
    expect(s.keptDocs).toBe(160);
    expect(report.diversity!.method).toMatch(/every record kept/);
  });

  it('are the same for the same seed', async () => {
    const a = await run({ clusters: 2 });
    const b = await run({ clusters: 2 });
    expect(await a.store.readText('cleaned.jsonl')).toBe(await b.store.readText('cleaned.jsonl'));
    expect(JSON.stringify(b.report.diversity)).toBe(JSON.stringify(a.report.diversity));
  });

  it('a cap of 60% per cluster down-samples the dominant topic: the report, cleaned.jsonl and the packed tokens agree', async () => {
    const free = await run({ clusters: 2 });
    const capped = await run({ clusters: 2, cap: 0.6 });
    const s = capped.report.diversity!.sources[0];
    expect(free.report.diversity!.sources[0].clusters[0].share).toBeGreaterThan(0.7);
    expect(s.clusters[0].keptShare).toBeLessThanOrEqual(0.6);
    expect(s.clusters[0].keptShare).toBeGreaterThan(0.55);
    expect(s.clusters[1].keptDocs).toBe(s.clusters[1].docs); // the small topic keeps everything
    // What the report says was kept is what cleaned.jsonl holds and what was packed.
    const rows = await cleanedRows(capped.store);
    expect(rows.length).toBe(s.keptDocs);
    expect(rows.filter((r) => r._cluster === 0).length).toBe(s.clusters[0].keptDocs);
    expect(capped.report.mixture[0].records).toBe(s.keptDocs);
    const bytes = (rs: Record<string, unknown>[]) => rs.reduce((n, r) => n + new TextEncoder().encode(String(r.text)).length + 1, 0);
    // The byte-level test tokenizer: tokens = bytes + EOS, so the packed share of cluster 0 is measurable.
    const packedShare = bytes(rows.filter((r) => r._cluster === 0)) / bytes(rows);
    expect(Math.abs(packedShare - s.clusters[0].keptShare)).toBeLessThan(0.02);
    expect(capped.report.mixture[0].tokens).toBeLessThan(free.report.mixture[0].tokens);
  });
});

describe('cluster targets', () => {
  it('cap: water-filling, never up-sampling; flatten 0: all equal; below 1/k the cap is 1/k', () => {
    const close = (xs: number[], ys: number[]) => xs.forEach((x, i) => expect(x).toBeCloseTo(ys[i], 6));
    close(clusterTargets([800, 100, 100], { cap: 0.5 }), [200, 100, 100]);
    close(clusterTargets([600, 300, 100], { flatten: 0 }), [100, 100, 100]);
    close(clusterTargets([600, 300, 100], { cap: 0.1 }), [100, 100, 100]);
    expect(clusterTargets([600, 300, 100], {})).toEqual([600, 300, 100]);
    const t = clusterTargets([900, 400, 100], { cap: 0.5 });
    expect(t[0] / (t[0] + t[1] + t[2])).toBeCloseTo(0.5, 9);
    expect(t[2]).toBe(100);
  });
});
