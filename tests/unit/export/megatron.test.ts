// npm run export -- --dataset --megatron on a folder npm run data wrote (two sources, a byte-level BPE): the
// .idx/.bin read back by a reader written here from Megatron's format (and by numpy.memmap when python3 has
// numpy), every document equal to its cleaned.jsonl record re-tokenized plus EOS, data-path.txt, the README.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as prepare } from '../../../src/cli/prepare';
import { run as exportCli } from '../../../src/cli/export';
import { loadTokenizerJSON } from '../../../src/data/tokenizer';

let dir = '';
const WORDS = 'the whale ship sea captain ahab ishmael harpoon deck wave storm night'.split(' ');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leveret-megatron-'));
  let s = 7;
  const word = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return WORDS[s % WORDS.length]; };
  const sentence = (n: number) => Array.from({ length: n + (s % 17) }, word).join(' ');
  await writeFile(join(dir, 'books.txt'), Array.from({ length: 120 }, () => `${sentence(20)}.`).join('\n\n'));
  await writeFile(join(dir, 'web.jsonl'), Array.from({ length: 80 }, () => JSON.stringify({ text: `${sentence(10)} 1851.` })).join('\n'));
  const code = await prepare(['--source', `${join(dir, 'books.txt')}:books:3`, '--source', `${join(dir, 'web.jsonl')}:web:1`,
    '--tokenizer', 'bpe:400', '--seq-len', '32', '--out', join(dir, 'ds')]);
  expect(code).toBe(0);
  expect(await exportCli(['--dataset', join(dir, 'ds'), '--megatron', join(dir, 'out')])).toBe(0);
}, 120_000);

afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

/** Megatron's _IndexReader, written from the format: header, lengths, pointers, document indices. */
function readIndex(idx: Uint8Array) {
  const v = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  const magic = new TextDecoder('latin1').decode(idx.subarray(0, 9));
  const version = Number(v.getBigUint64(9, true));
  const dtypeCode = v.getUint8(17);
  const sequences = Number(v.getBigUint64(18, true));
  const documentCount = Number(v.getBigUint64(26, true));
  let at = 34;
  const lengths = Array.from({ length: sequences }, (_, i) => v.getInt32(at + 4 * i, true)); at += 4 * sequences;
  const pointers = Array.from({ length: sequences }, (_, i) => Number(v.getBigInt64(at + 8 * i, true))); at += 8 * sequences;
  const documents = Array.from({ length: documentCount }, (_, i) => Number(v.getBigInt64(at + 8 * i, true))); at += 8 * documentCount;
  return { magic, version, dtypeCode, lengths, pointers, documents, end: at };
}

describe('Megatron export', () => {
  it('writes one MMIDIDX dataset per source whose documents are the kept records plus EOS', async () => {
    const tok = loadTokenizerJSON(JSON.parse(await readFile(join(dir, 'ds', 'tokenizer.json'), 'utf8')));
    const cleaned = (await readFile(join(dir, 'ds', 'cleaned.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
    for (const source of ['books', 'web']) {
      const idx = readIndex(new Uint8Array(await readFile(join(dir, 'out', `${source}_text_document.idx`))));
      const bin = new Uint8Array(await readFile(join(dir, 'out', `${source}_text_document.bin`)));
      expect(idx.magic).toBe('MMIDIDX\x00\x00');
      expect([idx.version, idx.dtypeCode]).toEqual([1, 8]); // uint16: a 400-token vocabulary
      const records = cleaned.filter((r) => r._source === source).map((r) => [...tok.encode(r.text), tok.eosId]);
      expect(idx.lengths.length).toBe(records.length);
      expect(idx.documents).toEqual(Array.from({ length: records.length + 1 }, (_, i) => i));
      const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
      records.forEach((want, d) => {
        expect(idx.lengths[d]).toBe(want.length);
        const got = Array.from({ length: idx.lengths[d] }, (_, i) => view.getUint16(idx.pointers[d] + 2 * i, true));
        expect(got).toEqual(want);
      });
      expect(bin.length).toBe(2 * idx.lengths.reduce((a, b) => a + b, 0));
    }
    expect(await readFile(join(dir, 'out', 'data-path.txt'), 'utf8')).toBe('3 books_text_document 1 web_text_document\n');
  });

  it('reads the same with numpy.memmap, as Megatron does', async (ctx) => {
    const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) ctx.skip();
    const script = `
import numpy as np, struct, sys, json
p = sys.argv[1]
with open(p + '.idx', 'rb') as f:
    assert f.read(9) == b'MMIDIDX\\x00\\x00'
    version, = struct.unpack('<Q', f.read(8)); code, = struct.unpack('<B', f.read(1))
    n, = struct.unpack('<Q', f.read(8)); docs, = struct.unpack('<Q', f.read(8)); offset = f.tell()
idx = np.memmap(p + '.idx', mode='r', order='C')
lengths = np.frombuffer(idx, dtype=np.int32, count=n, offset=offset)
pointers = np.frombuffer(idx, dtype=np.int64, count=n, offset=offset + lengths.nbytes)
doc_idx = np.frombuffer(idx, dtype=np.int64, count=docs, offset=offset + lengths.nbytes + pointers.nbytes)
bin = np.memmap(p + '.bin', mode='r', order='C')
first = np.frombuffer(bin, dtype={8: np.uint16, 4: np.int32}[code], count=int(lengths[0]), offset=int(pointers[0]))
print(json.dumps({'version': version, 'n': int(n), 'docs': int(docs), 'last_doc': int(doc_idx[-1]), 'first': first.tolist(), 'total': int(lengths.sum())}))
`;
    const r = spawnSync('python3', ['-c', script, join(dir, 'out', 'web_text_document')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { version: number; n: number; docs: number; last_doc: number; first: number[]; total: number };
    const tok = loadTokenizerJSON(JSON.parse(await readFile(join(dir, 'ds', 'tokenizer.json'), 'utf8')));
    const firstWeb = (await readFile(join(dir, 'ds', 'cleaned.jsonl'), 'utf8')).split('\n').map((l) => (l ? JSON.parse(l) : null)).find((r) => r?._source === 'web');
    expect([got.version, got.docs, got.last_doc]).toEqual([1, got.n + 1, got.n]);
    expect(got.first).toEqual([...tok.encode(firstWeb.text), tok.eosId]);
  });

  it('refuses a text field that does not reproduce the shards', async () => {
    await expect(exportCli(['--dataset', join(dir, 'ds'), '--megatron', join(dir, 'bad'), '--text-field', '_file']))
      .rejects.toThrow(/does not reproduce .*--text-field/);
  });

  it('writes a README with the cluster commands, marked as not run here', async () => {
    const readme = await readFile(join(dir, 'out', 'README.md'), 'utf8');
    for (const s of ['--data-path $(cat data-path.txt)', '--loader llama_mistral', 'torchrun --nproc_per_node', '--adam-beta2 0.95',
      '--weight-decay 0.1', '--clip-grad 1.0', '--num-query-groups 8', '--fsdp "full_shard auto_wrap"', 'None of the commands below was run here']) {
      expect(readme).toContain(s);
    }
  });
});
