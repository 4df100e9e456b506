// `npm run synth -- --model DIR --seeds DATASET_DIR --n N --out FILE`: HARE's D2, synthetic text from a
// generator model (a Leveret checkpoint or a Hugging Face Llama/Mistral folder), seeded by records of a
// prepared dataset drawn evenly across its topic clusters (src/data/synth/). Each seed's prompt runs on the
// engine's KV-cache generator; --concurrency generators keep the GPU busy while the host picks tokens.
// The output is appended one JSONL record at a time; the same command again continues where it stopped
// (Ctrl-C keeps what is finished). Then: `npm run data -- --source FILE:synthetic:W ...` (part D2).
import { open, readFile, stat, truncate } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { describeAdapter, openDevice } from '../engine/device';
import { Engine } from '../engine/engine';
import type { Generator } from '../engine/generator';
import { nodeGPU } from '../engine/node-gpu.node';
import { paramSpecs } from '../model/params';
import { NodeDirStore } from '../data/store.node';
import { modelPromptFormat } from '../data/synth/model-format';
import { compileSynthTemplates, DEFAULT_SYNTH_TEMPLATES, parseSynthTemplateFile } from '../data/synth/prompts';
import { drawSeeds } from '../data/synth/seeds';
import { planSamples, resumeState, runSynth, type SynthProgress } from '../data/synth/synth';
import { openCheckpointDir, type OpenedDir } from '../train/checkpoint/dir.node';
import { openModelFiles, type ModelFiles } from '../train/checkpoint/open-model';
import { Args, ArgError } from './args';
import { loadTokenizerFile } from './dataset.node';

// Concurrency 2: on SwiftShader (2 cores) 2 generators gave 1.3-1.6x the tokens/s of 1, and 4 less than 2.
const DEFAULTS = { maxTokens: 256, temperature: 0.8, topK: 40, seed: 1, concurrency: 2 } as const;

export const SYNTH_USAGE = `usage: npm run synth -- --model DIR --seeds DATASET_DIR --n N --out FILE [options]
  --model DIR          the generator: a Leveret checkpoint or a Hugging Face Llama/Mistral folder; its chat
                       template (tokenizer_config.json) wraps each prompt when it has one
  --seeds DIR          a folder from npm run data (cleaned.jsonl, report.json); prepared with --clusters K the
                       seeds are dealt evenly over the topic clusters, else drawn uniformly
  --n N                samples to write (one per seed)
  --out FILE           JSONL output {text, seed_index, cluster, seed_source, template, prompt, model, tokens, finish},
                       appended as it goes; the same command again resumes it
  --templates FILE     JSON of name -> Jinja template (or an array) replacing the built-in ${Object.keys(DEFAULT_SYNTH_TEMPLATES).join(' / ')};
                       variables: topic, excerpt, terms, source, row
  --max-tokens N       new tokens per sample at most (default ${DEFAULTS.maxTokens})
  --temperature T      0 is greedy (default ${DEFAULTS.temperature})
  --top-k K            sample among the K most likely tokens, 0 for all (default ${DEFAULTS.topK})
  --seed S             seeds the draw, the template choice and every sample (default ${DEFAULTS.seed})
  --concurrency C      samples generated at once, each with its own KV cache (default ${DEFAULTS.concurrency})
  --plain              ignore the model's chat template (prompt a base model with plain text)
  --swiftshader        run on SwiftShader (Chromium's CPU Vulkan) instead of a GPU`;

interface SynthArgs {
  model: string; seeds: string; n: number; out: string; templates?: string; maxTokens: number; temperature: number;
  topK: number; seed: number; concurrency: number; plain: boolean; swiftshader: boolean;
}

export function parseSynthArgs(argv: readonly string[]): SynthArgs {
  const a = new Args(argv, new Set(['plain', 'swiftshader']));
  const s: SynthArgs = {
    model: a.required('model'), seeds: a.required('seeds'), n: a.number('n') ?? NaN, out: a.required('out'),
    templates: a.string('templates'), maxTokens: a.number('max-tokens', DEFAULTS.maxTokens),
    temperature: a.number('temperature', DEFAULTS.temperature), topK: a.number('top-k', DEFAULTS.topK),
    seed: a.number('seed', DEFAULTS.seed), concurrency: a.number('concurrency', DEFAULTS.concurrency),
    plain: a.flag('plain'), swiftshader: a.flag('swiftshader'),
  };
  a.checkAllUsed();
  const positive = (flag: string, v: number) => { if (!Number.isInteger(v) || v < 1) throw new ArgError(`--${flag} must be a positive integer, got ${v}`); };
  positive('n', s.n); positive('max-tokens', s.maxTokens); positive('concurrency', s.concurrency);
  if (!(s.temperature >= 0)) throw new ArgError(`--temperature must be 0 (greedy) or more, got ${s.temperature}`);
  if (!Number.isInteger(s.topK) || s.topK < 0) throw new ArgError(`--top-k must be a whole number, 0 or more, got ${s.topK}`);
  if (!Number.isInteger(s.seed)) throw new ArgError(`--seed must be an integer, got ${s.seed}`);
  return s;
}

