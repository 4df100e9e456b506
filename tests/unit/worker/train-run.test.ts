// The training worker's run loop in Node, on a scripted backend: a loss that turns NaN stops the run at the
// last good step with a message and an autosave of that state; pause, resume and stop move through their
// states with an autosave at each stop; events arrive as the page's typed stream.
import { describe, expect, it } from 'vitest';
import { trainBpe } from '../../../src/data/tokenizer/train-bpe';
import type { ModelConfig } from '../../../src/model/config';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../../src/train/config';
import { Trainer } from '../../../src/train/trainer';
import type { AutosaveInfo, TrainEvent } from '../../../src/worker/train-api';
import { Run, runFileStem } from '../../../src/worker/train-run';
import { scriptedBackend, tinyDataset } from '../train/scripted';

const model: ModelConfig = { dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, hiddenDim: 32, vocabSize: 300, normEps: 1e-5, ropeTheta: 10000, contextLength: 16 };
const train = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: 2, seqLen: 8, steps: 6, warmupSteps: 1, evalInterval: 0 });

async function setup(losses: number[]) {
  const tok = await trainBpe(['the keeper of the light counted the gulls on the rocks before the storm came in'], { vocabSize: 280 });
  const trainer = new Trainer(scriptedBackend(model, train.batchSize * train.seqLen, (call) => losses[call]), await tinyDataset(tok, train.seqLen), train, tok, 'ds-test');
  const events: TrainEvent[] = [];
  const saves: AutosaveInfo[] = [];
  let settle: () => void = () => {};
  const run = new Run({
    trainer, dataset: 'ds-test',
    emit: (e) => { events.push(e); if (e.type === 'state' && ['paused', 'stopped', 'finished', 'failed'].includes(e.state)) settle(); },
    autosave: async (files, folder, info) => {
      expect(files.has('model.safetensors')).toBe(true);
      const saved = { ...info, bytes: 1, savedAt: 0 };
      saves.push(saved);
      return saved;
    },
  }, { sample: { prompt: 'the', maxTokens: 2, temperature: 0, topK: 0, seed: 1, everySteps: 0 }, autosaveSeconds: 0 }, 'running');
  const settled = () => new Promise<void>((resolve) => { settle = resolve; });
  return { run, trainer, events, saves, settled };
}

const states = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'state' ? [e.state] : []));

describe('the training worker run loop', () => {
  it('stops at the last good step when the loss turns NaN, saying so, and autosaves that state', async () => {
    const { run, trainer, events, saves, settled } = await setup([6, 5.5, NaN, 4]);
    const done = settled();
    run.begin();
    await done;
    expect(trainer.step).toBe(2);
    expect(events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([1, 2]);
    const diverged = events.find((e) => e.type === 'diverged');
    expect(diverged).toMatchObject({ type: 'diverged', step: 2 });
    expect((diverged as { message: string }).message).toMatch(/the loss became NaN at step 3; the run stopped at step 2, its last good state/);
    expect(saves.map((s) => s.step)).toEqual([2]);
    expect(states(events)).toEqual(['running', 'stopped']);
    expect(trainer.history.map((p) => p.loss)).toEqual([6, 5.5]);
  });

  it('pauses with an autosave, resumes where it paused, and stops with another', async () => {
    const { run, trainer, events, saves, settled } = await setup([6, 5.9, 5.8, 5.7, 5.6, 5.5]);
    let paused = settled();
    run.begin();
    run.pause();
    await paused;
    const at = trainer.step;
    expect(at).toBe(1); // the step under way when pause came finishes, no more
    expect(saves.map((s) => s.step)).toEqual([1]);
    paused = settled();
    run.resume();
    run.stop(); // while the first step after resuming is under way: it finishes, then the run stops
    await paused;
    expect(trainer.step).toBe(2);
    expect(saves.map((s) => s.step)).toEqual([1, 2]);
    expect(states(events)).toEqual(['running', 'pausing', 'paused', 'running', 'stopping', 'stopped']);
    const finished = settled();
    run.resume(); // a stopped run keeps its state and can go on to the end
    await finished;
    expect(trainer.step).toBe(train.steps);
    expect(states(events).slice(-2)).toEqual(['running', 'finished']);
    expect(saves.map((s) => s.step)).toEqual([1, 2, train.steps]);
    expect(events.filter((e) => e.type === 'step').map((e) => (e as { loss: number }).loss)).toEqual([6, 5.9, 5.8, 5.7, 5.6, 5.5]);
  });

  it('an export asked for while step 3 runs is named by the step it holds, as its trainer state says (issue 14: "step14" imported as step 15)', async () => {
    const { run, trainer, settled } = await setup([6, 5.9, 5.8, 5.7, 5.6, 5.5]);
    const inner = trainer.backend.trainStep.bind(trainer.backend);
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inThird = new Promise<void>((r) => { entered = r; });
    let calls = 0;
    trainer.backend.trainStep = async (micro, lr) => {
      if (++calls === 3) { entered(); await new Promise<void>((r) => { release = r; }); }
      return inner(micro, lr);
    };
    const paused = settled();
    run.begin();
    await inThird;
    expect(trainer.step).toBe(2); // the page shows step 2 while step 3 is under way
    const exported = run.namedCheckpoint();
    run.pause();
    release();
    const { files, folder, step } = await exported;
    const state = JSON.parse(new TextDecoder().decode(files.get('trainer_state.json') as Uint8Array)) as { step: number };
    expect(step).toBe(3);
    expect(state.step).toBe(3);
    expect(folder).toBe(`leveret-custom-step3`);
    await paused;
  });

  it('names the exports of a run on an imported model after it and what was trained', () => {
    expect(runFileStem({ name: 'SmolLM-135M' }, { rank: 16 })).toBe('SmolLM-135M-lora-r16');
    expect(runFileStem({ name: 'SmolLM-135M' }, null)).toBe('SmolLM-135M-finetuned');
    expect(runFileStem(null, null)).toBeUndefined();
  });
});
