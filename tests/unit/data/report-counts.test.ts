// Documents read, documents kept and pieces kept are three numbers: the length rule splits a long document
// into pieces, so pieces can outnumber the documents read. The report, the CLI summary, the CLI's one-line
// count and the page must say which number is which, and none may contradict another.
import { describe, expect, it } from 'vitest';
import { describeDocumentCounts } from '../../../src/data/report-counts';
import { summarize } from '../../../src/cli/prepare-summary';
import { jsonl, memFile, runInMemory } from './helpers';

// A sentence of about 24 estimated tokens (4 bytes each); 20 of them make a document of ~480 tokens.
const sentence = (i: number, k: number) => `Document ${i} sentence ${k} tells how the harbour pilot guided the ship past the shoals at dawn.`;
const doc = (i: number, sentences: number) => Array.from({ length: sentences }, (_, k) => sentence(i, k)).join(' ');

describe('document counts', () => {
  it('names pieces as pieces, and never claims more documents kept than read', () => {
    expect(describeDocumentCounts({ read: 139, keptDocuments: 120, pieces: 120 })).toBe('139 documents read, 120 kept');
    expect(describeDocumentCounts({ read: 139, keptDocuments: 139, pieces: 219 }))
      .toBe('139 documents read, 139 kept as 219 pieces (the length rule splits long documents)');
    expect(describeDocumentCounts({ read: 1, keptDocuments: 1, pieces: 1 })).toBe('1 document read, 1 kept');
    // A report written before keptDocuments existed: only the pieces are known, so say only that.
    expect(describeDocumentCounts({ read: 139, pieces: 219 })).toBe('139 documents read, 219 pieces kept');
    expect(describeDocumentCounts({ read: 1234, keptDocuments: 1000, pieces: 1500 }, (n) => n.toLocaleString('en-US')))
      .toMatch(/^1,234 documents read, 1,000 kept as 1,500 pieces/);
  });

  it('a pipeline that splits long documents reports documents read, documents kept and pieces apart', async () => {
    // Four long documents (split at a cap of 64 estimated tokens), three short ones, one too short to keep.
    const rows = [
      ...Array.from({ length: 4 }, (_, i) => ({ text: doc(i, 20) })),
      ...Array.from({ length: 3 }, (_, i) => ({ text: doc(10 + i, 1) })),
      { text: 'Too short.' },
    ];
    const { report } = await runInMemory({
      sources: [{ name: 'web', category: 'web', weight: 1, files: [memFile('web.jsonl', jsonl(rows))] }],
      rules: { length: { longMaxTokens: 64, shortMaxTokens: 64 }, nearDedup: { enabled: false } },
      seqLen: 32, valFraction: 0,
    });
    const s = report.sources[0];
    const split = s.rules.find((r) => r.rule === 'length')!;
    expect(s.read.docs).toBe(8);
    expect(s.keptDocuments).toBe(7);
    expect(s.kept.docs).toBe(3 + split.details.pieces);
    expect(split.details.pieces).toBeGreaterThan(4 * 2);
    expect(report.totals).toMatchObject({ keptDocuments: 7, read: { docs: 8 }, kept: { docs: s.kept.docs } });
    expect(report.mixture[0].records).toBe(s.kept.docs);

    const text = summarize(report);
    expect(text).toContain(`8 documents read, 7 kept as ${s.kept.docs} pieces`);
    const header = text.split('\n').find((l) => l.startsWith('source  category'))!;
    expect(header).toMatch(/docs read .* docs kept\s+pieces kept\s+chars kept/);
    const row = text.split('\n').find((l) => l.startsWith('web ') && l.includes('%'))!;
    const cells = row.trim().split(/\s{2,}/);
    // docs read, ..., docs kept, pieces kept, chars kept: the documents kept never exceed the documents read.
    expect(cells.slice(-3, -1)).toEqual(['7', String(s.kept.docs)]);
    expect(cells[2]).toBe('8');
  });
});
