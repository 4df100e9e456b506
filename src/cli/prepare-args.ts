// Command-line arguments of `npm run data`, parsed into pipeline options (files not yet opened).
import { DEFAULT_RULES, resolveRules, type RuleOverrides } from '../data/rules/defaults';
import { MAX_WORKERS } from '../data/pool/pool';
import { detectFormat, type SourceFormat, type TextSplit } from '../data/source';
import type { DiversityOptions } from '../data/diversity/cluster-pass';
import type { TaskSpec } from '../data/tasks/layouts';
import { parseTaskPart } from './task-spec-arg';

export const PREPARE_USAGE = `usage: npm run data -- --source FILE[,FILE...]:CATEGORY:WEIGHT[:FIELD|:LAYOUT|:sft] ... --out DIR [options]

  --source SPEC          a source: its files (comma-separated), category, mixture weight, and for JSONL/CSV/
                         Parquet the text field (default "text"), for plain text how to split it
                         (file | blank-line | line, default blank-line). Prefix NAME= to name it
                         (default: the first file's name). Formats follow the extension, .gz allowed.
                         A task dataset (D3): LAYOUT instead of FIELD, one of mc | qa | cloze | summary | nli |
                         classification, each row rendered as text by one of the layout's templates (chosen by
                         the seed). Fields are recognised (ARC, MMLU, SQuAD, CNN/DM, SNLI, AG News...) and can be
                         named: LAYOUT,ROLE=FIELD,... and labels=NAME|NAME|... for numeric labels (index 0 first).
                         Instruction data for supervised fine-tuning: sft instead of FIELD, JSONL rows in the
                         messages / ShareGPT, prompt/completion or Alpaca layout, rendered with the chat template
                         and packed whole with the loss on the assistant's tokens only; the prose rules are off
                         for it (exact dedup and decontamination stay). Needs the model's tokenizer.
  --chat-template FILE   the template SFT sources are rendered with: a tokenizer_config.json (its chat_template,
                         bos_token, eos_token) or a Jinja file; default: the tokenizer_config.json beside the
                         --tokenizer file, else ChatML
                         CATEGORY synthetic (npm run synth's output) makes the source part D2.
  --templates FILE       JSON of layout -> [Jinja templates] replacing the default templates of task sources
  --clusters K           topic clusters per source (k-means over hashed n-grams): sizes in the report,
                         _cluster in cleaned.jsonl
  --cluster-cap F        no cluster above F (0..1] of its source's tokens (down-sampling; needs --clusters)
  --cluster-flatten A    cluster shares flattened to tokens^A, A in [0, 1] (0: all equal; needs --clusters)
  --benchmark FILE[:FIELDS]  benchmark file for decontamination; FIELDS comma-separated (default: every string field)
  --out DIR              output folder: dataset.json, tokenizer.json, token shards, cleaned.jsonl, report.json
  --tokenizer T          mistral (default) | bpe:VOCAB (trained on the cleaned text) | path/to/tokenizer.json
  --seq-len N            training sequence length (default 256; sequences are packed at N + 1 tokens)
  --seed N               seed for the validation split (default 1)
  --val F                fraction of records held out for validation (default 0.01)
  --workers N            threads for the per-record work: cleaning, MinHash, n-gram lookups, tokenizing
                         (default one per core from 32 MiB of input, none below; 0: all in one thread);
                         the output is the same for any N
  --strict-decontam      also remove any sample sharing a single 13-gram with a benchmark
  --pii mask|drop        mask private information (default) or drop the record
  --lang CODES           languages to keep, comma-separated ISO 639-1 (default en)
  --near-threshold J     near-duplicate Jaccard threshold (default 0.8)
  --min-words N          shortest sample kept, in words (default 8)
  --max-tokens N         length cap for long samples, estimated tokens (default 2048)
  --no-links --no-pii --no-quality --no-language --no-length --no-exact-dedup --no-near-dedup --no-dedup --no-decontam
                         switch a rule off`;

export class UsageError extends Error {}

export interface SourceArg {
  name: string;
  category: string;
  weight: number;
  paths: string[];
  format?: SourceFormat;
  task?: TaskSpec;
  /** Supervised fine-tuning rows (`:sft`): rendered with the chat template, not cleaned as prose. */
  sft?: true;
}

