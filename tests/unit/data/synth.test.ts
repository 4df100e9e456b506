// D2 synthetic text (src/data/synth/): seeds dealt evenly over topic clusters, fixed by the seed; templates
// rendered and checked; a chat template wrapping the prompt; and resuming: a run stopped after k records and
// run again gives the records of an uninterrupted run, also when the kill cut a line in half.
import { describe, expect, it } from 'vitest';
import { partOf } from '../../../src/data/source';
import { MemoryStore } from '../../../src/data/store.memory';
import { compileSynthTemplates, DEFAULT_SYNTH_TEMPLATES, parseSynthTemplateFile, promptFormat } from '../../../src/data/synth/prompts';
import { modelPromptFormat } from '../../../src/data/synth/model-format';
import { bytesSource } from '../../../src/train/checkpoint/byte-source';
import { drawSeeds, firstSentence, roundRobinQuotas } from '../../../src/data/synth/seeds';
import { planSamples, resumeState, runSynth, type SynthRecord } from '../../../src/data/synth/synth';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import { hashUnit } from '../../../src/data/rng';
import { ForwardGenerator } from '../../../src/train/sampling';
import { byteLevelTokenizerJSON } from '../checkpoint/hf-folder-fixture';

const TERMS = [['harbour', 'ship', 'anchor'], ['garden', 'apples', 'honey'], ['church', 'bell', 'candles']];

/** A dataset folder as npm run data writes it with --clusters 3: clusters of 20, 5 and 2 records in source "a". */
async function clusteredStore(clusters: boolean): Promise<MemoryStore> {
  const store = new MemoryStore();
  const sizes = [20, 5, 2], lines: string[] = [];
  sizes.forEach((n, c) => {
    for (let i = 0; i < n; i++) {
      lines.push(JSON.stringify({ id: `${c}-${i}`, text: `Record ${i} of topic ${TERMS[c][0]} is here. A second sentence follows.`, _source: 'a', _file: 'a.jsonl',
        _line: lines.length + 1, ...(clusters ? { _cluster: c } : {}) }));
    }
  });
  // Interleave the clusters in the file so the draw cannot lean on file order.
  const shuffled = lines.map((l, i) => [hashUnit(9, i), l] as const).sort((x, y) => x[0] - y[0]).map(([, l]) => l);
  const w = await store.writer('cleaned.jsonl');
  await w.write(`${shuffled.join('\n')}\n`);
  await w.close();
  const report = { sources: [{ name: 'a' }], diversity: clusters ? { sources: [{ source: 'a', clusters: TERMS.map((terms, cluster) => ({ cluster, terms })) }] } : null };
  const r = await store.writer('report.json');
  await r.write(JSON.stringify(report));
  await r.close();
  return store;
}

describe('seeds', () => {
  it('round-robin quotas: one per group per round while it has records', () => {
    expect(roundRobinQuotas([20, 5, 2], 12)).toEqual([5, 5, 2]);
    expect(roundRobinQuotas([20, 5, 2], 3)).toEqual([1, 1, 1]);
    expect(roundRobinQuotas([3, 1], 10)).toEqual([3, 1]);
  });

  it('deals N seeds evenly over the clusters, fixed by the seed, with the cluster\'s top words as topic', async () => {
    const store = await clusteredStore(true);
    const d = await drawSeeds(store, 12, 1);
    expect(d.clustered).toBe(true);
    expect(d.seeds.map((s) => s.cluster)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 0, 1, 0, 1]);
    expect(new Set(d.seeds.map((s) => s.line)).size).toBe(12);
    for (const s of d.seeds) {
      expect(s.topic).toBe(TERMS[s.cluster!].join(', '));
      expect(s.excerpt).toMatch(new RegExp(`^Record \\d+ of topic ${TERMS[s.cluster!][0]} is here\\.$`));
      expect(s.row).toEqual({ id: expect.stringMatching(new RegExp(`^${s.cluster}-`)) });
    }
    expect(d.method).toContain('round-robin over 3 topic clusters (a#0: 5, a#1: 5, a#2: 2)');
    expect((await drawSeeds(store, 12, 1)).seeds).toEqual(d.seeds);
    expect((await drawSeeds(store, 12, 2)).seeds.map((s) => s.line)).not.toEqual(d.seeds.map((s) => s.line));
  });

  it('with more seeds than records, wraps around (every record once per round)', async () => {
    const d = await drawSeeds(await clusteredStore(true), 60, 1);
    expect(d.seeds).toHaveLength(60);
    expect(new Set(d.seeds.slice(0, 27).map((s) => s.line)).size).toBe(27);
    expect(d.seeds[27].line).toBe(d.seeds[0].line);
    expect(d.method).toContain('only 27 records');
  });

  it('without clusters says so and draws uniformly over the records', async () => {
    const d = await drawSeeds(await clusteredStore(false), 10, 1);
    expect(d.clustered).toBe(false);
    expect(d.method).toContain('no topic clusters');
    expect(d.seeds.every((s) => s.cluster === null)).toBe(true);
    expect(new Set(d.seeds.map((s) => s.line)).size).toBe(10);
    // The topic falls back to the excerpt's first words.
    expect(d.seeds[0].topic).toMatch(/^Record \d+ of topic \w+ is here$/);
  });

  it('first sentence: cut at a word when long', () => {
    expect(firstSentence('One two.  Three four.')).toBe('One two.');
    expect(firstSentence('aaa bbb ccc ddd', 9)).toBe('aaa bbb…');
  });
});

