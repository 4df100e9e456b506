import { describe, expect, it } from 'vitest';
import { encodeTokens, MANIFEST_FILE, TOKENIZER_FILE, type DatasetManifest } from '../../../src/data/pack/manifest';
import { MixtureSampler } from '../../../src/data/sampler';
import { MemoryStore } from '../../../src/data/store.memory';
import { tokenizerFingerprint } from '../../../src/data/tokenizer/fingerprint';
import type { Tokenizer } from '../../../src/data/tokenizer/tokenizer';
import { numel, paramSpecs } from '../../../src/model/params';
import type { Moments, TrainBackend } from '../../../src/train/backend';
import type { LoadedCheckpoint } from '../../../src/train/checkpoint/checkpoint-read';
import { memoryDifferences, momentSpecs, parseTrainerState, serializeTrainerState, type RunMemory, type TrainerState } from '../../../src/train/checkpoint/trainer-state';
import { HARE_TRAIN_DEFAULTS, validateTrainConfig } from '../../../src/train/config';
import { Trainer } from '../../../src/train/trainer';
import { TINY, tokenizerJSON, trainerState } from './fixtures';

const roundTrip = (s: ReturnType<typeof trainerState>) => parseTrainerState(JSON.parse(serializeTrainerState(s)));

describe('trainer_state.json', () => {
  it('round-trips every field exactly', () => {
    const state = trainerState(TINY, tokenizerJSON());
    expect(roundTrip(state)).toEqual(state);
  });

  it('round-trips the memory options, and reads a state written before they were recorded', () => {
    const memory: RunMemory = { recompute: true, updatePerLayer: false, f16Activations: true, f16Base: false };
    const state = { ...trainerState(TINY, tokenizerJSON()), memory };
    expect(roundTrip(state)).toEqual(state);
    expect(roundTrip(trainerState(TINY, tokenizerJSON())).memory).toBeUndefined();
  });

  it('names the memory options that change the arithmetic on resume, and only those', () => {
    const off: RunMemory = { recompute: false, updatePerLayer: false, f16Activations: false, f16Base: false };
    expect(memoryDifferences(off, { ...off, recompute: true, updatePerLayer: true })).toEqual([]);   // bit-identical either way
    expect(memoryDifferences(undefined, { ...off, f16Activations: true })).toEqual([]);              // nothing recorded
    const d = memoryDifferences({ ...off, f16Activations: true, f16Base: true }, off);
    expect(d).toHaveLength(2);
    expect(d[0]).toContain('f16 saved activations on and continues with them off');
    expect(d[1]).toContain('frozen base was stored as f16 and is now f32');
  });

  it('keeps a diverged loss as NaN', () => {
    const state = { ...trainerState(TINY, tokenizerJSON()), lossHistory: [{ step: 5, loss: NaN, valLoss: NaN }] };
    const back = roundTrip(state).lossHistory[0];
    expect(back.step).toBe(5);
    expect(Number.isNaN(back.loss) && Number.isNaN(back.valLoss)).toBe(true);
  });

  it('refuses a non-finite training setting when saving', () => {
    const state = trainerState(TINY, tokenizerJSON());
    expect(() => serializeTrainerState({ ...state, trainConfig: { lr: Infinity } })).toThrow('trainConfig.lr is not a finite number');
  });

  const good = () => JSON.parse(serializeTrainerState(trainerState(TINY, tokenizerJSON()))) as Record<string, unknown>;
  it.each([
    ["Hugging Face Trainer's file", () => ({ global_step: 10, log_history: [] }), 'trainer_state.json: is not a Leveret trainer state'],
    ['a newer format', () => ({ ...good(), formatVersion: 2 }), 'trainer_state.json: formatVersion: is 2: written by a newer Leveret'],
    ['a bad model config', () => ({ ...good(), modelConfig: { ...TINY, nKvHeads: 3 } }), 'trainer_state.json: modelConfig.nKvHeads: must divide nHeads'],
    ['a negative step', () => ({ ...good(), step: -1 }), 'trainer_state.json: step: must be a non-negative integer, got -1'],
    ['a fractional token count', () => ({ ...good(), tokensSeen: 1.5 }), 'trainer_state.json: tokensSeen: must be a non-negative integer'],
    ['no schedule position', () => ({ ...good(), schedulePosition: undefined }), 'trainer_state.json: schedulePosition: must be a non-negative integer'],
    ['a fractional schedule position', () => ({ ...good(), schedulePosition: 1.5 }), 'trainer_state.json: schedulePosition: must be a non-negative integer, got 1.5'],
    ['no RNG state', () => { const j = good(); delete j.rng; return j; }, 'trainer_state.json: rng: is missing'],
    ['an object as a setting', () => ({ ...good(), trainConfig: { lr: { value: 1 } } }), 'trainer_state.json: trainConfig.lr: must be a number, string, boolean or list of numbers'],
    ['an empty tokenizer fingerprint', () => ({ ...good(), tokenizerFingerprint: '' }), 'trainer_state.json: tokenizerFingerprint: must be a non-empty string'],
    ['a bad loss point', () => ({ ...good(), lossHistory: [{ step: 1, loss: 'high' }] }), 'trainer_state.json: lossHistory[0]: must be {step, loss, valLoss?}'],
    ['a list as the memory options', () => ({ ...good(), memory: [true] }), 'trainer_state.json: memory: must be an object'],
    ['a memory option that is not a flag', () => ({ ...good(), memory: { recompute: 'yes', updatePerLayer: false, f16Activations: false, f16Base: false } }),
      'trainer_state.json: memory.recompute: must be true or false, got "yes"'],
  ])('refuses %s', (_, make, message) => {
    expect(() => parseTrainerState(make())).toThrow(message);
  });
});

