// What a pool worker does with each message, the same under worker_threads and Web Workers (the two entry
// files only connect it to their port). Synchronous on purpose: see messages.ts.
import { BenchmarkIndex } from '../decontam/ngram-index';
import { RecordAnalyzer } from '../record-analysis';
import { loadTokenizerJSON } from '../tokenizer/load-tokenizer-json';
import { mistralTokenizer } from '../tokenizer/mistral';
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { FromWorker, TokenizerRecipe, ToWorker } from './messages';

export interface Reply {
  msg: FromWorker;
  transfer: ArrayBuffer[];
}

export function workerHandler(): (msg: ToWorker) => Reply {
  let analyzer: RecordAnalyzer | null = null;
  let tok: Tokenizer | null = null;
  const reply = (msg: FromWorker, transfer: ArrayBuffer[] = []): Reply => ({ msg, transfer });
  const handle = (msg: ToWorker): Reply => {
    switch (msg.type) {
      case 'setup':
        analyzer = new RecordAnalyzer(msg.rules, msg.benchmarks ? BenchmarkIndex.fromParts(msg.benchmarks) : null);
        return reply({ type: 'ready', id: msg.id });
      case 'clean': {
        if (!analyzer) throw new Error('clean before setup');
        const chunk = analyzer.chunk(msg.texts, msg.short);
        return reply({ type: 'cleaned', id: msg.id, chunk }, [chunk.signatures.buffer as ArrayBuffer]);
      }
      case 'tokenizer':
        tok = rebuild(msg.recipe);
        return reply({ type: 'ready', id: msg.id });
      case 'encode': {
        if (!tok) throw new Error('encode before tokenizer');
        const { ids, ends } = encodeAll(tok, msg.texts);
        return reply({ type: 'encoded', id: msg.id, ids, ends }, [ids.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]);
      }
      default:
        throw new Error(`unknown pool message ${JSON.stringify(msg satisfies never)}`);
    }
  };
  return (msg) => {
    try {
      return handle(msg);
    } catch (err) {
      return reply({ type: 'failed', id: msg.id, message: err instanceof Error ? err.message : String(err) });
    }
  };
}

function rebuild(r: TokenizerRecipe): Tokenizer {
  switch (r.kind) {
    case 'mistral': return mistralTokenizer();
    case 'json': return loadTokenizerJSON(r.json);
    default: throw new Error(`unknown tokenizer recipe ${JSON.stringify(r satisfies never)}`);
  }
}

/** Each text's ids followed by EOS, end to end in one array (see 'encoded' in messages.ts); an id outside the
 *  vocabulary is refused here, where it is still the tokenizer's own number. */
export function encodeAll(tok: Tokenizer, texts: readonly string[]): { ids: Uint32Array; ends: Uint32Array } {
  const parts = texts.map((t) => tok.encode(t));
  const ends = new Uint32Array(texts.length);
  let n = 0;
  parts.forEach((p, i) => { n += p.length + 1; ends[i] = n; });
  const ids = new Uint32Array(n);
  let at = 0;
  for (const p of parts) {
    p.push(tok.eosId);
    for (const id of p) {
      if (!(id >= 0 && id < tok.vocabSize)) throw new Error(`tokenizer ${tok.name} produced id ${id} outside its vocabulary of ${tok.vocabSize}`);
      ids[at++] = id;
    }
  }
  return { ids, ends };
}
