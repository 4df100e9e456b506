// Every rule can be switched off, and PII can drop records instead of masking them: the planted corpus run
// with those settings keeps exactly what they say.
import { describe, expect, it } from 'vitest';
import { buildPlantedCorpus } from './planted-corpus';
import { cleanedRows, runInMemory } from './helpers';

describe('rule switches', () => {
  it('with every rule off, every record read is written out unchanged', async () => {
    const corpus = await buildPlantedCorpus();
    const { store, report } = await runInMemory({
      sources: corpus.sources, benchmarks: corpus.benchmarks, seqLen: 64,
      rules: {
        links: { enabled: false }, pii: { enabled: false }, quality: { enabled: false }, language: { enabled: false },
        length: { enabled: false }, exactDedup: { enabled: false }, nearDedup: { enabled: false }, decontam: { enabled: false },
      },
    });
    const rows = await cleanedRows(store);
    expect(rows).toHaveLength(corpus.docs.length);
    expect(report.totals.kept).toEqual(report.totals.read);
    for (const s of report.sources) for (const r of s.rules) expect([r.rule, r.enabled, r.after]).toEqual([r.rule, false, r.before]);
    const p0 = rows.find((r) => r.id === 'p0')!;
    expect(p0.text).toBe(corpus.docs.find((d) => d.id === 'p0')!.text);
  });

  it("PII mode 'drop' removes the records that hold private information", async () => {
    const corpus = await buildPlantedCorpus();
    const { store, report } = await runInMemory({ sources: corpus.sources, benchmarks: corpus.benchmarks, seqLen: 64, rules: { pii: { mode: 'drop' } } });
    const ids = new Set((await cleanedRows(store)).map((r) => r.id));
    expect(ids.has('p0')).toBe(false);
    expect(ids.has('p1')).toBe(false);
    expect(ids.has('l0')).toBe(true);
    const removed = report.sources.map((s) => s.rules.find((r) => r.rule === 'pii')!).reduce((n, r) => n + r.before.docs - r.after.docs, 0);
    expect(removed).toBe(2);
    const examples = report.sources.flatMap((s) => s.rules.find((r) => r.rule === 'pii')!.examples.map((e) => e.reason));
    expect(examples.sort()).toEqual(['contains email, phone', 'contains ip, card']);
  });
});