const exists = (p: string) => stat(p).then(() => true, () => false);
const fmtTime = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(0)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(SYNTH_USAGE); return 0; }
  let s: SynthArgs;
  try {
    s = parseSynthArgs(argv);
  } catch (e) {
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${SYNTH_USAGE}`); return 2; }
    throw e;
  }
  if (!(await exists(s.seeds))) { console.error(`--seeds ${s.seeds}: no such folder`); return 2; }
  let templates;
  try {
    templates = s.templates ? parseSynthTemplateFile(await readFile(s.templates, 'utf8'), s.templates) : compileSynthTemplates(DEFAULT_SYNTH_TEMPLATES, 'built-in templates');
  } catch (e) { console.error(`--templates ${s.templates}: ${(e as Error).message}`); return 2; }
  let draw;
  try { draw = await drawSeeds(await NodeDirStore.open(s.seeds), s.n, s.seed); } catch (e) { console.error(`--seeds ${s.seeds}: ${(e as Error).message}`); return 2; }
  console.error(draw.method);

  const named = (e: unknown) => `--model ${s.model}: ${(e as Error).message}`;
  let opened: OpenedDir;
  try { opened = await openCheckpointDir(s.model); } catch (e) { console.error(named(e)); return 2; }
  try {
    let ck: ModelFiles;
    try { ck = await openModelFiles(opened.files, s.model); } catch (e) { console.error(named(e)); return 2; }
    for (const w of ck.warnings) console.error(`warning: ${w}`);
    const tokenizer = loadTokenizerFile(ck.tokenizerJSON, join(s.model, 'tokenizer.json'));
    let format;
    try { format = await modelPromptFormat(opened.files, tokenizer, ck.bosId, ck.eosId, s.plain); } catch (e) { console.error(named(e)); return 2; }
    console.error(format.kind === 'chat' ? `prompts wrapped in the model's chat template (stop ids ${format.stopIds.join(', ')}; --plain to skip it)` : 'prompts as plain text after BOS');
    const model = basename(resolve(s.model));
    const plans = planSamples(draw.seeds, templates, format, s.seed);
    const longest = Math.max(...plans.map((p) => p.ids.length));
    const maxLen = longest + s.maxTokens, context = ck.config.contextLength;
    if (maxLen > context) {
      console.error(`the longest prompt (${longest} tokens) and --max-tokens ${s.maxTokens} need ${maxLen} positions; this model's context is ${context}`);
      return 2;
    }

    // Resume: keep the complete records already in --out (a line cut off by a kill is dropped).
    let done: ReadonlySet<number> = new Set();
    if (await exists(s.out)) {
      const text = await readFile(s.out, 'utf8');
      try {
        const r = resumeState(text, plans, model, s.out);
        done = r.done;
        if (r.keepChars < text.length) await truncate(s.out, Buffer.byteLength(text.slice(0, r.keepChars)));
      } catch (e) { console.error((e as Error).message); return 2; }
      console.error(`resuming ${s.out}: ${done.size} of ${s.n} records there`);
      if (done.size === s.n) { console.error('nothing left to generate'); return 0; }
    }

    const dev = await openDevice(await nodeGPU({ swiftshader: s.swiftshader }));
    console.error(`adapter: ${describeAdapter(dev.caps)}`);
    const engine = await Engine.createForward(dev, ck.config, { batchSize: 1, seqLen: 1 });
    const gens: Generator[] = [];
    const out = await open(s.out, 'a');
    const abort = new AbortController();
    const onInt = () => abort.abort();
    process.once('SIGINT', onInt);
    try {
      for (const p of paramSpecs(ck.config)) engine.store.write(p.name, await ck.readParam(p.name));
      for (let i = 0; i < Math.min(s.concurrency, s.n - done.size); i++) gens.push(await engine.createGenerator({ maxLen }));
      console.error(`${gens.length} generator(s) of ${maxLen} positions: ${gens[0].describeMemory()} each`);
      let shownAt = 0;
      const show = (p: SynthProgress) => {
        const now = performance.now();
        if (p.done < p.total && now - shownAt < 1000) return;
        shownAt = now;
        const left = p.total - p.done, perRecord = p.elapsedMs / Math.max(1, p.done - done.size);
        console.error(`synth ${p.done}/${p.total}  ${p.tokens} tokens  ${p.tokensPerSecond.toFixed(1)} tokens/s  ${fmtTime(p.elapsedMs)}` +
          (left > 0 ? `  eta ${fmtTime(left * perRecord)}` : ''));
      };
      const r = await runSynth(plans, gens, tokenizer, format, s, model, done,
        { onRecord: async (rec) => { await out.write(`${JSON.stringify(rec)}\n`); }, onProgress: show, signal: abort.signal });
      console.error(`${r.generated} generated${r.resumed ? `, ${r.resumed} resumed` : ''}: ${r.tokens} tokens in ${fmtTime(r.elapsedMs)}, ` +
        `${r.tokensPerSecond.toFixed(1)} tokens/s; ${r.done}/${r.total} in ${s.out}`);
      if (r.cancelled) console.error('stopped: run the same command again to continue');
      else console.error(`next: npm run data -- --source ${s.out}:synthetic:WEIGHT ... (part D2)`);
      return 0;
    } finally {
      process.off('SIGINT', onInt);
      await out.close();
      for (const g of gens) g.destroy();
      engine.destroy();
    }
  } finally {
    await opened.close();
  }
}