describe('optimizer tensor names', () => {
  it('gives exp_avg and exp_avg_sq for every parameter, shaped like it', () => {
    const specs = momentSpecs(TINY);
    const params = paramSpecs(TINY);
    expect(specs.length).toBe(2 * params.length);
    expect(specs[0]).toEqual({ name: 'model.embed_tokens.weight.exp_avg', shape: [32, 16] });
    expect(specs[1]).toEqual({ name: 'model.embed_tokens.weight.exp_avg_sq', shape: [32, 16] });
    expect(specs.at(-1)).toEqual({ name: 'lm_head.weight.exp_avg_sq', shape: [32, 16] });
  });
});

describe('the sampler field', () => {
  const good = () => JSON.parse(serializeTrainerState(trainerState(TINY, tokenizerJSON()))) as Record<string, any>;
  const withSampler = (sampler: unknown) => ({ ...good(), sampler });
  const source = (position: unknown) => ({ version: 1, rng: [1, 2, 3, 4], sources: [{ name: 'web', epoch: 0, position }] });
  it.each<[string, unknown, string]>([
    ['{version: 1} alone', { version: 1 }, 'trainer_state.json: sampler.rng: must be four 32-bit unsigned integers, got undefined'],
    ['a newer version', { ...source(0), version: 2 }, 'trainer_state.json: sampler.version: must be 1, got 2'],
    ['a string', 'cursor', 'trainer_state.json: sampler.(top level): must be an object'],
    ['position -1', source(-1), 'trainer_state.json: sampler.sources[0].position: must be a non-negative integer, got -1'],
    ['position 1.5', source(1.5), 'trainer_state.json: sampler.sources[0].position: must be a non-negative integer, got 1.5'],
    ['an RNG word above 32 bits', { ...source(0), rng: [1, 2, 3, 2 ** 32] }, 'trainer_state.json: sampler.rng: must be four'],
    ['a source named twice', { ...source(0), sources: [{ name: 'a', epoch: 0, position: 0 }, { name: 'a', epoch: 0, position: 0 }] }, 'trainer_state.json: sampler.sources[1].name: "a" appears twice'],
  ])('refuses %s, naming the field', (_, sampler, message) => {
    expect(() => parseTrainerState(withSampler(sampler))).toThrow(message);
  });

  it('refuses rng nested 20,000 deep before anything walks it', () => {
    const rng = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000));
    expect(() => parseTrainerState({ ...good(), rng })).toThrow(/^trainer_state\.json: rng.*: nests more than 64 levels deep$/);
  });
});

