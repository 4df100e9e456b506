// The committed default corpus (public/corpus, built by scripts/build-default-corpus.mjs) is what its index
// says, small, and clean enough that the pipeline keeps nearly all of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memFile, runInMemory } from './helpers';

const dir = join(__dirname, '..', '..', '..', 'public', 'corpus');
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
  sources: { file: string; name: string; category: string; weight: number; records: number; bytes: number; format: { kind: 'jsonl'; textField: string } }[];
};

describe('default corpus', () => {
  it('lists files that exist, with their record counts and sizes, a few MB in all', () => {
    expect(index.sources.map((s) => s.category)).toEqual(['books', 'speeches']);
    let total = 0;
    for (const s of index.sources) {
      const bytes = readFileSync(join(dir, s.file));
      expect(bytes.length).toBe(s.bytes);
      expect(bytes.toString('utf8').trim().split('\n')).toHaveLength(s.records);
      expect(s.weight).toBeGreaterThan(0);
      total += bytes.length;
    }
    expect(total).toBeLessThan(4e6);
  });

  it('goes through the pipeline with almost everything kept', async () => {
    const { report } = await runInMemory({
      sources: index.sources.map((s) => ({ name: s.name, category: s.category, weight: s.weight, format: s.format,
        files: [memFile(s.file, readFileSync(join(dir, s.file)), 1 << 20)] })),
      seqLen: 256,
    });
    for (const s of report.sources) {
      expect(s.problems).toEqual({});
      expect(s.kept.chars / s.read.chars).toBeGreaterThan(0.9);
    }
  });
});
