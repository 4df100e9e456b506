// How a per-cluster cap or flattening is applied (the decision, written down):
// - It acts within a source, at the end of pass 1, by down-sampling records: the sampler already fixes each
//   source's share of training tokens by its weight, so what a source can change is how its own tokens
//   spread over its topics. Records are never repeated: a repeated record adds no topic, only copies of
//   text that dedup has just removed.
// - flatten α in [0, 1]: each cluster's target share is proportional to tokens^α (1 keeps the shares as
//   they are, 0 makes every cluster equal). cap F: no cluster above F of the source's tokens, the excess
//   spread over the others in proportion (water-filling); F under 1/k is raised to 1/k (all equal).
// - The source keeps as many tokens as the targets allow with no cluster up-sampled: the cluster that binds
//   keeps everything, the others keep target share x that total. Which records go is fixed by the seed:
//   a cluster's records in the order of hashUnit(seed, CLUSTER_SALT, source, index), kept while they fit.

export interface BalanceOptions {
  cap?: number;
  flatten?: number;
}

/** Target tokens per cluster (never above what the cluster has) for the cluster token counts given. */
export function clusterTargets(tokens: readonly number[], o: BalanceOptions): number[] {
  const live = tokens.map((t) => t > 0);
  const nLive = live.filter(Boolean).length;
  if (nLive === 0 || (o.cap === undefined && o.flatten === undefined)) return [...tokens];
  const alpha = o.flatten ?? 1;
  const base = tokens.map((t, i) => (live[i] ? Math.pow(t, alpha) : 0));
  let shares = normalise(base);
  if (o.cap !== undefined) {
    const cap = Math.max(o.cap, 1 / nLive);
    const capped = new Set<number>();
    for (;;) {
      const free = base.reduce((s, b, i) => (capped.has(i) ? s : s + b), 0);
      const lambda = (1 - capped.size * cap) / free;
      shares = base.map((b, i) => (capped.has(i) ? cap : b * lambda));
      const over = shares.findIndex((s, i) => !capped.has(i) && s > cap + 1e-12);
      if (over < 0) break;
      shares.forEach((s, i) => { if (s > cap + 1e-12) capped.add(i); });
    }
  }
  // The largest total the shares allow with no cluster asked for more than it has.
  let total = Infinity;
  for (let i = 0; i < tokens.length; i++) if (shares[i] > 0) total = Math.min(total, tokens[i] / shares[i]);
  // The 1e-9 keeps float rounding (99.99999999999997 for 100) from costing a binding cluster a record.
  return shares.map((s, i) => Math.min(tokens[i], s * total * (1 + 1e-9)));
}

function normalise(xs: number[]): number[] {
  const s = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => (s > 0 ? x / s : 0));
}
