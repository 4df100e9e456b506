// What Train must ask before it starts: a run that could continue (paused, stopped early, imported or
// restored) or an autosave not yet restored would be replaced, or the run would take hours here. Nothing
// to ask is null, and Train starts at once.
import type { AutosaveInfo } from '../worker/train-api';
import type { Question } from './confirm-dialog';

export interface TrainContext {
  /** The page's run, when it can continue (Resume would go on from `step`). */
  continuable: { step: number; totalSteps: number } | null;
  /** The autosave offered on opening, not restored or discarded yet. */
  offered: AutosaveInfo | null;
  /** The config panel's flag for a run of hours. */
  longRun: string | null;
}

export function trainQuestion(t: TrainContext): Question | null {
  const lines: string[] = [];
  if (t.continuable) {
    lines.push(`The current run is at step ${t.continuable.step} of ${t.continuable.totalSteps} and can continue: press Resume for that. ` +
      'A new run replaces it, and its autosave, for good (export it first to keep it).');
  } else if (t.offered && t.offered.step < t.offered.totalSteps) {
    lines.push(`An autosaved ${t.offered.label} run at step ${t.offered.step} of ${t.offered.totalSteps} can be resumed from the offer at the top. ` +
      'A new run overwrites that autosave.');
  }
  if (t.longRun) lines.push(`${t.longRun[0].toUpperCase()}${t.longRun.slice(1)}.`);
  if (lines.length === 0) return null;
  const replacing = t.continuable !== null || (t.offered !== null && t.offered.step < t.offered.totalSteps);
  return {
    title: replacing ? 'Start a new run?' : 'Start a long run?',
    lines,
    confirm: replacing ? 'Start a new run' : 'Start anyway',
    cancel: replacing ? 'Keep the current run' : 'Cancel',
  };
}
