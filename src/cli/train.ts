// `npm run train -- --preset NAME --data FILE|DIR [--steps N] [--save DIR] [--engine leveret|tfjs] ...`
// Trains on our WebGPU engine (or, with --engine tfjs, the reference model on tfjs-backend-webgpu's stock
// kernels, same data and seed), printing step, loss and tokens/s; --save writes a Hugging Face folder.
import { openDevice, describeAdapter } from '../engine/device';
import { nodeGPU } from '../engine/node-gpu.node';
import { MixtureSampler } from '../data/sampler';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import { tokenizerFingerprint } from '../data/tokenizer';
import { estimateMemory, formatBytes } from '../model/memory';
import { initParams } from '../model/init';
import { preset, PRESET_NAMES } from '../model/presets';
import { HARE_TRAIN_DEFAULTS, suggestedLearningRate, tokensPerStep, validateTrainConfig, type TrainConfig } from '../train/config';
import type { ModelConfig } from '../model/config';
import type { TrainBackend } from '../train/backend';
import { EngineBackend } from '../train/engine-backend';
import { ReferenceBackend } from '../train/reference-backend';
import { fingerprintOfJSON, Trainer } from '../train/trainer';
import { readCheckpoint } from '../train/checkpoint/checkpoint-read';
import { openCheckpointDir, writeCheckpointDir } from '../train/checkpoint/dir.node';
import { Args, ArgError } from './args';
import { datasetFor } from './dataset.node';
import { useTfjsWebGPU } from './tfjs-webgpu.node';

export const TRAIN_USAGE = `usage: npm run train -- --preset NAME --data FILE|DIR [options]
  --preset NAME        ${PRESET_NAMES.join(', ')}
  --data FILE|DIR      a .txt or .jsonl file (prepared on the spot), or a folder written by npm run data
  --steps N            optimizer steps (default ${HARE_TRAIN_DEFAULTS.steps})
  --batch B --seq-len T --accum A     micro-batch, sequence length, micro-batches per step
  --lr X --warmup N --min-lr-ratio R  peak learning rate (default follows the width: 3e-4 at 2048),
                       warmup steps, cosine floor
  --seed S             initialisation and data order (default 1)
  --eval-interval N    validation every N steps (0: never; default ${HARE_TRAIN_DEFAULTS.evalInterval})
  --engine leveret|tfjs  our engine (default) or the reference model on tfjs-backend-webgpu
  --swiftshader        run on SwiftShader (Chromium's CPU Vulkan) instead of a GPU
  --save DIR           write a Hugging Face model folder (+ trainer state) at the end
  --resume DIR         continue the run saved in DIR
  --precision f32|f16  f16 stages matmul tiles in half precision (adapters with shader-f16; default f32)
  --log-every N        print every N steps (default 1)`;