export interface PrepareArgs {
  sources: SourceArg[];
  benchmarks: { path: string; fields?: string }[];
  out: string;
  tokenizer: { kind: 'mistral' } | { kind: 'bpe'; vocabSize: number } | { kind: 'file'; path: string };
  seqLen: number;
  seed: number;
  valFraction: number;
  rules: RuleOverrides;
  templates?: string;
  diversity?: DiversityOptions;
  /** --chat-template: a tokenizer_config.json or a Jinja file, for SFT sources. */
  chatTemplate?: string;
  /** Pool workers; undefined: pool/pool.node.ts defaultWorkers (one per core for large inputs). */
  workers?: number;
}

const SPLITS: readonly TextSplit[] = ['file', 'blank-line', 'line'];
const isNumber = (s: string | undefined) => s !== undefined && s.trim() !== '' && Number.isFinite(Number(s));

function baseStem(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/(\.gz)?$/i, '').replace(/\.[^.]+$/, '') || base;
}

/** FILE[,FILE...]:CATEGORY:WEIGHT[:FIELD], optionally NAME=... in front. Parsed from the right, so paths may hold ':'. */
export function parseSourceSpec(spec: string): SourceArg {
  let rest = spec;
  let name: string | undefined;
  const eq = /^([A-Za-z0-9._-]+)=/.exec(rest);
  if (eq) { name = eq[1]; rest = rest.slice(eq[0].length); }
  const parts = rest.split(':');
  let field: string | undefined;
  if (parts.length >= 4 && isNumber(parts[parts.length - 2]) && !isNumber(parts[parts.length - 1])) field = parts.pop();
  // `sft` is a layout name like the task layouts (none of which is called that), so it wins over a field of that name.
  const sft = field === 'sft';
  const task = field === undefined || sft ? null : parseTaskPart(field, (m) => { throw new UsageError(`--source ${spec}: ${m}`); });
  if (parts.length < 3 || !isNumber(parts[parts.length - 1])) {
    throw new UsageError(`--source ${spec}: expected FILE[,FILE...]:CATEGORY:WEIGHT[:FIELD]`);
  }
  const weight = Number(parts.pop());
  const category = parts.pop()!;
  const paths = parts.join(':').split(',').filter(Boolean);
  if (paths.length === 0 || !category) throw new UsageError(`--source ${spec}: missing files or category`);
  if (weight < 0) throw new UsageError(`--source ${spec}: weight must be ≥ 0`);
  if (sft) {
    const notJsonl = paths.find((p) => detectFormat(p).kind !== 'jsonl');
    if (notJsonl) throw new UsageError(`--source ${spec}: SFT rows are JSONL (one conversation per line), and ${notJsonl} is not`);
    return { name: name ?? baseStem(paths[0]), category, weight, paths, sft: true };
  }
  if (task) {
    if (detectFormat(paths[0]).kind === 'text') throw new UsageError(`--source ${spec}: a task layout needs JSONL, CSV or Parquet rows, not plain text`);
    return { name: name ?? baseStem(paths[0]), category, weight, paths, task };
  }
  const detected = detectFormat(paths[0], field);
  let format: SourceFormat | undefined;
  if (detected.kind === 'text') {
    if (field !== undefined && !SPLITS.includes(field as TextSplit)) {
      throw new UsageError(`--source ${spec}: a text source's last part is how to split it (${SPLITS.join(' | ')})`);
    }
    if (field) format = { kind: 'text', split: field as TextSplit };
  } else if (field) {
    format = detected;
  }
  return { name: name ?? baseStem(paths[0]), category, weight, paths, format };
}

