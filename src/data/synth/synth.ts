// D2 synthetic text: each seed's prompt continued by a generator model, one JSONL record per seed. The core
// takes generators (anything with generate(): the engine's KV-cache Generator, or a fake in unit tests), the
// planned prompts and an append callback, so the CLI (src/cli/synth.ts) and the page's worker share it.
//
// Pipelining: C generators (each its own KV cache on the one engine) run C samples at once. While one waits
// for its logits to come back and picks a token on the host, the others' steps are queued on the GPU, so the
// device is not idle during read-back and sampling. Every sample depends only on its prompt and its own seeded
// sampler (prompts.samplerSeedOf), never on which generator ran it or what ran beside it, so the output is the
// same for any C. Records are appended in seed order (a finished sample waits for those before it); a
// cancelled sample is dropped, not written half done.
//
// Resuming: the output names each record's seed_index; resumeState() reads what is there, checks that it was
// made by the same plan (same prompt and model for the same index) and returns the indices done, so a re-run
// with the same arguments generates only the rest, and the finished file equals an uninterrupted run's.
import type { GenerateResult, TokenGenerator } from '../../train/sampling';
import type { Tokenizer } from '../tokenizer/tokenizer';
import { renderInstruction, samplerSeedOf, templateOf, type PromptFormat, type SynthTemplate } from './prompts';
import type { Seed } from './seeds';

/** One output line. `prompt` is the instruction (before the chat template); `tokens` the new tokens. */
export interface SynthRecord {
  readonly text: string;
  readonly seed_index: number;
  readonly cluster: number | null;
  /** The source the seed record came from. */
  readonly seed_source: string;
  readonly template: string;
  readonly prompt: string;
  readonly model: string;
  readonly tokens: number;
  /** 'stop' (EOS or end of turn) or 'length' (--max-tokens reached; the text may end mid-sentence). */
  readonly finish: 'stop' | 'length';
}

export interface SynthPlan {
  readonly index: number;
  readonly seed: Seed;
  readonly template: string;
  readonly prompt: string;
  readonly ids: readonly number[];
  readonly samplerSeed: number;
}

export interface SamplingOptions {
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topK: number;
}

export interface SynthProgress {
  /** Records in the output, resumed ones included. */
  readonly done: number;
  readonly total: number;
  /** New tokens generated in this run, and per second of this run's wall time. */
  readonly tokens: number;
  readonly tokensPerSecond: number;
  readonly elapsedMs: number;
}

export interface SynthSummary extends SynthProgress {
  readonly resumed: number;
  readonly generated: number;
  readonly cancelled: boolean;
}

/** Every seed's template, instruction, prompt ids and sampler seed (cheap: tokenization only). */
export function planSamples(seeds: readonly Seed[], templates: readonly SynthTemplate[], format: PromptFormat, seed: number): SynthPlan[] {
  return seeds.map((s) => {
    const t = templateOf(templates, seed, s.index);
    const prompt = renderInstruction(t, s);
    return { index: s.index, seed: s, template: t.name, prompt, ids: format.ids(prompt), samplerSeed: samplerSeedOf(seed, s.index) };
  });
}

/** The output record for a plan and its generation. */
export function synthRecord(p: SynthPlan, r: GenerateResult, tokenizer: Tokenizer, model: string): SynthRecord {
  return {
    text: tokenizer.decode(r.ids).trim(), seed_index: p.index, cluster: p.seed.cluster, seed_source: p.seed.source,
    template: p.template, prompt: p.prompt, model, tokens: r.ids.length, finish: r.reason === 'stop' ? 'stop' : 'length',
  };
}

export interface ResumeState {
  readonly done: ReadonlySet<number>;
  /** Characters of the existing text to keep: a last line cut off by a kill is dropped (and regenerated). */
  readonly keepChars: number;
}

