// The data recipe of a run, summarised from the pipeline's report.json: the mixture, the tokenizer, which
// rules were on and what each removed, and the benchmarks the data was decontaminated against.
import type { PipelineReport } from '../data/report';
import type { DataRecipe } from './run-record';

export function recipeFromReport(report: PipelineReport): DataRecipe {
  const removedByRule: Record<string, number> = {};
  const enabled = new Set<string>();
  for (const s of report.sources) {
    for (const r of s.rules) {
      if (!r.enabled) continue;
      enabled.add(r.rule);
      // The length rule splits documents into pieces (after can exceed before): only a drop is a removal.
      const removed = Math.max(0, r.before.docs - r.after.docs);
      if (removed > 0) removedByRule[r.rule] = (removedByRule[r.rule] ?? 0) + removed;
    }
  }
  const order = report.sources[0]?.rules.map((r) => r.rule) ?? [];
  return {
    sources: report.mixture.map((m) => ({
      // Reports written before parts existed have none: their sources were all cleaned open data (D1).
      name: m.source, category: m.category, part: m.part ?? 'D1', weight: m.weight, share: m.share, tokens: m.tokens, records: m.records,
    })),
    tokenizer: { name: report.tokenizer.name, vocabSize: report.tokenizer.vocabSize },
    rulesEnabled: order.filter((r) => enabled.has(r)),
    decontaminatedAgainst: enabled.has('decontam') ? [...report.decontamination.benchmarkFiles] : [],
    documentsRead: report.totals.read.docs,
    documentsKept: report.totals.keptDocuments,
    removedByRule,
    tokens: report.totals.tokens,
  };
}

/** One line for a table cell: "moby-dick 70% + sotu 30%". */
export function describeMixture(recipe: DataRecipe | null): string {
  if (!recipe) return '(recipe unknown)';
  return recipe.sources.map((s) => `${s.name} ${Math.round(s.share * 100)}%`).join(' + ');
}

/** The HARE parts a mixture holds, by share: "D1 58% + D2 14% + D3 29%" (HARE's ablation compares D1, D1+D3, D1+D2+D3). */
export function describeParts(recipe: DataRecipe | null): string {
  if (!recipe) return '?';
  const byPart = new Map<string, number>();
  for (const s of recipe.sources) {
    if (s.share <= 0) continue;
    const part = s.part ?? 'D1';
    byPart.set(part, (byPart.get(part) ?? 0) + s.share);
  }
  return [...byPart].sort(([a], [b]) => a.localeCompare(b)).map(([p, share]) => `${p} ${Math.round(share * 100)}%`).join(' + ') || '—';
}
