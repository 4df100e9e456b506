// Tokenizer throughput: our BPE against @huggingface/tokenizers (Hugging Face's own JS implementation) on the same
// tokenizer.json and the same text, every record of ../shared/data, for Mistral's tokenizer and for a byte-level
// BPE trained here. Each implementation starts from a freshly loaded tokenizer (empty caches) and makes one
// pass over Moby-Dick, then one over the State of the Union addresses; the ids of every record are compared.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { loadTokenizerJSON } from '../src/data/tokenizer/load-tokenizer-json';
import { mistralTokenizer } from '../src/data/tokenizer/mistral';
import type { TokenizerJSON } from '../src/data/tokenizer/tokenizer';
import { trainBpe } from '../src/data/tokenizer/train-bpe';
import type { BenchTable } from './table';

const DATA = resolve(process.cwd(), '../shared/data');
const FILES = ['moby-dick.jsonl', 'sotu.jsonl'];
const TRAINED_VOCAB = 8192;

interface Corpus {
  readonly file: string;
  readonly texts: string[];
  readonly megabytes: number;
}

function readCorpus(file: string): Corpus {
  const texts = readFileSync(resolve(DATA, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const bytes = texts.reduce((n, t) => n + new TextEncoder().encode(t).length, 0);
  return { file, texts, megabytes: bytes / 1e6 };
}

interface Pass {
  readonly ids: number[][];
  readonly seconds: number;
  readonly tokens: number;
}

function timePass(encode: (t: string) => number[], texts: readonly string[]): Pass {
  const t0 = performance.now();
  const ids = texts.map(encode);
  const seconds = (performance.now() - t0) / 1000;
  return { ids, seconds, tokens: ids.reduce((n, x) => n + x.length, 0) };
}

function differingRecords(a: readonly number[][], b: readonly number[][]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i].length !== b[i].length || a[i].some((x, j) => x !== b[i][j])) n++;
  return n;
}

/** Rows for one tokenizer.json: ours and the reference on each corpus, in the same order for both. */
function compare(label: string, json: TokenizerJSON, corpora: readonly Corpus[]): (string | number)[][] {
  const text = JSON.stringify(json);
  const ours = loadTokenizerJSON(JSON.parse(text));
  const hf = new HfTokenizer(JSON.parse(text), {});
  const rows: (string | number)[][] = [];
  for (const c of corpora) {
    const a = timePass((t) => ours.encode(t), c.texts);
    const b = timePass((t) => hf.encode(t, { add_special_tokens: false }).ids, c.texts);
    const diff = differingRecords(a.ids, b.ids);
    const same = diff === 0 ? `yes (${c.texts.length} records)` : `NO: ${diff} of ${c.texts.length} records differ`;
    for (const [impl, p] of [['Leveret', a], ['@huggingface/tokenizers', b]] as const) {
      rows.push([label, c.file, impl, c.megabytes, p.seconds, c.megabytes / p.seconds, p.tokens / p.seconds, same]);
    }
    rows.push([label, c.file, 'speed-up', '', '', `${(b.seconds / a.seconds).toFixed(1)}x`, '', '']);
  }
  return rows;
}

export async function run(): Promise<BenchTable[]> {
  const corpora = FILES.map(readCorpus);
  const trainStart = performance.now();
  const trained = await trainBpe(corpora[0].texts, { vocabSize: TRAINED_VOCAB });
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const rows = [
    ...compare('mistral', mistralTokenizer().toJSON(), corpora),
    ...compare(trained.name, trained.toJSON(), corpora),
  ];
  return [
    {
      title: 'Tokenizer throughput: Leveret vs @huggingface/tokenizers (same tokenizer.json, same text)',
      columns: ['tokenizer', 'text', 'implementation', 'MB', 'seconds', 'MB/s', 'tokens/s', 'identical ids'],
      rows,
      note:
        `One pass per corpus from a freshly loaded tokenizer (caches empty at the start of Moby-Dick), Node ${process.version}. ` +
        `${trained.name} was trained on Moby-Dick (${corpora[0].megabytes.toFixed(2)} MB) in ${trainSeconds.toFixed(2)} s. ` +
        "Mistral's tokenizer.json has no pre-tokenizer, so the reference runs BPE over each whole record; " +
        'ours cuts records at word starts where no merge can cross and caches words.',
    },
  ];
}
