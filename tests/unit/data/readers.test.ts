// Streaming readers: every format, gzip, and every kind of bad input, each reported with file and line while
// everything valid goes on.
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readRecords } from '../../../src/data/read/records';
import type { InputProblem } from '../../../src/data/read/problems';
import type { RawRecord } from '../../../src/data/read/record';
import { detectFormat, type SourceFile, type SourceFormat } from '../../../src/data/source';
import { gzip, jsonl, memFile } from './helpers';

async function readAll(file: SourceFile, format?: SourceFormat, maxRecordBytes = 1 << 20) {
  const problems: InputProblem[] = [];
  const records: RawRecord[] = [];
  for await (const r of readRecords(file, format, { maxRecordBytes }, (p) => problems.push(p))) records.push(r);
  return { records, problems };
}

describe('format detection', () => {
  it('maps extensions, gzip suffix included, to formats', () => {
    expect(detectFormat('a/b/notes.txt')).toEqual({ kind: 'text', split: 'blank-line' });
    expect(detectFormat('x.JSONL.gz', 'body')).toEqual({ kind: 'jsonl', textField: 'body' });
    expect(detectFormat('x.json')).toEqual({ kind: 'jsonl', textField: 'text' });
    expect(detectFormat('x.csv.gz')).toEqual({ kind: 'csv', textField: 'text' });
    expect(detectFormat('x.parquet')).toEqual({ kind: 'parquet', textField: 'text' });
    expect(detectFormat('README')).toEqual({ kind: 'text', split: 'blank-line' });
  });
});

describe('plain text', () => {
  const body = 'First line of one.\nSecond line of one.\n\n\nOnly line of two.\r\n\nThree.';
  it('splits per blank-line block with the starting line', async () => {
    const { records } = await readAll(memFile('a.txt', body, 5));
    expect(records.map((r) => [r.line, r.text])).toEqual([
      [1, 'First line of one.\nSecond line of one.'], [5, 'Only line of two.'], [7, 'Three.']]);
  });
  it('splits per line and per file', async () => {
    const lines = await readAll(memFile('a.txt', body, 3), { kind: 'text', split: 'line' });
    expect(lines.records.map((r) => r.line)).toEqual([1, 2, 5, 7]);
    const whole = await readAll(memFile('a.txt', body), { kind: 'text', split: 'file' });
    expect(whole.records).toHaveLength(1);
    expect(whole.records[0].text).toBe(body.replace('\r', ''));
  });
});

describe('JSONL', () => {
  it('reads the chosen field (dotted paths too) and keeps the original fields', async () => {
    const file = memFile('d.jsonl', jsonl([{ id: 'a', meta: { body: 'Hello there.' } }, { id: 'b', meta: { body: 'Again.' } }]), 7);
    const { records, problems } = await readAll(file, { kind: 'jsonl', textField: 'meta.body' });
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.line, r.text, r.fields?.id])).toEqual([[1, 'Hello there.', 'a'], [2, 'Again.', 'b']]);
  });

  it('reports a malformed line, a non-object and a missing field with file and line, and reads on', async () => {
    const text = '{"text":"one."}\n{"text": "broken\n[1,2]\n{"title":"no text"}\n\n{"text":"six."}\n';
    const { records, problems } = await readAll(memFile('dir/bad.jsonl', text));
    expect(records.map((r) => [r.line, r.text])).toEqual([[1, 'one.'], [6, 'six.']]);
    expect(problems.map((p) => [p.kind, p.file, p.line])).toEqual([
      ['malformed-json', 'bad.jsonl', 2], ['not-object', 'bad.jsonl', 3], ['missing-field', 'bad.jsonl', 4]]);
  });
});

describe('CSV', () => {
  it('handles quoted delimiters, doubled quotes and newlines inside quotes', async () => {
    const csv = 'id,text,label\n1,"Hello, world.",x\n2,"She said ""hi"".\nThen left.",y\n\n3,plain,z\n';
    const { records, problems } = await readAll(memFile('t.csv', csv, 4));
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.line, r.text, r.fields?.id, r.fields?.label])).toEqual([
      [2, 'Hello, world.', '1', 'x'], [3, 'She said "hi".\nThen left.', '2', 'y'], [6, 'plain', '3', 'z']]);
  });

  it('reports rows with the wrong column count and a missing text column', async () => {
    const { records, problems } = await readAll(memFile('t.csv', 'id,text\n1,ok.\n2,too,many\n3,fine.\n'));
    expect(records.map((r) => r.text)).toEqual(['ok.', 'fine.']);
    expect(problems.map((p) => [p.kind, p.line])).toEqual([['csv-columns', 3]]);
    const missing = await readAll(memFile('t.csv', 'id,body\n1,x\n'));
    expect(missing.problems.map((p) => p.kind)).toEqual(['missing-field']);
  });

  it('reads tab-separated files by extension', async () => {
    const { records } = await readAll(memFile('t.tsv', 'text\tn\nA, with comma.\t1\n'));
    expect(records[0].text).toBe('A, with comma.');
  });
});

