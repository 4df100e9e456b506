// Issue 14.3 and 14.4: a text field that is not in the file is found out when the file is added (its text
// columns offered with a preview) and when it is prepared (an error naming the file and the columns that
// exist, not a "Prepared" with 0 documents); an empty source takes no share of the mixture.
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { sharesInPlay } from '../../../src/data/mixture-shares';
import { describeColumns, sniffColumns } from '../../../src/data/sniff-columns';
import { gzip, jsonl, memFile, runInMemory } from './helpers';

const speech = (k: number) => `Fellow citizens, this is address number ${k}, and it is long enough to be kept by every rule we have.`;
const speechesCsv = 'year,speech,title\n' + [1, 2, 3].map((k) => `${1900 + k},"${speech(k)}",Address ${k}`).join('\n') + '\n';

describe('sniffColumns', () => {
  it('offers the CSV columns that hold text, the fullest first, with a preview', async () => {
    const s = await sniffColumns(memFile('speeches.csv', speechesCsv), 'csv');
    // Every CSV cell is a string: the year column is offered too, after the text columns it ties with.
    expect(s.columns.map((c) => c.name)).toEqual(['year', 'speech', 'title']);
    expect(s.columns[1].preview).toMatch(/^Fellow citizens, this is address number 1, .{10,}…$/);
    expect(s.records).toBe(3);
    expect(describeColumns(s)).toBe('its text columns are "year", "speech", "title"');
  });

  it('reads a gzipped JSONL and names only string fields; a Parquet schema by its first rows', async () => {
    const rows = [{ id: 1, content: speech(1), meta: { lang: 'en' } }, { id: 2, content: speech(2), note: '' }];
    const j = await sniffColumns(memFile('docs.jsonl.gz', await gzip(jsonl(rows))), 'jsonl');
    expect(j.columns.map((c) => c.name)).toEqual(['content']);
    expect(j.allColumns).toEqual(['id', 'content', 'meta', 'note']);
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [
      { name: 'id', data: [1, 2], type: 'INT32' }, { name: 'content', data: [speech(1), speech(2)], type: 'STRING' },
    ] }));
    const p = await sniffColumns(memFile('docs.parquet', bytes), 'parquet');
    expect(p.columns).toEqual([{ name: 'content', preview: expect.stringMatching(/^Fellow citizens/), filled: 2 }]);
  });

  it('says why a file shows no columns', async () => {
    const s = await sniffColumns(memFile('broken.parquet', 'not parquet at all\n'.repeat(5)), 'parquet');
    expect(s.columns).toEqual([]);
    expect(describeColumns(s)).toMatch(/^parquet: not a readable Parquet file/);
  });
});

describe('a source that yields no document', () => {
  it('is an error in the report naming the file and the columns that exist (CSV and Parquet)', async () => {
    const parquet = new Uint8Array(parquetWriteBuffer({ columnData: [
      { name: 'content', data: [speech(4), speech(5)], type: 'STRING' },
    ] }));
    const { report } = await runInMemory({
      sources: [
        { name: 'speeches', category: 'speeches', weight: 1, files: [memFile('speeches.csv', speechesCsv)] },
        { name: 'web', category: 'web', weight: 1, files: [memFile('web.parquet', parquet)] },
        { name: 'good', category: 'web', weight: 1, files: [memFile('good.jsonl', jsonl([1, 2, 3, 4, 5, 6].map((k) => ({ text: speech(k) }))))] },
      ],
      seqLen: 16,
    });
    const [speeches, web, good] = report.sources;
    expect(speeches.error).toBe('source "speeches" gave no documents: speeches.csv has no text field "text": its text columns are ' +
      '"year", "speech", "title". Fix it (choose its text field or format, or remove it) and prepare again.');
    expect(web.error).toMatch(/^source "web" gave no documents: web\.parquet has no text field "text": its text columns are "content"\./);
    expect(good.error).toBeUndefined();
    // One missing-field problem per Parquet row, counted for the file: the page groups them.
    expect(report.problems.files.find((f) => f.file === 'web.parquet')?.counts).toEqual({ 'missing-field': 2 });
  });

  it('names the file problem when the file itself is unreadable', async () => {
    const { report } = await runInMemory({
      sources: [
        { name: 'broken', category: 'web', weight: 1, files: [memFile('broken.parquet', 'not parquet at all\n'.repeat(5))] },
        { name: 'good', category: 'web', weight: 1, files: [memFile('good.jsonl', jsonl([1, 2, 3, 4].map((k) => ({ text: speech(k) }))))] },
      ],
      seqLen: 16,
    });
    expect(report.sources[0].error).toMatch(/^source "broken" gave no documents: broken\.parquet: parquet: not a readable Parquet file/);
  });
});

describe('the mixture shares', () => {
  it('drop a source with no tokens or no training sequence and renormalise the rest over what is in play', () => {
    const shares = sharesInPlay([
      { weight: 1, tokens: 0, trainSequences: 0 }, { weight: 1, tokens: 129, trainSequences: 0 },
      { weight: 1, tokens: 5000, trainSequences: 30 }, { weight: 3, tokens: 9000, trainSequences: 60 },
    ], 129);
    expect(shares.map((s) => s.share)).toEqual([0, 0, 0.25, 0.75]);
    expect(shares[0].dropped).toBe('no tokens: dropped from the mixture');
    expect(shares[1].dropped).toBe('129 tokens, not one training sequence of 129 tokens: dropped from the mixture');
    expect(shares[2].dropped).toBeNull();
  });

  it('as the pipeline reports them: an empty source has share 0 and the others sum to 1', async () => {
    const { report } = await runInMemory({
      sources: [
        { name: 'empty', category: 'web', weight: 1, files: [memFile('empty.txt', '')] },
        { name: 'a', category: 'web', weight: 1, files: [memFile('a.jsonl', jsonl([1, 2, 3, 4, 5, 6].map((k) => ({ text: speech(k) }))))] },
        { name: 'b', category: 'web', weight: 1, files: [memFile('b.jsonl', jsonl([7, 8, 9, 10, 11, 12].map((k) => ({ text: speech(k) }))))] },
      ],
      seqLen: 16,
    });
    expect(report.mixture.map((m) => m.share)).toEqual([0, 0.5, 0.5]);
    expect(report.mixture[0].dropped).toBe('no tokens: dropped from the mixture');
    expect(report.sources[0].error).toMatch(/^source "empty" gave no documents: empty\.txt: empty-file/);
  });
});