export function parsePrepareArgs(argv: readonly string[]): PrepareArgs {
  const out: PrepareArgs = { sources: [], benchmarks: [], out: '', tokenizer: { kind: 'mistral' }, seqLen: 256, seed: 1, valFraction: 0.01, rules: {} };
  const rules = out.rules;
  const set = <K extends keyof RuleOverrides>(k: K, v: RuleOverrides[K]) => { rules[k] = { ...rules[k], ...v } as RuleOverrides[K]; };
  const off: Record<string, () => void> = {
    '--no-links': () => set('links', { enabled: false }),
    '--no-pii': () => set('pii', { enabled: false }),
    '--no-quality': () => set('quality', { enabled: false }),
    '--no-language': () => set('language', { enabled: false }),
    '--no-length': () => set('length', { enabled: false }),
    '--no-exact-dedup': () => set('exactDedup', { enabled: false }),
    '--no-near-dedup': () => set('nearDedup', { enabled: false }),
    '--no-dedup': () => { set('exactDedup', { enabled: false }); set('nearDedup', { enabled: false }); },
    '--no-decontam': () => set('decontam', { enabled: false }),
    '--strict-decontam': () => set('decontam', { strict: true }),
  };
  const num = (flag: string, v: string | undefined, check: (n: number) => boolean) => {
    const n = Number(v);
    if (v === undefined || !isNumber(v) || !check(n)) throw new UsageError(`${flag} needs a valid number, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (off[a]) { off[a](); continue; }
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--source': out.sources.push(parseSourceSpec(value())); break;
      case '--benchmark': {
        const v = value();
        const m = /^(.*?):([^:\\/]+)$/.exec(v);
        const looksLikeFields = m && !/\.[A-Za-z0-9]+$/.test(m[2]) ;
        out.benchmarks.push(looksLikeFields ? { path: m![1], fields: m![2] } : { path: v });
        break;
      }
      case '--out': out.out = value(); break;
      case '--templates': out.templates = value(); break;
      case '--chat-template': out.chatTemplate = value(); break;
      case '--clusters': out.diversity = { ...out.diversity, clusters: num(a, value(), (n) => Number.isInteger(n) && n >= 1 && n <= 256) }; break;
      case '--cluster-cap': out.diversity = { clusters: 0, ...out.diversity, cap: num(a, value(), (n) => n > 0 && n <= 1) }; break;
      case '--cluster-flatten': out.diversity = { clusters: 0, ...out.diversity, flatten: num(a, value(), (n) => n >= 0 && n <= 1) }; break;
      case '--tokenizer': {
        const v = value();
        const bpe = /^bpe:(\d+)$/.exec(v);
        if (v === 'mistral') out.tokenizer = { kind: 'mistral' };
        else if (bpe) out.tokenizer = { kind: 'bpe', vocabSize: Number(bpe[1]) };
        else if (v.endsWith('.json')) out.tokenizer = { kind: 'file', path: v };
        else throw new UsageError(`--tokenizer ${v}: expected mistral, bpe:VOCAB or a tokenizer.json path`);
        break;
      }
      case '--seq-len': out.seqLen = num(a, value(), (n) => Number.isInteger(n) && n >= 1); break;
      case '--seed': out.seed = num(a, value(), Number.isInteger); break;
      case '--val': out.valFraction = num(a, value(), (n) => n >= 0 && n <= 0.5); break;
      case '--workers': out.workers = num(a, value(), (n) => Number.isInteger(n) && n >= 0 && n <= MAX_WORKERS); break;
      case '--pii': {
        const v = value();
        if (v !== 'mask' && v !== 'drop') throw new UsageError('--pii takes mask or drop');
        set('pii', { mode: v });
        break;
      }
      case '--lang': set('language', { keep: value().split(',').map((s) => s.trim()).filter(Boolean) }); break;
      case '--near-threshold': set('nearDedup', { threshold: num(a, value(), (n) => n > 0 && n <= 1) }); break;
      case '--min-words': set('quality', { minWords: num(a, value(), (n) => Number.isInteger(n) && n >= 0) }); break;
      case '--max-tokens': {
        // The pipeline refuses a long-sample cap below the short-sample one; say so here, naming the option.
        const short = DEFAULT_RULES.length.shortMaxTokens;
        const v = value();
        if (isNumber(v) && Number(v) < short) throw new UsageError(`--max-tokens ${v}: must be at least ${short} (the cap for short samples)`);
        set('length', { longMaxTokens: num(a, v, Number.isInteger) });
        break;
      }
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  if (out.sources.length === 0) throw new UsageError('at least one --source is needed');
  if (!out.out) throw new UsageError('--out DIR is needed');
  if (out.diversity && out.diversity.clusters === 0) throw new UsageError('--cluster-cap and --cluster-flatten need --clusters K');
  if (out.chatTemplate && !out.sources.some((s) => s.sft)) throw new UsageError('--chat-template applies to SFT sources (FILE:CATEGORY:WEIGHT:sft), and there is none');
  if (out.sources.some((s) => s.sft) && out.tokenizer.kind === 'bpe') throw new UsageError('SFT sources need the model\'s tokenizer: --tokenizer path/to/tokenizer.json (or mistral), not bpe:VOCAB');
  if (out.templates && !out.sources.some((s) => s.task)) throw new UsageError('--templates applies to task sources (FILE:CATEGORY:WEIGHT:LAYOUT), and there is none');
  try { resolveRules(rules); } catch (e) { throw new UsageError(`the rule options do not fit together: ${(e as Error).message}`); }
  const names = new Map<string, number>();
  for (const s of out.sources) {
    const n = names.get(s.name) ?? 0;
    names.set(s.name, n + 1);
    if (n > 0) s.name = `${s.name}-${n + 1}`;
  }
  return out;
}
