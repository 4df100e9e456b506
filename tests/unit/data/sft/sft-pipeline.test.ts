// SFT sources through runPipeline beside a prose source: kept out of the prose rules (short chat turns the
// quality rule would drop are kept), exact duplicates and a conversation that contains a benchmark item removed
// (the latter paired in report.decontamination like a prose sample), the bad row reported by file and line, the
// manifest segmented with both sources in the mixture. A BPE trained here is refused for SFT sources.
import { describe, expect, it } from 'vitest';
import type { DatasetManifest } from '../../../../src/data/pack/manifest';
import { defaultChatTemplate } from '../../../../src/data/sft/chat-template';
import { jsonl, memFile, runInMemory } from '../helpers';

const QUESTION = 'Which gas do plants take in from the air to make their food during photosynthesis in sunlight';
const prose = Array.from({ length: 30 }, (_, i) =>
  `The hare ran across the wide green field number ${i} before the sun went down, and the fox watched it from the old stone wall.`);

const chats = [
  { messages: [{ role: 'user', content: 'Hi!' }, { role: 'assistant', content: 'Hello.' }] },
  { messages: [{ role: 'user', content: 'Hi!' }, { role: 'assistant', content: 'Hello.' }] },      // exact duplicate of line 1
  { messages: [{ role: 'user', content: QUESTION }, { role: 'assistant', content: 'Carbon dioxide.' }] },  // a benchmark item
  { messages: [{ role: 'user', content: 'Ok?' }, { role: 'robot', content: 'Ok.' }] },            // bad row: unknown role
  ...Array.from({ length: 6 }, (_, i) => ({ prompt: `Count to ${i}.`, completion: `${i}.` })).map((r) => ({ messages: [
    { role: 'user', content: r.prompt }, { role: 'assistant', content: r.completion }] })),
];

const sources = () => [
  { name: 'prose', category: 'web', weight: 1, files: [memFile('prose.txt', prose.join('\n\n'))] },
  { name: 'chat', category: 'chat', weight: 1, sft: true, files: [memFile('chats.jsonl', jsonl(chats))] },
];
const benchmarks = [{ files: [memFile('bench.jsonl', jsonl([{ question: QUESTION, answer: 'carbon dioxide' }]))] }];

describe('SFT sources in the pipeline', () => {
  it('dedups, decontaminates and packs them apart from the prose rules, reporting every removal', async () => {
    const { store, report } = await runInMemory({ sources: sources(), benchmarks, seqLen: 95, valFraction: 0, seed: 3,
      tokenizer: { kind: 'json', json: {} }, chatTemplate: defaultChatTemplate() });
    const s = report.sft!.sources[0];
    expect(s).toMatchObject({ name: 'chat', rows: 10, examples: 7, skipped: 1, duplicates: 1, contaminated: 1, tooLong: 0 });
    expect(s.learnedTokens).toBeGreaterThan(0);
    expect(s.maskedTokens).toBeGreaterThan(s.learnedTokens);
    expect(report.sft!.rules).toMatch(/prose rules off for SFT sources.*kept: exact dedup and decontamination/);
    expect(report.sft!.problems).toEqual([{ file: 'chats.jsonl', line: 4, message: expect.stringMatching(/messages\[1\] has role "robot"/) }]);
    const pair = report.decontamination.pairs.find((p) => p.source === 'chat')!;
    expect(pair).toMatchObject({ file: 'chats.jsonl', line: 3, benchmark: { file: 'bench.jsonl', line: 1 } });
    expect(report.decontamination.removed).toBe(report.decontamination.pairs.length);
    // The prose source went through pass 1 as before; the chat source is not one of pass 1's rows.
    expect(report.sources.map((r) => r.name)).toEqual(['prose']);
    expect(report.mixture.map((m) => m.source)).toEqual(['prose', 'chat']);
    const manifest = JSON.parse(await store.readText('dataset.json')) as DatasetManifest;
    expect(manifest.segments).toBe(true);
    expect(manifest.sources[1].train[0].segments).toMatch(/^chat\.train\.seg\./);
    expect(manifest.sources[0].train[0].segments).toBeUndefined();
    const m = report.mixture[1];
    expect(m.tokens).toBe(96 * (m.trainSequences + m.valSequences));
    expect(s.learnedTokens + s.maskedTokens + s.padTokens).toBe(m.tokens);
  });

  it('refuses a BPE trained here for SFT sources', async () => {
    await expect(runInMemory({ sources: sources(), seqLen: 95 })).rejects.toThrow(/SFT sources need the model's tokenizer/);
  });
});
