// `npm run sample -- --checkpoint DIR --prompt TEXT`: continues the prompt with the model in DIR (a Leveret
// checkpoint or any Hugging Face Llama/Mistral folder), printing the text as it comes. The prompt runs once
// and each new token is one position against the KV cache (src/engine/generator.ts); the choice of token is
// the page's (greedy at temperature 0, else temperature with top-k, seeded), so the same settings give the same
// text. Ctrl-C ends it after the current token, keeping what came.
import { join } from 'node:path';
import { describeAdapter, openDevice } from '../engine/device';
import { Engine } from '../engine/engine';
import { nodeGPU } from '../engine/node-gpu.node';
import { paramSpecs } from '../model/params';
import { openCheckpointDir, type OpenedDir } from '../train/checkpoint/dir.node';
import { openModelFiles, type ModelFiles } from '../train/checkpoint/open-model';
import { DEFAULT_SAMPLE } from '../train/sampling';
import { Args, ArgError } from './args';
import { loadTokenizerFile } from './dataset.node';

export const SAMPLE_USAGE = `usage: npm run sample -- --checkpoint DIR --prompt TEXT [options]
  --max-tokens N       new tokens at most (default ${DEFAULT_SAMPLE.maxTokens}); the prompt and these must fit the model's context
  --temperature T      0 is greedy (default ${DEFAULT_SAMPLE.temperature})
  --top-k K            sample among the K most likely tokens, 0 for all (default ${DEFAULT_SAMPLE.topK})
  --seed S             the sampler's seed (default ${DEFAULT_SAMPLE.seed})
  --swiftshader        run on SwiftShader (Chromium's CPU Vulkan) instead of a GPU`;

interface SampleArgs {
  dir: string; prompt: string; maxTokens: number; temperature: number; topK: number; seed: number; swiftshader: boolean;
}

export function parseSampleArgs(argv: readonly string[]): SampleArgs {
  const a = new Args(argv, new Set(['swiftshader']));
  const dir = a.required('checkpoint'), prompt = a.required('prompt');
  const maxTokens = a.number('max-tokens', DEFAULT_SAMPLE.maxTokens);
  const temperature = a.number('temperature', DEFAULT_SAMPLE.temperature);
  const topK = a.number('top-k', DEFAULT_SAMPLE.topK);
  const seed = a.number('seed', DEFAULT_SAMPLE.seed);
  const swiftshader = a.flag('swiftshader');
  a.checkAllUsed();
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new ArgError(`--max-tokens must be a positive integer, got ${maxTokens}`);
  if (!(temperature >= 0)) throw new ArgError(`--temperature must be 0 (greedy) or more, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0) throw new ArgError(`--top-k must be a whole number, 0 or more, got ${topK}`);
  if (!Number.isInteger(seed)) throw new ArgError(`--seed must be an integer, got ${seed}`);
  return { dir, prompt, maxTokens, temperature, topK, seed, swiftshader };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(SAMPLE_USAGE); return 0; }
  let s: SampleArgs;
  try {
    s = parseSampleArgs(argv);
  } catch (e) {
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${SAMPLE_USAGE}`); return 2; }
    throw e;
  }
  const named = (e: unknown) => `--checkpoint ${s.dir}: ${(e as Error).message}`;
  let opened: OpenedDir;
  try { opened = await openCheckpointDir(s.dir); } catch (e) { console.error(named(e)); return 2; }
  try {
    let ck: ModelFiles;
    try { ck = await openModelFiles(opened.files, s.dir); } catch (e) { console.error(named(e)); return 2; }
    for (const w of ck.warnings) console.error(`warning: ${w}`);
    const tokenizer = loadTokenizerFile(ck.tokenizerJSON, join(s.dir, 'tokenizer.json'));
    const promptIds = [ck.bosId, ...tokenizer.encode(s.prompt)];
    const config = ck.config, need = promptIds.length + s.maxTokens;
    if (need > config.contextLength) {
      console.error(`the prompt (${promptIds.length} tokens) and --max-tokens ${s.maxTokens} need ${need} positions; ` +
        `this model's context is ${config.contextLength}`);
      return 2;
    }
    const dev = await openDevice(await nodeGPU({ swiftshader: s.swiftshader }));
    console.error(`adapter: ${describeAdapter(dev.caps)}`);
    // The engine's own forward graph is never run here: one position keeps its activations negligible.
    const engine = await Engine.createForward(dev, config, { batchSize: 1, seqLen: 1 });
    for (const p of paramSpecs(config)) engine.store.write(p.name, await ck.readParam(p.name));
    const gen = await engine.createGenerator({ maxLen: need });
    console.error(gen.describeMemory());
    const abort = new AbortController();
    const onInt = () => abort.abort();
    process.once('SIGINT', onInt);
    let printed = '';
    // Print what decodes cleanly so far; a byte-level tokenizer may stop mid-character (held back as U+FFFD).
    const show = (ids: readonly number[], final: boolean) => {
      const text = tokenizer.decode([...ids]);
      if (!final && text.endsWith('\uFFFD')) return;
      if (text.startsWith(printed)) process.stdout.write(text.slice(printed.length));
      else process.stdout.write(`\n${text}`);
      printed = text;
    };
    const t0 = performance.now();
    let firstMs = 0;
    const r = await gen.generate(promptIds, { ...s, maxNewTokens: s.maxTokens, stopIds: [ck.eosId], signal: abort.signal },
      (_, ids) => { if (ids.length === 1) firstMs = performance.now() - t0; show(ids, false); });
    const ms = performance.now() - t0;
    show(r.ids, true);
    process.stdout.write('\n');
    process.off('SIGINT', onInt);
    const rest = r.ids.length > 1 ? ((r.ids.length - 1) * 1000) / (ms - firstMs) : NaN;
    console.error(`${r.ids.length} tokens (${r.reason}); prompt of ${promptIds.length} and first token ${firstMs.toFixed(0)} ms, ` +
      `then ${rest.toFixed(1)} tokens/s`);
    gen.destroy();
    engine.destroy();
    return 0;
  } finally {
    await opened.close();
  }
}
