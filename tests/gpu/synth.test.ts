// `npm run synth` on SwiftShader: a released-looking tiny model folder (made here) writes N samples from seeds
// of a dataset prepared on the spot with --clusters 2; the records equal Generator.generate called directly
// with each seed's prompt and sampler seed; the output is the same for one generator or several at once, and
// for a run whose last line was cut by a kill and then resumed; and it goes through `npm run data` as a D2
// source, the report saying so.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runPrepare } from '../../src/cli/prepare';
import { run as runSynthCLI } from '../../src/cli/synth';
import { NodeDirStore } from '../../src/data/store.node';
import { compileSynthTemplates, DEFAULT_SYNTH_TEMPLATES, promptFormat } from '../../src/data/synth/prompts';
import { drawSeeds } from '../../src/data/synth/seeds';
import { planSamples, type SynthRecord } from '../../src/data/synth/synth';
import { loadTokenizerJSON } from '../../src/data/tokenizer/load-tokenizer-json';
import { Engine } from '../../src/engine/engine';
import { configFromHF } from '../../src/train/checkpoint/hf-config';
import { paramSpecs } from '../../src/model/params';
import type { PipelineReport } from '../../src/data/report';
import { releasedFolder, writeFixture } from '../unit/checkpoint/hf-folder-fixture';
import { engineDevice } from './harness';

let dir: string, model: string, seeds: string;
// A context long enough for the built-in templates with a 300-character excerpt in a byte-level vocabulary.
const fixture = releasedFolder({ config: { max_position_embeddings: 512 } });
const N = 6, MAX_TOKENS = 20;
const SEA = ['sailor', 'harbour master', 'ship cook', 'lighthouse keeper', 'old captain', 'fisherman'];
const SEA_THINGS = ['the heavy anchor', 'the fishing nets', 'the torn sail', 'the rusty chain', 'the wet rope', 'the tide tables'];
const GARDEN = ['gardener', 'farmer', 'beekeeper', 'florist', 'orchard keeper', 'grandmother'];
const GARDEN_THINGS = ['the apple trees', 'a jar of honey', 'the rose beds', 'the tomato plants', 'the herb garden', 'the pear blossoms'];

async function captured(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const keep = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  const spies = [vi.spyOn(console, 'log').mockImplementation(keep), vi.spyOn(console, 'error').mockImplementation(keep)];
  try { return { code: await run(argv), out: lines.join('\n') }; } finally { for (const s of spies) s.mockRestore(); }
}

const synthArgs = (out: string, extra: string[] = []) =>
  ['--model', model, '--seeds', seeds, '--n', String(N), '--out', out, '--max-tokens', String(MAX_TOKENS), '--temperature', '0.9', '--seed', '3', '--swiftshader', ...extra];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leveret-synth-'));
  model = join(dir, 'tiny-generator');
  await writeFixture(model, fixture);
  // Two planted topics, every sentence different enough to pass near-dedup.
  const rows: string[] = [];
  for (let i = 0; i < 36; i++) {
    const [who, what] = i % 2 ? [GARDEN, GARDEN_THINGS] : [SEA, SEA_THINGS];
    rows.push(JSON.stringify({ text: `The ${who[i % 6]} looked after ${what[(i * 5) % 6]} on day ${i} and then ${i % 3 ? 'walked' : 'rested'} ` +
      `for ${i + 2} quiet hours, ${who === SEA ? 'watching the waves roll over the grey harbour wall' : 'listening to the bees among the flowers'}.` }));
  }
  writeFileSync(join(dir, 'corpus.jsonl'), `${rows.join('\n')}\n`);
  seeds = join(dir, 'seeds');
  const r = await captured(runPrepare, ['--source', `${join(dir, 'corpus.jsonl')}:web:1`, '--clusters', '2', '--out', seeds, '--seq-len', '32', '--tokenizer', join(model, 'tokenizer.json')]);
  expect(r.code, r.out).toBe(0);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SynthRecord);

