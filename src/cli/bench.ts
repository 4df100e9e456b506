// `npm run bench`: prints every benchmark as a Markdown table (pasted into the README): training
// throughput (the fused and unfused engines) and kernels against tfjs-backend-webgpu on the same adapter, a
// step's time split by kernel with its dispatch count, log-likelihood scoring (batched
// against one request at a time), generation (KV cache against a full forward per token), the data pipeline,
// the tokenizers.
import { benchEngine, type EngineBenchCase } from '../../bench/engine';
import { benchGeneration, benchSamplingCosts } from '../../bench/generate';
import { benchKernels } from '../../bench/kernels';
import { profileStep } from '../../bench/profile';
import { benchScoring } from '../../bench/score';
import { formatTable } from '../../bench/table';
import { describeAdapter, openDevice } from '../engine/device';
import { nodeGPU } from '../engine/node-gpu.node';
import { preset } from '../model/presets';
import { Args } from './args';
import { useTfjsWebGPU } from './tfjs-webgpu.node';

export const BENCH_USAGE = `usage: npm run bench [-- options]
  --only LIST          comma-separated: engine, profile, kernels, score, generate, data, tokenizer (default all)
  --presets LIST       presets for the engine, kernel and scoring tables (default micro, mini, small; tiny, micro when emulated)
  --swiftshader        run on SwiftShader (Chromium's CPU Vulkan) instead of a GPU`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(BENCH_USAGE); return 0; }
  const a = new Args(argv, new Set(['swiftshader', 'quick']));
  const swiftshader = a.flag('swiftshader');
  const only = a.string('only')?.split(',') ?? ['engine', 'profile', 'kernels', 'score', 'generate', 'data', 'tokenizer'];
  const big = a.string('presets')?.split(',');
  a.checkAllUsed();
  // The data and tokenizer tables need no adapter: asked for alone, they run on a machine without a GPU.
  if (only.every((t) => CPU_TABLES.includes(t))) { await cpuTables(only); return 0; }
  const gpu = await nodeGPU({ swiftshader });
  const dev = await openDevice(gpu);
  const adapter = describeAdapter(dev.caps);
  console.log(`adapter: ${adapter}\n`);
  const emulated = dev.caps.emulated;
  // On a CPU-emulated adapter a step of even the smallest presets takes seconds: keep the runs short there.
  const cases: EngineBenchCase[] = (big ?? (emulated ? ['tiny', 'micro'] : ['micro', 'mini', 'small'])).map((name) => {
    const c = preset(name);
    const seqLen = Math.min(c.contextLength, emulated ? 64 : 256);
    return { name, config: c, batchSize: emulated ? 4 : 8, seqLen, warmup: 2, steps: emulated ? 5 : 10 };
  });
  const useTfjs = async () => { await useTfjsWebGPU(gpu); };
  if (only.includes('engine')) console.log(`${formatTable(await benchEngine(dev, cases, adapter, useTfjs))}\n`);
  if (only.includes('profile')) {
    for (const c of cases) {
      const shape = { batchSize: c.batchSize, seqLen: c.seqLen, accumSteps: 1 };
      console.log(`${formatTable(await profileStep(dev, c.name, c.config, shape, emulated ? 2 : 10))}\n`);
    }
  }
  if (only.includes('kernels')) {
    await useTfjs();
    for (const c of cases) {
      console.log(`${formatTable(await benchKernels(dev, c.name, c.config, c.batchSize * c.seqLen, c.batchSize, emulated ? 2 : 10))}\n`);
    }
  }
  if (only.includes('score')) {
    const scoreCases = cases.map((c) => ({ name: c.name, config: c.config, requests: 64 }));
    console.log(`${formatTable(await benchScoring(dev, scoreCases, adapter, emulated ? 2 : 3))}\n`);
  }
  if (only.includes('generate')) {
    const genCases = cases.map((c) => ({ name: c.name, config: c.config, maxLen: Math.min(c.config.contextLength, emulated ? 64 : 512),
      promptLength: emulated ? 16 : 64, newTokens: emulated ? 16 : 64 }));
    console.log(`${formatTable(await benchGeneration(dev, genCases, adapter))}\n`);
    console.log(`${formatTable(await benchSamplingCosts(dev, 32000, emulated ? 20 : 100))}\n`);
  }
  await cpuTables(only);
  return 0;
}

const CPU_TABLES = ['data', 'tokenizer'];

async function cpuTables(only: readonly string[]): Promise<void> {
  if (only.includes('data')) for (const t of await (await import('../../bench/data')).run()) console.log(`${formatTable(t)}\n`);
  if (only.includes('tokenizer')) for (const t of await (await import('../../bench/tokenizer')).run()) console.log(`${formatTable(t)}\n`);
}
