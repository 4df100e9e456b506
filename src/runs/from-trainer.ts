// A run record from what the trainer knows: its state (config, settings, step, loss history) and the
// data recipe. Called at every save, so run.json always matches the checkpoint beside it.
import type { LossPoint, TrainerState } from '../train/checkpoint/trainer-state';
import {
  newRunId, RUN_FORMAT, RUN_VERSION, thinCurve, type Curve, type DataRecipe, type RunRecord,
} from './run-record';

function curvesOf(history: readonly LossPoint[]): { train: Curve; val: Curve } {
  const train: Curve = [];
  const val: Curve = [];
  for (const p of history) {
    train.push([p.step, Number.isFinite(p.loss) ? p.loss : null]);
    if (p.valLoss !== undefined) val.push([p.step, Number.isFinite(p.valLoss) ? p.valLoss : null]);
  }
  return { train: thinCurve(train), val: thinCurve(val) };
}

function flatSettings(settings: TrainerState['trainConfig']): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(settings)) out[k] = Array.isArray(v) ? v.join(',') : (v as number | string | boolean);
  return out;
}

/** The record for `state`, keeping the identity, name and scores of `previous` (the same run saved before). */
export function runFromTrainer(state: TrainerState, recipe: DataRecipe | null, opts: {
  name?: string; previous?: RunRecord | null; now?: Date;
} = {}): RunRecord {
  const now = (opts.now ?? new Date()).toISOString();
  const prev = opts.previous ?? null;
  return {
    format: RUN_FORMAT,
    formatVersion: RUN_VERSION,
    id: prev?.id ?? newRunId(opts.now),
    name: opts.name ?? prev?.name ?? `run ${now.slice(0, 16).replace('T', ' ')}`,
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
    recipe: recipe ?? prev?.recipe ?? null,
    model: state.modelConfig,
    // The memory options beside the hyperparameters: how the run stored what it computed.
    training: { ...flatSettings(state.trainConfig), ...(state.memory ?? {}) },
    step: state.step,
    tokensSeen: state.tokensSeen,
    curves: curvesOf(state.lossHistory),
    scores: prev?.scores ?? {},
    ...(prev?.scoreCurves ? { scoreCurves: prev.scoreCurves } : {}),
  };
}
