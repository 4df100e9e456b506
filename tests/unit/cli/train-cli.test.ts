// `npm run train`, `npm run data` and `npm run eval` refuse bad arguments and bad input files before any
// slow work: each refusal names the option or the file, exits with 2, and no data preparation, adapter or
// training line is printed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runData } from '../../../src/cli/prepare';
import { run as runEval } from '../../../src/cli/eval';
import { run as runTrain, validateTrainRun } from '../../../src/cli/train';
import { parseTrainArgs } from '../../../src/cli/train-args';
import { checkManifest } from '../../../src/cli/manifest-check';

let dir: string;
let data: string;

/** Runs a command with the console captured; returns its exit code, its output and how long it took. */
async function captured(run: (argv: string[]) => Promise<number>, argv: string[]) {
  const lines: string[] = [];
  const keep = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  const log = vi.spyOn(console, 'log').mockImplementation(keep);
  const err = vi.spyOn(console, 'error').mockImplementation(keep);
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { lines.push(String(s)); return true; });
  const t0 = performance.now();
  try {
    const code = await run(argv);
    return { code, out: lines.join('\n'), ms: performance.now() - t0 };
  } finally {
    log.mockRestore(); err.mockRestore(); write.mockRestore();
  }
}

/** Nothing slow started: no data preparation, no adapter, no training. */
function expectNoWork(out: string) {
  expect(out).not.toMatch(/data: preparing|\[prepare\]|adapter:|training \d+ steps/);
}

const train = (extra: string[]) => ['--preset', 'tiny', '--data', data, '--steps', '2', '--seq-len', '32', '--swiftshader', ...extra];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leveret-cli-'));
  const text = Array.from({ length: 60 }, (_, i) =>
    `Paragraph ${i}: the keeper of the lighthouse wrote down ${i * 7} gulls and a passing schooner before dusk.`).join('\n\n');
  writeFileSync(join(dir, 'notes.txt'), text);
  data = join(dir, 'prepared');
  const r = await captured(runData, ['--source', `${join(dir, 'notes.txt')}:books:1`, '--out', data, '--tokenizer', 'bpe:300', '--seq-len', '32', '--val', '0.1']);
  expect(r.code, r.out).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train arguments', () => {
  it('refuses each bad value naming its option, before any file is opened', () => {
    const base = ['--preset', 'tiny', '--data', 'nowhere'];
    expect(() => parseTrainArgs([...base, '--seq-len', '4096'])).toThrow(/--seq-len 4096: longer than tiny's context of 128 tokens/);
    expect(() => parseTrainArgs([...base, '--batch', '0'])).toThrow(/--batch: must be a positive integer, got 0/);
    expect(() => parseTrainArgs([...base, '--accum', '1.5'])).toThrow(/--accum/);
    expect(() => parseTrainArgs([...base, '--lr', 'fast'])).toThrow(/--lr must be a number/);
    expect(() => parseTrainArgs([...base, '--log-every', '0'])).toThrow(/--log-every/);
    expect(() => parseTrainArgs(['--preset', 'huge', '--data', 'x'])).toThrow(/--preset huge: unknown preset/);
    expect(() => parseTrainArgs([...base, '--engine', 'torch'])).toThrow(/--engine/);
    expect(() => parseTrainArgs([...base, '--bacth', '2'])).toThrow(/unknown option --bacth/);
    expect(parseTrainArgs([...base, '--seq-len', '128']).train.seqLen).toBe(128);
  });
});