/** What an existing output holds, refused when a record does not belong to this plan. */
export function resumeState(text: string, plans: readonly SynthPlan[], model: string, fileName: string): ResumeState {
  const keepChars = text.lastIndexOf('\n') + 1;
  const done = new Set<number>();
  const lines = text.slice(0, keepChars).split('\n');
  lines.pop();
  lines.forEach((l, i) => {
    const where = `${fileName} line ${i + 1}`;
    let r: Partial<SynthRecord>;
    try { r = JSON.parse(l) as Partial<SynthRecord>; } catch { throw new Error(`${where} is not JSON; it is not this command's output, choose another --out`); }
    const p = Number.isInteger(r.seed_index) ? plans[r.seed_index as number] : undefined;
    if (!p) throw new Error(`${where}: seed_index ${String(r.seed_index)} is not one of this run's 0..${plans.length - 1} (another --n?); choose another --out`);
    if (r.prompt !== p.prompt || r.model !== model) {
      throw new Error(`${where}: seed ${p.index} was made with another prompt or model (other --seeds, --templates, --seed or --model?); choose another --out`);
    }
    if (done.has(p.index)) throw new Error(`${where}: seed ${p.index} appears twice`);
    done.add(p.index);
  });
  return { done, keepChars };
}

export interface SynthHooks {
  /** Appends one record; awaited before the next is written. */
  onRecord(r: SynthRecord): Promise<void> | void;
  onProgress?(p: SynthProgress): void;
  /** Once aborted no sample starts, running ones stop and are dropped, and the finished ones are written. */
  readonly signal?: { readonly aborted: boolean };
}

/** Generates every plan not in `done`, `generators.length` at a time, and appends the records in seed order. */
export async function runSynth(plans: readonly SynthPlan[], generators: readonly TokenGenerator[], tokenizer: Tokenizer,
  format: PromptFormat, o: SamplingOptions, model: string, done: ReadonlySet<number>, hooks: SynthHooks): Promise<SynthSummary> {
  if (generators.length === 0) throw new Error('runSynth needs at least one generator');
  const pending = plans.filter((p) => !done.has(p.index));
  const t0 = performance.now();
  let tokens = 0, written = done.size, next = 0, flushAt = 0;
  const finished = new Map<number, SynthRecord>();   // by position in `pending`, waiting for those before it
  const progress = (): SynthProgress => {
    const elapsedMs = performance.now() - t0;
    return { done: written, total: plans.length, tokens, tokensPerSecond: elapsedMs > 0 ? (tokens * 1000) / elapsedMs : 0, elapsedMs };
  };
  // Writes are chained so records land in order even though generators finish out of order.
  let writing = Promise.resolve();
  const flush = (all: boolean) => {
    writing = writing.then(async () => {
      for (;;) {
        const at = all ? [...finished.keys()].sort((a, b) => a - b)[0] : flushAt;
        const r = at === undefined ? undefined : finished.get(at);
        if (!r) return;
        finished.delete(at!);
        if (at === flushAt) flushAt++;
        await hooks.onRecord(r);
        written++;
        hooks.onProgress?.(progress());
      }
    });
  };
  let cancelled = false, failed = false;
  const worker = async (g: TokenGenerator) => {
    for (;;) {
      if (failed) return;
      if (hooks.signal?.aborted) { cancelled = true; return; }
      const at = next++;
      if (at >= pending.length) return;
      const p = pending[at];
      if (p.ids.length + o.maxTokens > g.maxLen) {
        throw new Error(`seed ${p.index}: a prompt of ${p.ids.length} tokens and ${o.maxTokens} new ones do not fit the generator's ${g.maxLen} positions`);
      }
      const r = await g.generate(p.ids, { maxNewTokens: o.maxTokens, temperature: o.temperature, topK: o.topK, seed: p.samplerSeed,
        stopIds: format.stopIds, signal: hooks.signal });
      if (r.reason === 'cancelled') { cancelled = true; return; }
      tokens += r.ids.length;
      finished.set(at, synthRecord(p, r, tokenizer, model));
      flush(false);
    }
  };
  // Settled, not Promise.all: after a failure the other generators finish their sample before the records
  // are flushed, so nothing is written after this returns.
  const results = await Promise.allSettled(generators.map((g) => worker(g).catch((e: unknown) => { failed = true; throw e; })));
  // Finished samples behind a cancelled or failed one are kept too: resuming works from any set of indices.
  flush(true);
  await writing;
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  const p = progress();
  return { ...p, resumed: done.size, generated: written - done.size, cancelled };
}