describe('Parquet', () => {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: [1n, 2n, 3n], type: 'INT64' },
      { name: 'text', data: ['Row one text.', 'Row two text.', 'Row three text.'], type: 'STRING' },
    ],
    rowGroupSize: 2,
  });
  const bytes = new Uint8Array(buffer);

  it('reads row group by row group with random access, fields made JSON-safe', async () => {
    const { records, problems } = await readAll(memFile('p.parquet', bytes));
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.line, r.text, r.fields?.id])).toEqual([[1, 'Row one text.', 1], [2, 'Row two text.', 2], [3, 'Row three text.', 3]]);
  });

  it('reads a gzipped Parquet file by buffering it', async () => {
    const { records } = await readAll(memFile('p.parquet.gz', await gzip(bytes)));
    expect(records.map((r) => r.text)).toEqual(['Row one text.', 'Row two text.', 'Row three text.']);
  });

  it('reports a file that is not Parquet', async () => {
    const { records, problems } = await readAll(memFile('bad.parquet', 'this is not parquet at all, only text'));
    expect(records).toEqual([]);
    expect(problems.map((p) => p.kind)).toEqual(['parquet']);
  });
});

describe('gzip', () => {
  it('is recognised by its magic bytes, whatever the name', async () => {
    const packed = await gzip(jsonl([{ text: 'Compressed one.' }, { text: 'Compressed two.' }]));
    for (const name of ['c.jsonl.gz', 'c.jsonl']) {
      const { records } = await readAll(memFile(name, packed, 10), { kind: 'jsonl', textField: 'text' });
      expect(records.map((r) => r.text)).toEqual(['Compressed one.', 'Compressed two.']);
    }
  });

  it('reports a truncated stream and keeps the records before the damage', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => ({ text: `Record number ${i} with some words in it.` }));
    const packed = await gzip(jsonl(lines));
    const cut = packed.slice(0, Math.floor(packed.length * 0.6));
    const { records, problems } = await readAll(memFile('cut.jsonl.gz', cut, 256));
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThan(2000);
    expect(records.every((r, i) => r.text === lines[i].text)).toBe(true);
    expect(problems.map((p) => p.kind)).toContain('gzip');
  });
});

describe('bad input never stops the run', () => {
  it('skips a line of invalid UTF-8 and reads the rest', async () => {
    const enc = new TextEncoder();
    const bytes = new Uint8Array([...enc.encode('{"text":"good one."}\n{"text":"bad '), 0xff, 0xfe, ...enc.encode('"}\n{"text":"good two."}\n')]);
    const { records, problems } = await readAll(memFile('u.jsonl', bytes, 3));
    expect(records.map((r) => r.text)).toEqual(['good one.', 'good two.']);
    expect(problems).toEqual([{ kind: 'invalid-utf8', file: 'u.jsonl', line: 2, message: expect.any(String) }]);
  });

  it('reports a binary file and an empty file', async () => {
    const binary = new Uint8Array(5000).map((_, i) => (i * 37) % 256);
    const b = await readAll(memFile('image.txt', binary));
    expect(b.records).toEqual([]);
    expect(b.problems.map((p) => [p.kind, p.file])).toEqual([['binary-file', 'image.txt']]);
    const e = await readAll(memFile('empty.jsonl', ''));
    expect(e.problems.map((p) => p.kind)).toEqual(['empty-file']);
  });

  it('skips a huge single line as it streams past, without holding it', async () => {
    // 8 MiB on one line with a 256 KiB limit: reported, never buffered, and the next line still read.
    const huge = 8 * 1024 * 1024;
    let sent = 0;
    const head = new TextEncoder().encode('{"text":"');
    const tail = new TextEncoder().encode('"}\n{"text":"after the huge line."}\n');
    const file: SourceFile = {
      name: 'huge.jsonl',
      stream: () => new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent === 0) { c.enqueue(head); sent = head.length; return; }
          if (sent < huge) { const n = Math.min(65536, huge - sent); c.enqueue(new Uint8Array(n).fill(97)); sent += n; return; }
          c.enqueue(tail); c.close();
        },
      }),
    };
    const stats = { peakLineBytes: 0 };
    const problems: InputProblem[] = [];
    const records: RawRecord[] = [];
    for await (const r of readRecords(file, undefined, { maxRecordBytes: 256 * 1024, stats }, (p) => problems.push(p))) records.push(r);
    expect(records.map((r) => [r.line, r.text])).toEqual([[2, 'after the huge line.']]);
    expect(problems.map((p) => [p.kind, p.line])).toEqual([['too-long', 1]]);
    expect(stats.peakLineBytes).toBeLessThanOrEqual(256 * 1024);
  });

  it('drops an over-long text document and a CSV record with an unterminated quote', async () => {
    const long = `Short one.\n\n${'word '.repeat(400)}\n\nShort two.`;
    const t = await readAll(memFile('t.txt', long), undefined, 1024);
    expect(t.records.map((r) => r.text)).toEqual(['Short one.', 'Short two.']);
    expect(t.problems.map((p) => [p.kind, p.line])).toEqual([['too-long', 3]]);
    const csv = `id,text\n1,"never closed\n${'x\n'.repeat(600)}`;
    const c = await readAll(memFile('q.csv', csv), undefined, 1024);
    expect(c.problems.map((p) => [p.kind, p.line])).toContainEqual(['too-long', 2]);
  });
});
