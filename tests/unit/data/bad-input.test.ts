// Issue 7's bad inputs, each built exactly as reported: a record nested 5,000 deep, a Parquet file that spun
// hyparquet forever, gzip with junk after the trailer or a flipped CRC byte, CSV with a bad line inside a
// quoted field or CR-only line endings, a stray NUL in JSONL, and a report whose problem list one file filled.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readRecords } from '../../../src/data/read/records';
import type { InputProblem } from '../../../src/data/read/problems';
import type { RawRecord } from '../../../src/data/read/record';
import type { SourceFile, SourceFormat } from '../../../src/data/source';
import { cleanedRows, jsonl, memFile, runInMemory } from './helpers';

async function readAll(file: SourceFile, format?: SourceFormat, opts: { maxRecordBytes?: number; stallMs?: number } = {}) {
  const problems: InputProblem[] = [];
  const records: RawRecord[] = [];
  for await (const r of readRecords(file, format, { maxRecordBytes: opts.maxRecordBytes ?? 1 << 20, stallMs: opts.stallMs },
    (p) => problems.push(p))) records.push(r);
  return { records, problems };
}

const sentence = (k: number) => `Document number ${k} is a complete English sentence for the reader to keep.`;
const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('a side field nested 5,000 deep (item 4)', () => {
  const lines = [JSON.stringify({ text: sentence(1) }), `{"text": "${sentence(2)}", "meta": ${deep(5000)}}`,
    JSON.stringify({ text: sentence(3) })].join('\n') + '\n';

  it('is skipped and reported by the JSONL reader, with a field list, * and the plain field', async () => {
    for (const field of ['text', 'text,meta', '*']) {
      const { records, problems } = await readAll(memFile('deep.jsonl', lines), { kind: 'jsonl', textField: field });
      expect(records.map((r) => r.line)).toEqual([1, 3]);
      expect(problems).toEqual([expect.objectContaining({ kind: 'too-deep', file: 'deep.jsonl', line: 2 })]);
    }
  });

  it('goes through the whole pipeline, as a source and as a benchmark file, with a report written', async () => {
    const { store, report } = await runInMemory({
      sources: [{ name: 'web', category: 'web', weight: 1, files: [memFile('deep.jsonl', lines)] }],
      benchmarks: [{ files: [memFile('bench-deep.jsonl', lines)] }],
      seqLen: 16,
    });
    const written = JSON.parse(await store.readText('report.json'));
    expect(written.problems.counts).toEqual({ 'too-deep': 2 });
    expect(report.problems.files.map((f) => f.file).sort()).toEqual(['bench-deep.jsonl', 'deep.jsonl']);
    expect((await cleanedRows(store)).length).toBeLessThanOrEqual(2);
  });
});

describe('a Parquet page header without repetition_levels_byte_length (item 5)', () => {
  it('is reported and skipped instead of spinning hyparquet', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [{ name: 'text', data: ['First row of the file.', 'Second row of the file.'], type: 'STRING' }],
    }));
    bytes[13] = 0;
    const { records, problems } = await readAll(memFile('broken.parquet', bytes));
    expect(records).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ kind: 'parquet', file: 'broken.parquet', line: 1 })]);
  });

  it('refuses a zero-length RLE run in the definition levels (hyparquet never advances past it)', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [{ name: 'text', data: ['Row one.', null, 'Row three.'], type: 'STRING', nullable: true }],
    }));
    // The v2 page's definition levels sit right after its header: find the header's end by the level length.
    const { parquetMetadata } = await import('hyparquet');
    const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
    const start = Number(meta.row_groups[0].columns[0].meta_data!.data_page_offset);
    const { parquetHeader } = await import('hyparquet/src/column.js');
    const reader = { view: new DataView(bytes.buffer, start), offset: 0 };
    const header = parquetHeader(reader);
    expect(header.data_page_header_v2!.definition_levels_byte_length).toBeGreaterThan(0);
    bytes[start + reader.offset + header.data_page_header_v2!.repetition_levels_byte_length] = 0;
    const { problems } = await readAll(memFile('zero-run.parquet', bytes));
    expect(problems).toEqual([expect.objectContaining({ kind: 'parquet', message: expect.stringContaining('empty run') })]);
  });
});

describe('the stall watchdog', () => {
  it('reports a file whose stream never delivers and goes on', async () => {
    const stuck: SourceFile = { name: 'stuck.txt', stream: () => new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) }) };
    const { records, problems } = await readAll(stuck, undefined, { stallMs: 50 });
    expect(records).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ kind: 'stuck', file: 'stuck.txt' })]);
  });
});

