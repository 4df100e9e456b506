// The CLI's up-front checks (train and data), in process: malformed dataset.json files in an otherwise good
// prepared folder, malformed --tokenizer files, and argument lists with one bad option. Every refusal must
// name the file or the option at fault; an argument list with a bad option must be refused, not accepted.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgError, InputError } from '../../../src/cli/args';
import { parsePrepareArgs, UsageError } from '../../../src/cli/prepare-args';
import { checkPrepareInputs } from '../../../src/cli/prepare-inputs.node';
import { run as runData } from '../../../src/cli/prepare';
import { validateTrainRun } from '../../../src/cli/train';
import type { FuzzCase, FuzzFamily, Rng } from '../family';
import { anyByteMutation, deepJson, pick, utf8 } from '../mutate';

/** A good prepared folder (BPE 300, sequences of 32) made once per child process, and a folder per case. */
interface Base { root: string; data: string; caseDir: string; manifest: string; tokenizer: Uint8Array; text: string }
let base: Promise<Base> | undefined;

function makeBase(): Promise<Base> {
  base ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'leveret-fuzz-cli-'));
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
    const text = join(root, 'notes.txt');
    writeFileSync(text, Array.from({ length: 40 }, (_, i) =>
      `Entry ${i}: the ferryman counted ${i * 5} crossings and wrote them in the harbour book at night.`).join('\n\n'));
    const data = join(root, 'prepared');
    const log = console.log;
    console.log = () => {};
    try {
      const code = await runData(['--source', `${text}:books:1`, '--out', data, '--tokenizer', 'bpe:300', '--seq-len', '32', '--val', '0.1']);
      if (code !== 0) throw new Error(`could not prepare the fuzz base folder (exit ${code})`);
    } finally {
      console.log = log;
    }
    // The case folder: the same tokenizer and shards; each case writes its own dataset.json.
    const caseDir = join(root, 'case');
    mkdirSync(caseDir);
    for (const f of readdirSync(data)) copyFileSync(join(data, f), join(caseDir, f));
    return {
      root, data, caseDir, manifest: readFileSync(join(data, 'dataset.json'), 'utf8'),
      // A plain Uint8Array: a Buffer's slice() is a view, and the mutations would change the base itself.
      tokenizer: Uint8Array.from(readFileSync(join(data, 'tokenizer.json'))), text };
  })();
  return base;
}

type Kind = 'manifest' | 'train-arg' | 'data-arg' | 'tokenizer-file';

/** The family's own fields beside the common ones: what to run, and whether a refusal is required. */
interface CliCase extends FuzzCase { kind: Kind; argv: string[]; mustRefuse: boolean }

/** One field of dataset.json set to a wrong value (or removed). */
function fieldMutation(rng: Rng, manifest: string): { label: string; text: string } {
  const json = JSON.parse(manifest) as Record<string, unknown>;
  const sources = json.sources as Record<string, unknown>[];
  const wrong = [null, -1, 0, 1.5, '32', [], {}, true, 1e309, 'x'.repeat(300), deepJson(200)];
  const targets: [string, (v: unknown) => void][] = [
    ['version', (v) => { json.version = v; }],
    ['packLength', (v) => { json.packLength = v; }],
    ['vocabSize', (v) => { json.vocabSize = v; }],
    ['dtype', (v) => { json.dtype = v; }],
    ['bosId', (v) => { json.bosId = v; }],
    ['eosId', (v) => { json.eosId = v; }],
    ['sources', (v) => { json.sources = v; }],
    ['sources[0]', (v) => { sources[0] = v as Record<string, unknown>; }],
    ['sources[0].weight', (v) => { sources[0].weight = v; }],
    ['sources[0].train', (v) => { sources[0].train = v; }],
    ['sources[0].train[0].file', (v) => { (sources[0].train as Record<string, unknown>[])[0].file = v; }],
    ['sources[0].train[0].sequences', (v) => { (sources[0].train as Record<string, unknown>[])[0].sequences = v; }],
  ];
  const [field, set] = pick(rng, targets);
  if (rng.nextInt(5) === 0) {
    const name = field.includes('.') ? field.slice(field.lastIndexOf('.') + 1) : field;
    const owner = field.includes('.') ? null : json;
    if (owner) delete owner[name];
    else set(undefined);
    return { label: `dataset.json without ${field}`, text: JSON.stringify(json) };
  }
  const v = pick(rng, [...wrong, '../../outside.bin', 'notes.train.000.bin']);
  set(typeof v === 'string' && v.startsWith('[') ? JSON.parse(v) : v);
  return { label: `dataset.json ${field} = ${JSON.stringify(v)?.slice(0, 40)}`, text: JSON.stringify(json) };
}

