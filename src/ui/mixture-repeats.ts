// Sources too small for their share of the planned run. A source drawn for share × planned tokens but holding
// far fewer is read over and over; past about 4 passes repeated text is worth much less than new text
// (Muennighoff et al. 2023, "Scaling Data-Constrained Language Models"). The page warns above MAX_REPEATS and
// lets the person choose: keep the weight (the choice is shown), or re-weight the source so it repeats at
// most MAX_REPEATS times (the weight changes, so the data is prepared again with it).
import type { MixtureRow } from '../data/report';
import { fill, formatCount, h } from './dom';

export const MAX_REPEATS = 4;

export interface Repeat {
  source: string;
  /** Times the source's training tokens are read in the planned run at its share. */
  repeats: number;
  /** The weight at which it repeats MAX_REPEATS times, the other weights unchanged. */
  weight: number;
}

/** Sources in play that the planned tokens (rows of seqLen + 1 drawn) would repeat more than MAX_REPEATS times. */
export function overRepeated(rows: readonly MixtureRow[], packLength: number, plannedTokens: number): Repeat[] {
  const inPlay = rows.filter((r) => !r.dropped && r.share > 0 && r.trainSequences > 0);
  const totalWeight = inPlay.reduce((n, r) => n + r.weight, 0);
  return inPlay.flatMap((r) => {
    const repeats = (r.share * plannedTokens) / (r.trainSequences * packLength);
    if (repeats <= MAX_REPEATS) return [];
    // share' = w' / (w' + others) = MAX_REPEATS * tokens / planned, solved for w'.
    const target = (MAX_REPEATS * r.trainSequences * packLength) / plannedTokens;
    const others = totalWeight - r.weight;
    const weight = others > 0 ? Number(((target * others) / (1 - target)).toPrecision(2)) : r.weight;
    return [{ source: r.source, repeats, weight }];
  });
}

export interface RepeatChoices {
  /** Sources the person chose to keep at their weight (by name). */
  kept: ReadonlySet<string>;
  keep(source: string): void;
  reweight(source: string, weight: number): void;
}

/** The warnings with their two buttons, or the choice already made; empty when nothing repeats too often. */
export function showRepeats(slot: HTMLElement, repeats: readonly Repeat[], plannedTokens: number, choices: RepeatChoices): void {
  fill(slot, ...repeats.map((r) => {
    const what = `${r.source} would be read about ${r.repeats.toFixed(1)} times in the ${formatCount(plannedTokens)} tokens this run plans ` +
      `(more than ${MAX_REPEATS} passes add little).`;
    if (choices.kept.has(r.source)) {
      return h('p', { class: 'hint', 'data-testid': 'repeat-kept', 'data-source': r.source }, `${what} You chose to keep its weight.`);
    }
    return h('div', { class: 'repeat-warning', 'data-testid': 'repeat-warning', 'data-source': r.source },
      h('p', {}, `⚠ ${what}`),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', 'data-testid': 'repeat-keep', onclick: () => choices.keep(r.source) }, 'Keep the weight'),
        h('button', { type: 'button', 'data-testid': 'repeat-reweight', onclick: () => choices.reweight(r.source, r.weight) },
          `Re-weight to ${r.weight} (about ${MAX_REPEATS} passes)`)));
  }));
  slot.hidden = repeats.length === 0;
}
