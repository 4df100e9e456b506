// `npm run train -- --preset NAME --data FILE|DIR [--steps N] [--save DIR] [--engine leveret|tfjs] ...`
// Trains on our WebGPU engine (or, with --engine tfjs, the reference model on tfjs-backend-webgpu's stock
// kernels, same data and seed), printing step, loss and tokens/s; --save writes a Hugging Face folder.
// Validate, then run: the arguments (train-args.ts) and every input file (train-inputs.node.ts) are checked
// before the slow parts (data preparation, GPU set-up, training), so a mistake costs nothing.
import { openDevice, describeAdapter } from '../engine/device';
import { nodeGPU } from '../engine/node-gpu.node';
import { MixtureSampler } from '../data/sampler';
import { tokenizerFingerprint } from '../data/tokenizer';
import { formatBytes } from '../model/memory';
import { initParams } from '../model/init';
import { tokensPerStep } from '../train/config';
import type { TrainBackend } from '../train/backend';
import { EngineBackend } from '../train/engine-backend';
import { LoraBackend } from '../train/lora-backend';
import { initLora } from '../model/lora';
import { buildAdapterFiles, readAdapter } from '../train/checkpoint/peft-adapter';
import { expAvgName, expAvgSqName, memoryDifferences, type RunMemory } from '../train/checkpoint/trainer-state';
import { ReferenceBackend } from '../train/reference-backend';
import { fingerprintOfJSON, Trainer } from '../train/trainer';
import { readCheckpoint } from '../train/checkpoint/checkpoint-read';
import { openCheckpointDir } from '../train/checkpoint/dir.node';
import { ArgError, InputError } from './args';
import { prepareDataFile } from './dataset.node';
import { parseTrainArgs, TRAIN_USAGE, type TrainArgs } from './train-args';
import { checkResume, checkTrainInputs, modelConfigFor, type TrainInputs } from './train-inputs.node';
import { useTfjsWebGPU } from './tfjs-webgpu.node';
import { saveCheckpointWithRun } from './run-save.node';
import { checkInitFromData, initFromArg, loadInitWeights, openInitFrom } from './init-from.node';
import { formatPlan, PLAN_LIMITS, planTrainRun } from './train-plan';

export { TRAIN_USAGE };

/** Parses and checks everything; throws ArgError (a bad option) or InputError (a bad file) before any work. */
export async function validateTrainRun(argv: readonly string[]): Promise<{ args: TrainArgs; inputs: TrainInputs }> {
  // --init-from's folder first: its config.json gives the context and width the other options are checked against.
  const initDir = initFromArg(argv);
  const initFrom = initDir !== undefined ? await openInitFrom(initDir) : undefined;
  try {
    const args = parseTrainArgs(argv, initFrom);
    return { args, inputs: await checkTrainInputs(args) };
  } catch (e) {
    await initFrom?.close();
    throw e;
  }
}

/**
 * --plan: the run's memory plan printed from the arguments alone (no data read, no GPU opened, nothing
 * allocated); 0 when it fits, 1 when it does not (the reasons and what would fit are printed).
 */
async function printPlan(argv: readonly string[]): Promise<number> {
  const initDir = initFromArg(argv);
  const initFrom = initDir !== undefined ? await openInitFrom(initDir) : undefined;
  try {
    const args = parseTrainArgs(argv, initFrom);
    const plan = planTrainRun(args, args.base, PLAN_LIMITS);
    const note = `no adapter opened: bindings of up to ${formatBytes(PLAN_LIMITS.maxStorageBufferBindingSize)} assumed (the run checks its adapter's)`;
    for (const line of formatPlan(args, args.base, plan, note)) console.log(line);
    return plan.estimate.problems.length ? 1 : 0;
  } finally {
    await initFrom?.close();
  }
}

