import { describe, expect, it } from 'vitest';
import { paramSpecs } from '../../../src/model/params';
import { momentSpecs, parseTrainerState, serializeTrainerState } from '../../../src/train/checkpoint/trainer-state';
import { TINY, tokenizerJSON, trainerState } from './fixtures';

const roundTrip = (s: ReturnType<typeof trainerState>) => parseTrainerState(JSON.parse(serializeTrainerState(s)));

describe('trainer_state.json', () => {
  it('round-trips every field exactly', () => {
    const state = trainerState(TINY, tokenizerJSON());
    expect(roundTrip(state)).toEqual(state);
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
    ['no schedule position', () => ({ ...good(), schedulePosition: undefined }), 'trainer_state.json: schedulePosition: must be a non-negative number'],
    ['no RNG state', () => { const j = good(); delete j.rng; return j; }, 'trainer_state.json: rng: is missing'],
    ['an object as a setting', () => ({ ...good(), trainConfig: { lr: { value: 1 } } }), 'trainer_state.json: trainConfig.lr: must be a number, string, boolean or list of numbers'],
    ['an empty tokenizer fingerprint', () => ({ ...good(), tokenizerFingerprint: '' }), 'trainer_state.json: tokenizerFingerprint: must be a non-empty string'],
    ['a bad loss point', () => ({ ...good(), lossHistory: [{ step: 1, loss: 'high' }] }), 'trainer_state.json: lossHistory[0]: must be {step, loss, valLoss?}'],
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
