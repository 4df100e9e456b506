// `npm run data`: argument parsing, and whole runs on files in a temporary folder with the real BPE
// trainer, checking the folder's contents and that two runs write identical bytes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/prepare';
import { parsePrepareArgs, parseSourceSpec, UsageError } from '../../../src/cli/prepare-args';
import { jsonl } from './helpers';

describe('prepare arguments', () => {
  it('parses FILE[,FILE]:CATEGORY:WEIGHT[:FIELD] from the right, with an optional NAME=', () => {
    expect(parseSourceSpec('data/web.jsonl:web:2')).toEqual({ name: 'web', category: 'web', weight: 2, paths: ['data/web.jsonl'], format: undefined });
    expect(parseSourceSpec('forum=a.csv.gz,b.csv:q&a:0.5:body')).toEqual({
      name: 'forum', category: 'q&a', weight: 0.5, paths: ['a.csv.gz', 'b.csv'], format: { kind: 'csv', textField: 'body' } });
    expect(parseSourceSpec('notes.txt:books:1:line').format).toEqual({ kind: 'text', split: 'line' });
    expect(parseSourceSpec('c:/odd:path/x.parquet:code:3').paths).toEqual(['c:/odd:path/x.parquet']);
    expect(() => parseSourceSpec('web.jsonl:web')).toThrow(UsageError);
    expect(() => parseSourceSpec('notes.txt:books:1:paragraph')).toThrow(/split/);
  });

  it('maps flags onto rule overrides and run settings', () => {
    const a = parsePrepareArgs(['--source', 'a.jsonl:web:1', '--source', 'a.jsonl:web:2', '--benchmark', 'mmlu.jsonl:question,choices',
      '--benchmark', 'arc.parquet', '--out', 'o', '--tokenizer', 'bpe:4096', '--seq-len', '128', '--seed', '7', '--val', '0.02',
      '--strict-decontam', '--no-language', '--no-dedup', '--pii', 'drop', '--near-threshold', '0.9', '--min-words', '3', '--max-tokens', '1024']);
    expect(a.sources.map((s) => s.name)).toEqual(['a', 'a-2']);
    expect(a.benchmarks).toEqual([{ path: 'mmlu.jsonl', fields: 'question,choices' }, { path: 'arc.parquet' }]);
    expect(a).toMatchObject({ out: 'o', tokenizer: { kind: 'bpe', vocabSize: 4096 }, seqLen: 128, seed: 7, valFraction: 0.02 });
    expect(a.rules).toEqual({
      decontam: { strict: true }, language: { enabled: false }, exactDedup: { enabled: false }, nearDedup: { enabled: false, threshold: 0.9 },
      pii: { mode: 'drop' }, quality: { minWords: 3 }, length: { longMaxTokens: 1024 },
    });
    expect(() => parsePrepareArgs(['--source', 'a.jsonl:web:1'])).toThrow(/--out/);
    expect(() => parsePrepareArgs(['--source', 'a.jsonl:web:1', '--out', 'o', '--bogus'])).toThrow(/unknown option/);
  });
});

describe('prepare runs', () => {
  let dir: string;
  const sentence = (i: number) => `Entry ${i} says the lighthouse keeper counted ${i * 3} ships passing the cape before the autumn storms began.`;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'leveret-prepare-'));
    writeFileSync(join(dir, 'notes.txt.gz'), gzipSync(Array.from({ length: 80 }, (_, i) => sentence(1000 + i)).join('\n\n')));
    const question = { q: 'Which river flows through the ancient city of Baghdad before it joins the Euphrates?', a: 'The Tigris.' };
    writeFileSync(join(dir, 'bench.jsonl'), jsonl([question]));
    // One log entry quotes the benchmark item: decontamination must take it out.
    const rows = Array.from({ length: 150 }, (_, i) => ({ id: `log-${i}`, text: sentence(i) }));
    rows[40] = { id: 'log-40', text: `Quiz night: ${question.q} ${question.a}` };
    writeFileSync(join(dir, 'log.jsonl'), jsonl(rows) + '{"broken\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const argv = (out: string) => ['--source', `${join(dir, 'log.jsonl')}:web:2`, '--source', `notes=${join(dir, 'notes.txt.gz')}:books:1`,
    '--benchmark', join(dir, 'bench.jsonl'), '--out', out, '--tokenizer', 'bpe:300', '--seq-len', '32'];

  it('writes the dataset folder, and the same bytes on a second run', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const a = join(dir, 'out-a');
      const b = join(dir, 'out-b');
      expect(await run(argv(a))).toBe(0);
      expect(await run(argv(b))).toBe(0);
      const files = readdirSync(a).sort();
      expect(files).toEqual(expect.arrayContaining(['cleaned.jsonl', 'dataset.json', 'report.json', 'tokenizer.json',
        'log.train.000.bin', 'notes.train.000.bin']));
      expect(readdirSync(b).sort()).toEqual(files);
      for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);

      const report = JSON.parse(readFileSync(join(a, 'report.json'), 'utf8'));
      expect(report.tokenizer).toEqual({ name: expect.stringContaining('bpe'), vocabSize: 300 });
      expect(report.problems.list).toEqual([expect.objectContaining({ kind: 'malformed-json', file: 'log.jsonl', line: 151 })]);
      expect(report.decontamination.pairs).toEqual([expect.objectContaining({ source: 'log', line: 41, benchmark: expect.objectContaining({ file: 'bench.jsonl', line: 1 }) })]);
      const cleaned = readFileSync(join(a, 'cleaned.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(cleaned[0]).toEqual({ id: 'log-0', text: sentence(0), _source: 'log', _file: 'log.jsonl', _line: 1 });
      expect(cleaned.filter((r) => r._source === 'notes')).toHaveLength(80);
      expect(log.mock.calls.flat().join('\n')).toMatch(/Mixture/);

      // A rerun into the same folder replaces the old dataset instead of mixing with it.
      expect(await run([...argv(a).slice(0, 2), '--out', a, '--tokenizer', 'bpe:300', '--seq-len', '32'])).toBe(0);
      expect(readdirSync(a).filter((f) => f.startsWith('notes'))).toEqual([]);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it('exits with 2 and the usage on bad arguments', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await run(['--source', 'x.jsonl'])).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toMatch(/usage: npm run data/);
    } finally {
      err.mockRestore();
    }
  });
});