/** A resumed run whose memory options change its arithmetic is not the uninterrupted run to the bit: say so. */
function warnMemory(dir: string, saved: RunMemory | undefined, now: RunMemory | undefined): void {
  for (const d of memoryDifferences(saved, now)) console.error(`warning: --resume ${dir}: ${d}`);
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(TRAIN_USAGE); return 0; }
  let checked: Awaited<ReturnType<typeof validateTrainRun>>;
  try {
    if (argv.includes('--plan')) return await printPlan(argv);
    checked = await validateTrainRun(argv);
  } catch (e) {
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${TRAIN_USAGE}`); return 2; }
    if (e instanceof InputError) { console.error(e.message); return 2; }
    throw e;
  }
  return train(checked.args, checked.inputs);
}

async function train(args: TrainArgs, inputs: TrainInputs): Promise<number> {
  const t = args.train;
  const data = inputs.dataset ?? await prepareDataFile(args.data, inputs.tokenizer, t.seqLen, (s) => console.log(s), args.initFrom?.dir);
  if (inputs.dataset) console.log(`data: ${args.data}${data.dir === args.data ? '' : `, prepared earlier in ${data.dir}`}`);
  const config = modelConfigFor(args, data.tokenizer.vocabSize);
  if (!inputs.dataset && args.resume !== undefined) await checkResume(args, config, data);
  if (!inputs.dataset && args.initFrom) checkInitFromData(args.initFrom, args.data, data);

  const gpu = await nodeGPU({ swiftshader: args.swiftshader });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no GPU adapter; pass --swiftshader to run on the CPU (needs Debian\'s chromium)');
  const dev = await openDevice(gpu);
  console.log(`adapter: ${describeAdapter(dev.caps)}${args.swiftshader ? ' [SwiftShader, on the CPU, as asked]' : ''}`);
  const lora = args.lora;
  const plan = planTrainRun(args, config, dev.caps.limits), est = plan.estimate;
  console.log(`model: ${args.preset}, ${(est.parameters / 1e6).toFixed(2)}M parameters, vocabulary ${config.vocabSize} ` +
    `(${data.tokenizer.name}); ${formatBytes(est.bytes.total)} planned on the GPU` +
    (lora ? ` (LoRA r ${lora.rank}, alpha ${lora.alpha} on ${lora.targets.join(', ')}: ${(est.trainable / 1e6).toFixed(3)}M trained, ` +
      `gradients ${formatBytes(est.bytes.gradients)}, AdamW ${formatBytes(est.bytes.adamMoments)})` : '') +
    (plan.recompute ? `; activations recomputed in the backward${plan.recomputeChosen ? ' (--memory-budget needs it)' : ''}` : '') +
    (est.updatePerLayer ? '; the update applied layer by layer in the backward' : '') +
    (est.f16Activations ? '; saved activations stored as f16' : ''));
  if (est.problems.length) throw new Error(`this configuration cannot run here: ${est.problems.join('; ')}`);

  // Weights from --init-from stream in after the engine exists (a resumed run's come from its checkpoint
  // instead, but a LoRA run's frozen base always comes from the folder); otherwise the seeded initialisation.
  const fromFolder = args.initFrom && (args.resume === undefined || lora) ? args.initFrom : undefined;
  const init = fromFolder ? null : initParams(config, t.seed);
  let backend: TrainBackend;
  if (args.engine === 'tfjs') {
    dev.device.destroy();
    await useTfjsWebGPU(gpu);
    backend = new ReferenceBackend(config, t, init ?? initParams(config, t.seed));
  } else if (lora) {
    backend = await LoraBackend.create(dev, config, t, lora, { kernels: { matmulPrecision: args.precision }, recompute: plan.recompute, f16Base: args.f16Base,
      f16Activations: args.f16Activations });
    await backend.setParams(initLora(config, lora, t.seed));   // A seeded, B zero (a resumed run overwrites both)
  } else {
    backend = await EngineBackend.create(dev, config, t,
      { kernels: { matmulPrecision: args.precision }, recompute: plan.recompute, updatePerLayer: args.updatePerLayer, f16Activations: args.f16Activations });
    if (init) await backend.setParams(init);
  }
  if (fromFolder) await loadInitWeights(fromFolder, backend, (s) => console.log(s));
  await args.initFrom?.close();
  console.log(`engine: ${backend.name}`);
  const sampler = await MixtureSampler.open(data.store, { seed: t.seed, seqLen: t.seqLen });
  // A full fine-tune of a chat model saves its chat template back (a LoRA adapter folder holds no tokenizer).
  const trainer = new Trainer(backend, sampler, t, data.tokenizer, data.id, lora ? undefined : args.initFrom?.kept);
  const resume = args.resume, save = args.save, logEvery = args.logEvery;
  if (resume) {
    const opened = await openCheckpointDir(resume);
    try {
      if (lora) {
        const adapter = await readAdapter(opened.files, config, lora);
        if (!adapter.training) throw new Error(`${resume}: no trainer state to resume from`);
        await trainer.restore({ trainerState: adapter.training.trainerState, readParam: adapter.readTensor, readMoment: adapter.training.readMoment });
        warnMemory(resume, adapter.training.trainerState.memory, backend.memory);
      } else {
        const ck = await readCheckpoint(opened.files, {
          fingerprint: fingerprintOfJSON,
          expected: { config, tokenizerFingerprint: tokenizerFingerprint(data.tokenizer) },
        });
        await trainer.restore(ck);
        warnMemory(resume, ck.trainerState.memory, backend.memory);
      }
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
  if (save && lora) {
    const { m, v } = await backend.getMoments();
    const moments = new Map<string, Float32Array>();
    for (const [name, value] of m) moments.set(expAvgName(name), value);
    for (const [name, value] of v) moments.set(expAvgSqName(name), value);
    const files = buildAdapterFiles({
      base: config, lora, baseModel: args.initFrom!.dir, tensors: await backend.getParams(),
      training: { trainerState: trainer.trainerState(), moments },
    });
    const record = await saveCheckpointWithRun(save, files, trainer.trainerState(), data.dir);
    console.log(`saved a PEFT LoRA adapter (and trainer state) to ${save}; run record "${record.name}" (${record.id}) in run.json`);
  } else if (save) {
    const record = await saveCheckpointWithRun(save, await trainer.checkpoint(), trainer.trainerState(), data.dir);
    console.log(`saved a Hugging Face model folder (and trainer state) to ${save}; run record "${record.name}" (${record.id}) in run.json`);
  }
  backend.destroy();
  return 0;
}