describe('train refuses bad inputs before work starts', () => {
  it('a corrupt dataset.json, naming the file', async () => {
    const bad = join(dir, 'bad-manifest');
    mkdirSync(bad);
    writeFileSync(join(bad, 'dataset.json'), '{"version": 1, "packLength": 33,');
    const r = await captured(runTrain, ['--preset', 'tiny', '--data', bad, '--steps', '2', '--swiftshader']);
    expect(r.code).toBe(2);
    expect(r.out).toContain(join(bad, 'dataset.json'));
    expect(r.out).toMatch(/not valid JSON/);
    expectNoWork(r.out);
    expect(r.ms).toBeLessThan(5000);
  });

  it('a dataset.json whose fields are wrong, naming the file and the field', () => {
    const good = JSON.parse(readFileSync(join(data, 'dataset.json'), 'utf8'));
    expect(checkManifest(good, 'dataset.json').packLength).toBe(33);
    expect(() => checkManifest({ ...good, packLength: '33' }, 'x/dataset.json')).toThrow(/^x\/dataset\.json: packLength/);
    expect(() => checkManifest({ ...good, sources: [{ ...good.sources[0], train: [{ file: '../etc/passwd', sequences: 1 }] }] }, 'd.json'))
      .toThrow(/d\.json: sources\[0\]\.train\[0\]\.file/);
    expect(() => checkManifest({ ...good, dtype: 'uint32' }, 'd.json')).toThrow(/d\.json: dtype/);
    expect(() => checkManifest([], 'd.json')).toThrow(/d\.json: the top level/);
  });

  it('a corrupt tokenizer.json or a missing shard in the data folder, naming the file', async () => {
    for (const [name, damage] of [
      ['tokenizer.json', (d: string) => writeFileSync(join(d, 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": 7}}')],
      ['notes.train.000.bin', (d: string) => unlinkSync(join(d, 'notes.train.000.bin'))],
    ] as const) {
      const copy = join(dir, `damaged-${name}`);
      mkdirSync(copy);
      for (const f of ['dataset.json', 'tokenizer.json', 'notes.train.000.bin', 'notes.val.000.bin']) {
        try { writeFileSync(join(copy, f), readFileSync(join(data, f))); } catch { /* a shard this data did not write */ }
      }
      damage(copy);
      const r = await captured(runTrain, ['--preset', 'tiny', '--data', copy, '--steps', '2', '--swiftshader']);
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain(join(copy, name));
      expectNoWork(r.out);
    }
  });

  it('--seq-len longer than the data was packed for, or than the context', async () => {
    let r = await captured(runTrain, train(['--seq-len', '64']));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--data .*: its dataset\.json packs sequences of 32 tokens, shorter than --seq-len 64/);
    expectNoWork(r.out);
    r = await captured(runTrain, train(['--seq-len', '4096']));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--seq-len 4096: longer than tiny's context/);
    expectNoWork(r.out);
  });

  it('--save into a folder holding other files, or under a file', async () => {
    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'thesis.tex'), 'do not lose me');
    let r = await captured(runTrain, train(['--save', full]));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(new RegExp(`--save ${full}: holds files that are not part of a checkpoint \\(thesis\\.tex\\)`));
    expectNoWork(r.out);
    r = await captured(runTrain, train(['--save', join(dir, 'notes.txt', 'ck')]));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--save .*ck: cannot be created, .*notes\.txt is a file/);
    expectNoWork(r.out);
  });

  it('--resume from a folder that is missing or is no checkpoint', async () => {
    let r = await captured(runTrain, train(['--resume', join(dir, 'no-such-run')]));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--resume .*no-such-run: .*no such folder/);
    expectNoWork(r.out);
    const notCk = join(dir, 'not-a-checkpoint');
    mkdirSync(notCk);
    writeFileSync(join(notCk, 'config.json'), '{');
    r = await captured(runTrain, train(['--resume', notCk]));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--resume .*not-a-checkpoint: .*missing/);
    expectNoWork(r.out);
  });

  it('accepts a good run: the prepared folder opened, a new --save folder, an earlier checkpoint folder', async () => {
    const earlier = join(dir, 'earlier');
    mkdirSync(earlier);
    writeFileSync(join(earlier, 'config.json'), '{}');
    for (const save of [join(dir, 'new', 'ck'), earlier]) {
      const { args, inputs } = await validateTrainRun(train(['--save', save]));
      expect(args.save).toBe(save);
      expect(inputs.dataset?.manifest.packLength).toBe(33);
      expect(inputs.dataset?.tokenizer.vocabSize).toBe(300);
    }
  });

  it('--data that does not exist', async () => {
    const r = await captured(runTrain, ['--preset', 'tiny', '--data', join(dir, 'nothing.txt')]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--data .*nothing\.txt: no such file or folder/);
  });
});

describe('data and eval refuse bad inputs before work starts', () => {
  it('npm run data: a corrupt or unusable --tokenizer file, a missing source, naming the file', async () => {
    const tok = join(dir, 'broken-tokenizer.json');
    writeFileSync(tok, '{"model": {"type": "BPE", "vocab": {"a": 0}');
    const src = `${join(dir, 'notes.txt')}:books:1`;
    let r = await captured(runData, ['--source', src, '--out', join(dir, 'o1'), '--tokenizer', tok]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`--tokenizer ${tok}: the tokenizer is not valid JSON`);
    expectNoWork(r.out);
    writeFileSync(tok, '{"model": {"type": "Unigram"}}');
    r = await captured(runData, ['--source', src, '--out', join(dir, 'o1'), '--tokenizer', tok]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${tok}: not a usable tokenizer.json`);
    expectNoWork(r.out);
    r = await captured(runData, ['--source', `${join(dir, 'missing.jsonl')}:web:1`, '--out', join(dir, 'o1')]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--source .*missing\.jsonl: no such file/);
    expectNoWork(r.out);
  });

  it('npm run eval: a missing data file, a folder that is no checkpoint', async () => {
    let r = await captured(runEval, ['--checkpoint', dir, '--data', join(dir, 'nope.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--data .*nope\.jsonl: no such file/);
    r = await captured(runEval, ['--checkpoint', data, '--data', join(dir, 'notes.txt')]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--checkpoint .*prepared: .*missing/);
    expectNoWork(r.out);
    r = await captured(runEval, ['--checkpoint', data, '--data', join(dir, 'notes.txt'), '--batch', '0']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--batch must be a positive integer/);
  });
});