/** One train option given a bad value, the name of the option being what every refusal must contain. */
function badTrainArg(rng: Rng, b: Base): { option: string; argv: string[] } {
  const good = ['--preset', 'tiny', '--data', b.data, '--steps', '2', '--seq-len', '32'];
  const file = b.text;
  const [option, values] = pick(rng, [
    ['--batch', ['0', '-1', '1.5', 'x', '', 'NaN', '1e309']],
    ['--seq-len', ['0', '64', '129', '100000', 'abc', '-32']],
    ['--steps', ['0', '-3', '2.5']],
    ['--accum', ['0', '0.5']],
    ['--lr', ['0', '1', '2', '-1', 'fast']],
    ['--warmup', ['-1', '0.5']],
    ['--min-lr-ratio', ['2', '-0.1']],
    ['--eval-interval', ['-1', '1.5']],
    ['--log-every', ['0', '-2']],
    ['--preset', ['huge', '', 'TINY']],
    ['--engine', ['torch', '']],
    ['--precision', ['f64', 'bf16']],
    ['--save', [file, b.root]],
    ['--resume', [join(b.root, 'no-such-run'), b.data, file]],
    ['--data', [join(b.root, 'missing'), b.root]],
  ] as [string, string[]][]);
  const how = rng.nextInt(4);
  if (how === 0) return { option, argv: [...good, option] }; // the value is missing
  if (how === 1 && option !== '--preset' && option !== '--data') return { option: `${option}x`, argv: [...good, `${option}x`, '1'] }; // a typo
  return { option, argv: [...good, option, pick(rng, values)] };
}

function badDataArg(rng: Rng, b: Base): { option: string; argv: string[] } {
  const good = ['--source', `${b.text}:books:1`, '--out', join(b.root, 'out'), '--tokenizer', 'bpe:300'];
  const [option, values] = pick(rng, [
    ['--seq-len', ['0', '-1', 'x', '1.5']],
    ['--val', ['0.9', '-1', 'half']],
    ['--near-threshold', ['0', '2']],
    ['--min-words', ['-1', '2.5']],
    ['--max-tokens', ['100', 'x', '-5']],
    ['--pii', ['hide', '']],
    ['--tokenizer', ['bpe:x', 'gpt2', join(b.root, 'missing.json')]],
    ['--source', [`${b.text}:books`, `${join(b.root, 'missing.jsonl')}:web:1`, `${b.text}:books:-1`, `${b.root}:books:1`]],
    ['--benchmark', [join(b.root, 'missing.jsonl')]],
    ['--out', [b.text]],
  ] as [string, string[]][]);
  if (rng.nextInt(5) === 0) return { option, argv: [...good, option] };
  return { option, argv: [...good, option, pick(rng, values)] };
}

export const cliArgsFamily: FuzzFamily = {
  name: 'cli-args',
  describe: 'train / data up-front checks: dataset.json, --tokenizer files, bad options',
  async make(rng) {
    const b = await makeBase();
    const kind = pick(rng, ['manifest', 'manifest', 'train-arg', 'data-arg', 'tokenizer-file'] as const);
    if (kind === 'manifest') {
      const m = rng.nextInt(2) === 0 ? anyByteMutation(rng, utf8(b.manifest)) : (() => {
        const f = fieldMutation(rng, b.manifest);
        return { label: f.label, bytes: utf8(f.text) };
      })();
      const argv = ['--preset', 'tiny', '--data', b.caseDir, '--steps', '2', '--seq-len', '32'];
      const c: CliCase = { label: m.label, fileName: 'dataset.json', bytes: m.bytes, kind, argv, mustRefuse: false };
      return c;
    }
    if (kind === 'tokenizer-file') {
      const m = anyByteMutation(rng, b.tokenizer);
      const path = join(b.root, 'fuzz-tokenizer.json');
      const argv = ['--source', `${b.text}:books:1`, '--out', join(b.root, 'out'), '--tokenizer', path];
      const c: CliCase = { label: `--tokenizer file: ${m.label}`, fileName: 'fuzz-tokenizer.json', bytes: m.bytes, kind, argv, mustRefuse: false };
      return c;
    }
    const bad = kind === 'train-arg' ? badTrainArg(rng, b) : badDataArg(rng, b);
    const c: CliCase = { label: `${kind}: ${bad.argv.slice(-2).join(' ')}`, fileName: bad.option, bytes: new Uint8Array(0), kind, argv: bad.argv, mustRefuse: true };
    return c;
  },
  async run(input) {
    const c = input as CliCase;
    const b = await makeBase();
    if (c.kind === 'manifest') writeFileSync(join(b.caseDir, 'dataset.json'), c.bytes);
    if (c.kind === 'tokenizer-file') writeFileSync(join(b.root, 'fuzz-tokenizer.json'), c.bytes);
    const messages: string[] = [];
    try {
      if (c.kind === 'manifest' || c.kind === 'train-arg') await validateTrainRun(c.argv);
      else await checkPrepareInputs(parsePrepareArgs(c.argv));
    } catch (e) {
      // The checks' own refusals; anything else is a crash, judged by the runner.
      if (!(e instanceof ArgError || e instanceof InputError || e instanceof UsageError)) throw e;
      messages.push(e.message);
    }
    const violations = c.mustRefuse && messages.length === 0 ? [`accepted ${c.argv.slice(-2).join(' ')}`] : [];
    return { messages, kept: messages.length === 0 ? 1 : 0, violations };
  },
};