describe('gzip damaged after the data (item 6)', () => {
  const body = jsonl([1, 2, 3, 4, 5].map((k) => ({ text: sentence(k) })));
  const packed = new Uint8Array(gzipSync(body));

  it('keeps every record before junk appended after the trailer, and names the offset', async () => {
    const junk = new Uint8Array(packed.length + 7);
    junk.set(packed);
    junk.set([0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47], packed.length);
    const { records, problems } = await readAll(memFile('junk.jsonl.gz', junk));
    expect(records).toHaveLength(5);
    expect(problems).toEqual([expect.objectContaining({ kind: 'gzip', file: 'junk.jsonl.gz',
      message: expect.stringContaining(`byte ${packed.length}`) })]);
  });

  it('keeps every record when one CRC byte is flipped, and reports the trailer', async () => {
    const flipped = packed.slice();
    flipped[flipped.length - 7] ^= 0xff;
    const { records, problems } = await readAll(memFile('crc.txt.gz', flipped), { kind: 'text', split: 'line' });
    expect(records).toHaveLength(5);
    expect(problems).toEqual([expect.objectContaining({ kind: 'gzip', message: expect.stringContaining(`byte ${packed.length - 8}`) })]);
  });

  it('reads concatenated members whole, as gzip -dc does', async () => {
    const two = new Uint8Array([...packed, ...packed]);
    const { records, problems } = await readAll(memFile('two.jsonl.gz', two, 37));
    expect(records).toHaveLength(10);
    expect(problems).toEqual([]);
  });
});

describe('CSV (item 7)', () => {
  const header = 'id,text\n';
  const row = (k: number, text: string) => `${k},"${text}"\n`;

  it('a bad UTF-8 line inside a quoted multi-line field drops that record only', async () => {
    const enc = new TextEncoder();
    const bytes = new Uint8Array([
      ...enc.encode(header + row(1, sentence(1)) + `2,"${sentence(2)}\nbad `), 0xff, 0xfe,
      ...enc.encode(` line "" with a quote\nlast line of two"\n` + row(3, sentence(3))),
    ]);
    const { records, problems } = await readAll(memFile('multi.csv', bytes));
    expect(records.map((r) => r.fields!.id)).toEqual(['1', '3']);
    expect(records[1].text).toBe(sentence(3));
    expect(problems).toEqual([expect.objectContaining({ kind: 'invalid-utf8', line: 3, message: expect.stringContaining('lines 3..5') })]);
  });

  it('a line over the limit inside a quoted field drops that record only', async () => {
    const long = `"quoted" ${'x'.repeat(300)}`;
    const text = header + row(1, sentence(1)) + `2,"${sentence(2)}\n${long}\nend of two"\n` + row(3, sentence(3));
    const { records, problems } = await readAll(memFile('long.csv', text, 64), undefined, { maxRecordBytes: 200 });
    expect(records.map((r) => r.fields!.id)).toEqual(['1', '3']);
    expect(problems).toEqual([expect.objectContaining({ kind: 'too-long', line: 3 })]);
  });

  it('reads a file with CR-only line endings', async () => {
    const text = (header + row(1, sentence(1)) + row(2, sentence(2))).replace(/\n/g, '\r');
    const { records, problems } = await readAll(memFile('mac.csv', text, 7));
    expect(records.map((r) => [r.line, r.text])).toEqual([[2, sentence(1)], [3, sentence(2)]]);
    expect(problems).toEqual([]);
  });
});

describe('a stray NUL byte', () => {
  it('costs its JSONL line, not the file', async () => {
    const text = jsonl([{ text: sentence(1) }]) + '{"text": "with a \u0000 NUL"}\n' + jsonl([{ text: sentence(3) }]);
    const { records, problems } = await readAll(memFile('nul.jsonl', text));
    expect(records.map((r) => r.line)).toEqual([1, 3]);
    expect(problems).toEqual([expect.objectContaining({ kind: 'nul-byte', line: 2 })]);
  });

  it('while a file that is mostly binary is still refused whole', async () => {
    const utf16 = new Uint8Array([...new TextEncoder().encode(sentence(1))].flatMap((b) => [b, 0]));
    const { records, problems } = await readAll(memFile('utf16.txt', utf16));
    expect(records).toEqual([]);
    expect(problems.map((p) => p.kind)).toEqual(['binary-file']);
  });
});

describe('report.json problems (item 11)', () => {
  it('counts every bad file even when one file has 1,500 bad lines', async () => {
    const noisy = jsonl([{ text: sentence(1) }]) + '{broken\n'.repeat(1500);
    const { report } = await runInMemory({
      sources: [{ name: 'web', category: 'web', weight: 1, files: [
        memFile('noisy.jsonl', noisy), memFile('quiet.jsonl', jsonl([{ text: sentence(2) }]) + 'not json\n')] }],
      seqLen: 16,
    });
    expect(report.problems.files).toEqual([
      { file: 'noisy.jsonl', total: 1500, counts: { 'malformed-json': 1500 } },
      { file: 'quiet.jsonl', total: 1, counts: { 'malformed-json': 1 } },
    ]);
    expect(report.problems.list.some((p) => p.file === 'quiet.jsonl')).toBe(true);
    expect(report.problems.counts).toEqual({ 'malformed-json': 1501 });
  });
});