describe('resuming', () => {
  // A backend that takes whatever it is given: restore is about the trainer's own state here.
  const backend = (): TrainBackend => ({
    name: 'null', config: TINY, stepCount: 0,
    async trainStep() { return { loss: 1, gradNorm: 1, skipped: false }; },
    async forwardLosses() { return new Float32Array(0); },
    async nextLogits() { return new Float32Array(TINY.vocabSize); },
    async getParams() { return new Map(); },
    async setParams() {},
    async getMoments(): Promise<Moments> { return { m: new Map(), v: new Map() }; },
    async setMoments() {},
    destroy() {},
  });

  /** One source, "web", of 4 packed sequences of 9 tokens: 4 windows of 8 + 1 tokens. */
  async function sampler(): Promise<MixtureSampler> {
    const store = new MemoryStore();
    const shard = await store.writer('web-train-0.bin');
    await shard.write(encodeTokens(Array.from({ length: 36 }, (_, i) => 3 + (i % 20)), 'uint16'));
    await shard.close();
    const manifest: DatasetManifest = {
      version: 1, packLength: 9, dtype: 'uint16', vocabSize: 32, tokenizer: TOKENIZER_FILE, bosId: 1, eosId: 2, seed: 1, valFraction: 0,
      sources: [{ name: 'web', category: 'web', weight: 1, tokens: 36, records: 4, train: [{ file: 'web-train-0.bin', sequences: 4 }], val: [] }],
    };
    const m = await store.writer(MANIFEST_FILE);
    await m.write(JSON.stringify(manifest));
    await m.close();
    return MixtureSampler.open(store, { seed: 1, seqLen: 8 });
  }

  const tokenizer: Tokenizer = { name: 'fixture', vocabSize: 32, bosId: 1, eosId: 2, encode: () => [], decode: () => '', toJSON: () => tokenizerJSON() };
  const train = validateTrainConfig({ ...HARE_TRAIN_DEFAULTS, batchSize: 1, seqLen: 8, steps: 300_000 });

  function checkpointOf(state: TrainerState): LoadedCheckpoint {
    const zeros = async (name: string) => new Float32Array(numel(paramSpecs(TINY).find((p) => name.startsWith(p.name))!.shape));
    return { config: TINY, bosId: 1, eosId: 2, tokenizerJSON: tokenizerJSON(), trainerState: state, warnings: [], readParam: zeros, readMoment: zeros };
  }

  const savedAt = (step: number, points: number, position = 2): TrainerState => ({
    ...trainerState(TINY, tokenizerJSON(), step),
    tokenizerFingerprint: tokenizerFingerprint(tokenizer),
    sampler: { version: 1, rng: [5, 6, 7, 8], sources: [{ name: 'web', epoch: 3, position }] },
    lossHistory: Array.from({ length: points }, (_, i) => ({ step: i + 1, loss: 10 / (i + 1) })),
  });

  it('resumes a run with 200,000 loss-history points, through the file', async () => {
    const state = parseTrainerState(JSON.parse(serializeTrainerState(savedAt(200_000, 200_000))));
    const trainer = new Trainer(backend(), await sampler(), train, tokenizer, 'corpus-v1');
    await trainer.restore(checkpointOf(state));
    expect(trainer.step).toBe(200_000);
    expect(trainer.history.length).toBe(200_000);
    expect(trainer.history[199_999]).toEqual({ step: 200_000, loss: 10 / 200_000 });
    expect(trainer.sampler.getState()).toEqual(state.sampler);
  });

  it('refuses a sampler position past the end of its source, naming the file and the field', async () => {
    const trainer = new Trainer(backend(), await sampler(), train, tokenizer, 'corpus-v1');
    await expect(trainer.restore(checkpointOf(savedAt(10, 3, 5)))).rejects.toThrow(
      'trainer_state.json: sampler.sources[0].position: is 5, past the 4 windows of source web');
  });

  it('refuses a sampler from a dataset with other sources', async () => {
    const trainer = new Trainer(backend(), await sampler(), train, tokenizer, 'corpus-v1');
    const state = { ...savedAt(10, 3), sampler: { version: 1 as const, rng: [5, 6, 7, 8] as [number, number, number, number], sources: [{ name: 'books', epoch: 0, position: 0 }] } };
    await expect(trainer.restore(checkpointOf(state))).rejects.toThrow('trainer_state.json: sampler.sources: belong to a dataset with different sources');
  });
});
