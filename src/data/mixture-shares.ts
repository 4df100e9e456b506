// The mixture's shares as the sampler will draw them: a source with no training sequence (no tokens at all,
// or fewer than one packed sequence, all held out for validation) is never drawn (sampler.ts skips it), so
// the report drops it from the mixture, says why, and renormalises the others' shares over what is in play.
// Before this, an empty source was listed with its full share of the weights and the others' shares were
// silently too small.

export interface ShareInput {
  weight: number;
  tokens: number;
  trainSequences: number;
}

export interface Share {
  /** Expected share of training tokens; 0 for a dropped source. */
  share: number;
  /** Why the source takes no part in training, or null when it does. */
  dropped: string | null;
}

export function sharesInPlay(rows: readonly ShareInput[], packLength: number): Share[] {
  const dropped = rows.map((r): string | null => {
    if (r.tokens === 0) return 'no tokens: dropped from the mixture';
    if (r.trainSequences === 0) {
      return `${r.tokens} tokens, not one training sequence of ${packLength} tokens: dropped from the mixture`;
    }
    if (r.weight <= 0) return 'weight 0: not drawn';
    return null;
  });
  const total = rows.reduce((n, r, i) => n + (dropped[i] === null ? r.weight : 0), 0);
  return rows.map((r, i) => ({ share: dropped[i] === null && total > 0 ? r.weight / total : 0, dropped: dropped[i] }));
}