function trainConfig(a: Args, base: ModelConfig): TrainConfig {
  const contextLength = base.contextLength;
  const d = HARE_TRAIN_DEFAULTS;
  const steps = a.number('steps', d.steps);
  return validateTrainConfig({
    ...d,
    steps,
    batchSize: a.number('batch', d.batchSize),
    seqLen: a.number('seq-len', Math.min(d.seqLen, contextLength)),
    accumSteps: a.number('accum', d.accumSteps),
    lr: a.number('lr', suggestedLearningRate(base)),
    warmupSteps: a.number('warmup', Math.min(d.warmupSteps, Math.floor(steps / 10))),
    minLrRatio: a.number('min-lr-ratio', d.minLrRatio),
    seed: a.number('seed', d.seed),
    evalInterval: a.number('eval-interval', d.evalInterval),
    evalBatches: a.number('eval-batches', d.evalBatches),
  });
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(TRAIN_USAGE); return 0; }
  let a: Args;
  try { a = new Args(argv, new Set(['swiftshader'])); } catch (e) { console.error(`${(e as Error).message}\n\n${TRAIN_USAGE}`); return 2; }
  try {
    return await train(a);
  } catch (e) {
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${TRAIN_USAGE}`); return 2; }
    throw e;
  }
}

async function train(a: Args): Promise<number> {
  const base = preset(a.required('preset'));
  const dataArg = a.required('data');
  const engineName = a.string('engine') ?? 'leveret';
  if (engineName !== 'leveret' && engineName !== 'tfjs') throw new ArgError(`--engine must be leveret or tfjs, got "${engineName}"`);
  const t = trainConfig(a, base);
  const swiftshader = a.flag('swiftshader');
  const save = a.string('save'), resume = a.string('resume');
  const logEvery = a.number('log-every', 1);
  const precision = a.string('precision') ?? 'f32';
  if (precision !== 'f32' && precision !== 'f16') throw new ArgError(`--precision must be f32 or f16, got "${precision}"`);
  a.checkAllUsed();

  // Data first: the tokenizer fixes the vocabulary.
  const choice: TokenizerChoice = base.vocabSize === 32000 ? { kind: 'mistral' } : { kind: 'bpe', vocabSize: base.vocabSize };
  const data = await datasetFor(dataArg, choice, t.seqLen, (s) => console.log(s));
  if (data.manifest.packLength < t.seqLen + 1) {
    throw new Error(`${dataArg} was packed for sequences of ${data.manifest.packLength - 1} tokens, shorter than --seq-len ${t.seqLen}`);
  }
  const config = preset(a.required('preset'), { vocabSize: data.tokenizer.vocabSize });

  const gpu = await nodeGPU({ swiftshader });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no GPU adapter; pass --swiftshader to run on the CPU (needs Debian\'s chromium)');
  const dev = await openDevice(gpu);
  console.log(`adapter: ${describeAdapter(dev.caps)}${swiftshader ? ' [SwiftShader, on the CPU, as asked]' : ''}`);
  const est = estimateMemory(config, t, dev.caps.limits);
  console.log(`model: ${a.string('preset')}, ${(est.parameters / 1e6).toFixed(2)}M parameters, vocabulary ${config.vocabSize} ` +
    `(${data.tokenizer.name}); ${formatBytes(est.bytes.total)} planned on the GPU`);
  if (est.problems.length) throw new Error(`this configuration cannot run here: ${est.problems.join('; ')}`);

  const init = initParams(config, t.seed);
  let backend: TrainBackend;
  if (engineName === 'tfjs') {
    dev.device.destroy();
    await useTfjsWebGPU(gpu);
    backend = new ReferenceBackend(config, t, init);
  } else {
    backend = await EngineBackend.create(dev, config, t, { kernels: { matmulPrecision: precision } });
    await backend.setParams(init);
  }
  console.log(`engine: ${backend.name}`);
  const sampler = await MixtureSampler.open(data.store, { seed: t.seed, seqLen: t.seqLen });
  const trainer = new Trainer(backend, sampler, t, data.tokenizer, data.id);
  if (resume) {
    const opened = await openCheckpointDir(resume);
    try {
      const ck = await readCheckpoint(opened.files, {
        fingerprint: fingerprintOfJSON,
        expected: { config, tokenizerFingerprint: tokenizerFingerprint(data.tokenizer) },
      });
      await trainer.restore(ck);
    } finally {
      await opened.close();
    }
    console.log(`resumed ${resume} at step ${trainer.step}`);
  }

  console.log(`training ${t.steps} steps of ${tokensPerStep(t)} tokens (batch ${t.batchSize} x ${t.seqLen} x ${t.accumSteps})`);
  const started = performance.now();
  let tokensTimed = 0, msTimed = 0;
  while (!trainer.done) {
    const m = await trainer.trainStep();
    if (m.diverged) {
      console.error(`step ${m.step + 1}: the loss became ${m.loss} (gradient norm ${m.gradNorm}); stopped at the last good state (step ${m.step})`);
      break;
    }
    if (m.step > 1) { tokensTimed += tokensPerStep(t); msTimed += m.ms; } // the first step includes warm-up work
    if (m.step % logEvery === 0 || m.step === t.steps) {
      console.log(`step ${String(m.step).padStart(5)}  loss ${m.loss.toFixed(4)}  lr ${m.lr.toExponential(2)}  ` +
        `|g| ${m.gradNorm.toFixed(3)}  ${Math.round(m.tokensPerSecond)} tok/s`);
    }
    if (t.evalInterval > 0 && (m.step % t.evalInterval === 0 || trainer.done)) {
      console.log(`step ${String(m.step).padStart(5)}  validation loss ${(await trainer.evaluate()).toFixed(4)}`);
    }
  }
  const secs = (performance.now() - started) / 1000;
  console.log(`done: ${trainer.step} steps in ${secs.toFixed(1)} s` +
    (msTimed > 0 ? `, ${Math.round(tokensTimed / (msTimed / 1000))} tokens/s after the first step` : ''));
  if (save) {
    await writeCheckpointDir(save, await trainer.checkpoint());
    console.log(`saved a Hugging Face model folder (and trainer state) to ${save}`);
  }
  backend.destroy();
  return 0;
}