describe('templates', () => {
  const tokenizer = loadTokenizerJSON(byteLevelTokenizerJSON(), { name: 'fixture' });
  it('renders the built-in templates from a seed, and refuses an unknown variable naming the template', async () => {
    const templates = compileSynthTemplates(DEFAULT_SYNTH_TEMPLATES);
    expect(templates.map((t) => t.name)).toEqual(['textbook', 'student', 'qa', 'story']);
    const { seeds } = await drawSeeds(await clusteredStore(true), 40, 3);
    const plans = planSamples(seeds, templates, promptFormat(tokenizer, 0, 0), 3);
    expect(new Set(plans.map((p) => p.template)).size).toBe(4);
    const p = plans.find((x) => x.template === 'textbook')!;
    expect(p.prompt).toBe(`Write a textbook passage about ${p.seed.topic}. It may start from this sentence: "${p.seed.excerpt}"`);
    expect(p.ids).toEqual([0, ...tokenizer.encode(`${p.prompt}\n\n`)]);
    expect(() => compileSynthTemplates({ mine: 'About {{ subject }}.' }, 't.json')).toThrow(/t\.json: template "mine": unknown variable subject \(a synthesis template has topic, excerpt/);
    expect(parseSynthTemplateFile('["On {{ topic }}: {{ row.id }}"]', 'u.json')[0].compiled.render({ topic: 'x', row: { id: 7 } })).toBe('On x: 7');
    expect(() => parseSynthTemplateFile('{"a": "{% if %}"}', 'u.json')).toThrow(/u\.json: template "a": Jinja syntax error/);
  });

  it('a chat template wraps the instruction as a user turn and stops at its end-of-turn token', () => {
    const chatml = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    const f = promptFormat(tokenizer, 0, 0, chatml, { bos_token: '<|endoftext|>', eos_token: '<|im_end|>' });
    expect(f.kind).toBe('chat');
    expect(f.text('Hi.')).toBe('<|im_start|>user\nHi.<|im_end|>\n<|im_start|>assistant\n');
    expect(f.stopIds).toEqual([0, 2]);
    expect(f.ids('Hi.').slice(0, 1)).toEqual([1]);   // <|im_start|> as its own id, no BOS the template did not write
    const withBos = promptFormat(tokenizer, 0, 0, `{{ bos_token }}${chatml}`, { bos_token: '<|endoftext|>', eos_token: '<|im_end|>' });
    expect(withBos.ids('Hi.')).toEqual([0, ...f.ids('Hi.')]);
  });

  it('a model folder\'s tokenizer_config.json chat template is used unless --plain; a folder without one is plain', async () => {
    const config = new TextEncoder().encode(JSON.stringify({ chat_template: '{% for m in messages %}[{{ m.content }}]{% endfor %}', eos_token: { content: '<|im_end|>' } }));
    const files = new Map([['tokenizer_config.json', bytesSource(config)]]);
    const chat = await modelPromptFormat(files, tokenizer, 0, 0);
    expect([chat.kind, chat.text('Hi.'), chat.stopIds]).toEqual(['chat', '[Hi.]', [0, 2]]);
    expect((await modelPromptFormat(files, tokenizer, 0, 0, true)).kind).toBe('plain');
    expect((await modelPromptFormat(new Map(), tokenizer, 0, 0)).text('Hi.')).toBe('Hi.\n\n');
  });
});

it('a source of category synthetic is part D2 unless it says otherwise', () => {
  expect(partOf({ category: 'synthetic' })).toBe('D2');
  expect(partOf({ category: 'Synthetic', part: 'D1' })).toBe('D1');
  expect(partOf({ category: 'web' })).toBe('D1');
});

describe('resuming', () => {
  const tokenizer = loadTokenizerJSON(byteLevelTokenizerJSON(), { name: 'fixture' });
  const V = 267;
  // A deterministic stand-in for a model: logits hashed from the sequence so far (the same decodeLoop and seeded
  // sampler as the engine's Generator), EOS likely enough that some samples stop early.
  const fake = () => new ForwardGenerator(async (ids) => {
    const z = new Float32Array(V);
    for (let v = 0; v < V; v++) z[v] = 4 * hashUnit(ids.length, ids[ids.length - 1], v);
    z[0] += 1.5;
    return z;
  });
  const opts = { maxTokens: 12, temperature: 0.9, topK: 20 };

  async function plans() {
    const { seeds } = await drawSeeds(await clusteredStore(true), 10, 5);
    const format = promptFormat(tokenizer, 0, 0);
    return { format, plans: planSamples(seeds, compileSynthTemplates(DEFAULT_SYNTH_TEMPLATES), format, 5) };
  }

  async function synth(existing: string, stopAfter = Infinity, concurrency = 2): Promise<string> {
    const { format, plans: p } = await plans();
    const state = resumeState(existing, p, 'fake', 'out.jsonl');
    let text = existing.slice(0, state.keepChars), written = 0;
    const signal = { aborted: false };
    await runSynth(p, Array.from({ length: concurrency }, fake), tokenizer, format, opts, 'fake', state.done, {
      onRecord: (r) => { text += `${JSON.stringify(r)}\n`; if (++written >= stopAfter) signal.aborted = true; }, signal,
    });
    return text;
  }
  const records = (t: string) => t.trim().split('\n').map((l) => JSON.parse(l) as SynthRecord);

  it('a run stopped after k records, run again, equals an uninterrupted run; the same for any concurrency', async () => {
    const whole = await synth('');
    expect(records(whole).map((r) => r.seed_index)).toEqual([...Array(10).keys()]);
    expect(records(whole).some((r) => r.finish === 'stop')).toBe(true);
    expect(await synth('', Infinity, 1)).toBe(whole);
    expect(await synth('', Infinity, 4)).toBe(whole);
    const part = await synth('', 4);
    expect(records(part).length).toBeGreaterThanOrEqual(4);
    expect(records(part).length).toBeLessThan(10);
    const resumed = await synth(part);
    const byIndex = (t: string) => records(t).sort((a, b) => a.seed_index - b.seed_index);
    expect(byIndex(resumed)).toEqual(byIndex(whole));
  });

  it('a last line cut off by a kill is dropped and regenerated; another plan\'s output is refused', async () => {
    const whole = await synth('');
    const lines = whole.split('\n');
    const cut = `${lines.slice(0, 3).join('\n')}\n${lines[3].slice(0, 20)}`;
    expect(await synth(cut)).toBe(whole);
    const { plans: p } = await plans();
    expect(resumeState(cut, p, 'fake', 'out.jsonl').done).toEqual(new Set([0, 1, 2]));
    expect(() => resumeState(whole, p, 'other-model', 'out.jsonl')).toThrow(/out\.jsonl line 1: seed 0 was made with another prompt or model/);
    expect(() => resumeState('not json\n', p, 'fake', 'out.jsonl')).toThrow(/line 1 is not JSON/);
  });
});
