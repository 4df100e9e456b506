// Instruction rows through sftPass into segment shards, back out through the sampler and batchFromRows:
// examples packed whole (never cut, never crossing a row), positions restarting at each, targets only on the
// assistant's tokens, bad rows reported by file and line, the learned and masked tokens counted.
import { describe, expect, it } from 'vitest';
import { batchFromRows } from '../../../../src/engine/engine';
import type { DatasetManifest } from '../../../../src/data/pack/manifest';
import { MixtureSampler } from '../../../../src/data/sampler';
import { ChatTemplate, defaultChatTemplate } from '../../../../src/data/sft/chat-template';
import { sftPass } from '../../../../src/data/sft/sft-pass';
import type { SourceFile } from '../../../../src/data/source';
import { MemoryStore } from '../../../../src/data/store.memory';
import type { Tokenizer } from '../../../../src/data/tokenizer/tokenizer';

// One id per character, EOS 0: learned characters are easy to read back.
const tok: Tokenizer = { name: 'chars', vocabSize: 256, bosId: 1, eosId: 0, encode: (s) => [...s].map((c) => c.charCodeAt(0) % 256),
  decode: (ids) => String.fromCharCode(...Array.from(ids)), toJSON: () => ({}) };

function file(name: string, lines: string[]): SourceFile {
  const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
  return { name, size: bytes.length, stream: () => new ReadableStream({ start(c) { c.enqueue(bytes); c.close(); } }) };
}

describe('sftPass', () => {
  it('packs whole examples with their loss masks, and the sampler hands them to the trainer', async () => {
    const store = new MemoryStore();
    const rows = [
      JSON.stringify({ prompt: 'hi', completion: 'yo' }),
      JSON.stringify({ prompt: 'a', completion: 'b' }),
      JSON.stringify({ prompt: 'x'.repeat(200), completion: 'long' }),   // longer than a row: dropped
      JSON.stringify({ prompt: 'q', completion: 5 }),                       // bad row: reported with its line
      JSON.stringify({ prompt: 'c', completion: 'd' }),
    ];
    const packLength = 96;   // two short examples fit a row (about 60 tokens each in ChatML): the third starts the next
    const { sources, report } = await sftPass({
      store, sources: [{ name: 'chat', category: 'instruction', weight: 1, files: [file('chat.jsonl', rows)] }],
      template: new ChatTemplate(defaultChatTemplate()), tokenizer: tok, packLength, seed: 1, valFraction: 0,
      shardBytes: 1 << 20, maxRecordBytes: 1 << 20, firstIndex: 0, prefixes: ['chat'], maxProblems: 10, problems: () => {},
    });
    const r = report.sources[0];
    expect(r.files).toEqual([{ file: 'chat.jsonl', layout: 'prompt-completion' }]);
    expect({ rows: r.rows, examples: r.examples, skipped: r.skipped, tooLong: r.tooLong }).toEqual({ rows: 5, examples: 3, skipped: 1, tooLong: 1 });
    expect(report.problems).toEqual([{ file: 'chat.jsonl', line: 4, message: 'prompt-completion: "completion" is number, not a string' }]);
    // Learned per example: the answer, "<|im_end|>\n" and EOS ('yo': 2 + 11 + 1); everything else is masked.
    expect(r.learnedTokens).toBe(14 + 13 + 13);
    expect(r.learnedTokens + r.maskedTokens + r.padTokens).toBe(sources[0].tokens);
    const manifest: DatasetManifest = { version: 1, packLength, dtype: 'uint16', vocabSize: 256, tokenizer: 'tokenizer.json', bosId: 1, eosId: 0,
      seed: 1, valFraction: 0, sources, segments: true };
    const sampler = new MixtureSampler(manifest, store, { seed: 1, seqLen: packLength - 1 });
    // Three rows (each next example did not fit what was left): one goes to validation, as with text sources.
    const trainRows = sources[0].train.reduce((n, s) => n + s.sequences, 0), valRows = sources[0].val.reduce((n, s) => n + s.sequences, 0);
    expect([trainRows, valRows]).toEqual([2, 1]);
    expect((trainRows + valRows) * packLength).toBe(sources[0].tokens);
    const got = await sampler.nextRows(trainRows, 0);
    const batches = [batchFromRows(got.tokens, trainRows, packLength - 1, got.segments!)];
    for await (const v of sampler.valRows(1)) batches.push(batchFromRows(v.tokens, 1, packLength - 1, v.segments!));
    // Every learned target, read back as text, is an assistant answer with its end marker and EOS.
    let learned = '';
    for (const b of batches) for (let i = 0; i < b.targets.length; i++) if (b.targets[i] >= 0) learned += b.targets[i] === 0 ? '$' : String.fromCharCode(b.targets[i]);
    const b = batches[0];
    const answers = learned.split('$').filter((s) => s);
    expect(answers.sort()).toEqual(['b<|im_end|>\n', 'd<|im_end|>\n', 'yo<|im_end|>\n']);
    expect(r.learnedTokens).toBe(learned.length);
    // Positions restart at 0 where each example starts.
    const starts = Array.from(b.positions!).filter((p) => p === 0).length;
    expect(starts).toBeGreaterThanOrEqual(3);
  });

  it('a segmented dataset refuses a window shorter than its rows', () => {
    const manifest: DatasetManifest = { version: 1, packLength: 64, dtype: 'uint16', vocabSize: 256, tokenizer: 'tokenizer.json', bosId: 1, eosId: 0,
      seed: 1, valFraction: 0, sources: [], segments: true };
    expect(() => new MixtureSampler(manifest, new MemoryStore(), { seed: 1, seqLen: 31 })).toThrow(/train with seqLen 63/);
  });
});