describe('npm run synth', () => {
  let whole: string;

  it('writes N records from seeds dealt over both clusters, equal to Generator.generate called directly', async () => {
    const out = join(dir, 'synthetic.jsonl');
    const r = await captured(runSynthCLI, synthArgs(out, ['--concurrency', '3']));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/6 seeds dealt round-robin over 2 topic clusters/);
    expect(r.out).toMatch(/synth 6\/6 .* tokens\/s/);
    console.log(r.out.split('\n').filter((l) => /tokens\/s|generator/.test(l)).join('\n'));
    whole = readFileSync(out, 'utf8');
    const recs = records(out);
    expect(recs.map((x) => x.seed_index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(recs.map((x) => x.cluster)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(recs.every((x) => x.model === 'tiny-generator' && x.tokens >= 0 && x.tokens <= MAX_TOKENS)).toBe(true);

    // The same plan by hand, each sample on one KV-cache Generator.
    const { config, bosId, eosId } = configFromHF(fixture.config, 'config.json');
    const tokenizer = loadTokenizerJSON(JSON.parse(new TextDecoder().decode(fixture.files.get('tokenizer.json')!)), { name: 'fixture' });
    const format = promptFormat(tokenizer, bosId, eosId);
    const draw = await drawSeeds(await NodeDirStore.open(seeds), N, 3);
    const plans = planSamples(draw.seeds, compileSynthTemplates(DEFAULT_SYNTH_TEMPLATES), format, 3);
    const engine = await Engine.createForward(await engineDevice(), config, { batchSize: 1, seqLen: 1 });
    for (const p of paramSpecs(config)) engine.store.write(p.name, fixture.weights.get(p.name)!);
    const gen = await engine.createGenerator({ maxLen: Math.max(...plans.map((p) => p.ids.length)) + MAX_TOKENS });
    try {
      for (const [i, p] of plans.entries()) {
        const g = await gen.generate(p.ids, { maxNewTokens: MAX_TOKENS, temperature: 0.9, topK: 40, seed: p.samplerSeed, stopIds: format.stopIds });
        expect(recs[i]).toMatchObject({ prompt: p.prompt, template: p.template, tokens: g.ids.length, text: tokenizer.decode(g.ids).trim() });
      }
    } finally { gen.destroy(); engine.destroy(); }
  }, 600_000);

  it('gives the same file with one generator, and after a kill cut its last line and the command ran again', async () => {
    const one = join(dir, 'one.jsonl');
    const r1 = await captured(runSynthCLI, synthArgs(one, ['--concurrency', '1']));
    expect(r1.code, r1.out).toBe(0);
    console.log(r1.out.split('\n').filter((l) => /tokens\/s/.test(l)).join('\n'));
    expect(readFileSync(one, 'utf8')).toBe(whole);

    const cut = join(dir, 'cut.jsonl');
    const lines = whole.split('\n');
    writeFileSync(cut, `${lines.slice(0, 2).join('\n')}\n${lines[2].slice(0, 30)}`);
    const r2 = await captured(runSynthCLI, synthArgs(cut, ['--concurrency', '2']));
    expect(r2.code, r2.out).toBe(0);
    expect(r2.out).toContain(`resuming ${cut}: 2 of 6 records there`);
    expect(r2.out).toMatch(/4 generated, 2 resumed/);
    expect(readFileSync(cut, 'utf8')).toBe(whole);
    const again = await captured(runSynthCLI, synthArgs(cut));
    expect(again.out).toContain('nothing left to generate');
  }, 600_000);

  it('goes through npm run data as a D2 source', async () => {
    const out = join(dir, 'with-synth');
    // A random tiny model writes gibberish: the quality and language rules would (rightly) drop all of it, so
    // they are off here to see the records reach the shards with their part.
    const r = await captured(runPrepare, ['--source', `${join(dir, 'corpus.jsonl')}:web:1`, '--source', `${join(dir, 'synthetic.jsonl')}:synthetic:0.5`,
      '--out', out, '--seq-len', '16', '--tokenizer', join(model, 'tokenizer.json'), '--no-quality', '--no-language', '--min-words', '1']);
    expect(r.code, r.out).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as PipelineReport;
    const synth = report.sources.find((s) => s.name === 'synthetic')!;
    expect(synth).toMatchObject({ category: 'synthetic', part: 'D2' });
    expect(synth.read.docs).toBe(N);
    expect(report.sources.find((s) => s.name === 'corpus')!.part).toBe('D1');
    expect(report.mixture.find((m) => m.source === 'synthetic')!.part).toBe('D2');
    const cleaned = readFileSync(join(out, 'cleaned.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(cleaned.some((c) => c._source === 'synthetic' && Number.isInteger(c.seed_index))).toBe(true);
  }, 300_000);
});
