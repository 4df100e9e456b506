// The table `npm run data` prints at the end: per source, what was read, what each rule took, what was kept.
import type { DiversityReport } from '../data/diversity/cluster-pass';
import type { PipelineReport } from '../data/report';
import { describeDocumentCounts } from '../data/report-counts';
import type { SftReport } from '../data/sft/sft-pass';

/** Cluster sizes per source, before and after a cap or flattening, with top words and one example. */
function clusterLines(d: DiversityReport): string[] {
  const out = [`Topic clusters (${d.clusters} per source; ${d.method}):`];
  for (const s of d.sources) {
    out.push(`  ${s.source}: ${n(s.docs)} pieces in ${s.clusters.length} clusters (fitted on ${n(s.sampled)}), ${n(s.keptDocs)} kept`);
    for (const c of s.clusters) {
      const kept = d.cap !== null || d.flatten !== null ? ` -> ${(c.keptShare * 100).toFixed(1)}% (${n(c.keptDocs)} kept)` : '';
      const example = c.examples[0] ? `  e.g. "${c.examples[0].slice(0, 70).replace(/\s+/g, ' ')}"` : '';
      out.push(`    #${c.cluster} ${n(c.docs)} pieces, ${(c.share * 100).toFixed(1)}% of tokens${kept}; ${c.terms.join(' ')}${example}`);
    }
  }
  return out;
}

/** Per SFT source: rows, examples, what was skipped or removed, and the tokens the loss counts and does not. */
function sftLines(r: SftReport): string[] {
  const out = [`SFT sources (template: ${r.template}; ${r.rules}):`];
  out.push(table(['source', 'rows', 'examples', 'bad rows', 'too long', 'duplicates', 'contaminated', 'learned tokens', 'masked tokens', 'padding'],
    r.sources.map((s) => [s.name, n(s.rows), n(s.examples), n(s.skipped), n(s.tooLong), n(s.duplicates), n(s.contaminated),
      n(s.learnedTokens), n(s.maskedTokens), n(s.padTokens)])));
  for (const p of r.problems.slice(0, 5)) out.push(`  ${p.file}:${p.line}: ${p.message}`);
  if (r.problems.length > 5) out.push(`  ... ${n(r.problems.length - 5)} more bad rows in report.json (sft.problems)`);
  return out;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const n = (x: number) => x.toLocaleString('en-US');

export function summarize(report: PipelineReport): string {
  const rules = report.sources[0]?.rules.map((r) => r.rule) ?? [];
  const sourceRows = report.sources.map((s) => [
    s.name, s.category, n(s.read.docs),
    ...s.rules.map((r) => (r.after.docs === r.before.docs ? '·' : `${r.after.docs > r.before.docs ? '+' : '-'}${n(Math.abs(r.before.docs - r.after.docs))}`)),
    n(s.keptDocuments), n(s.kept.docs), `${((s.kept.chars / Math.max(1, s.read.chars)) * 100).toFixed(1)}%`,
  ]);
  const t = report.totals;
  // Only SFT sources: no document went through the cleaning rules, and their own table follows below.
  const documents = report.sources.length === 0 ? [] : [
    `${describeDocumentCounts({ read: t.read.docs, keptDocuments: t.keptDocuments, pieces: t.kept.docs }, n)}.`,
    '',
    `Documents by source and rule (· = none removed; length splits long documents into pieces, so its column`,
    `adds pieces and the rules after it count pieces):`,
    table(['source', 'category', 'docs read', ...rules, 'docs kept', 'pieces kept', 'chars kept'], sourceRows),
    '',
  ];
  const parts = [
    ...documents,
    `Mixture (${report.tokenizer.name}, vocabulary ${n(report.tokenizer.vocabSize)}, sequences of ${report.dataset.packLength} tokens):`,
    table(['source', 'part', 'weight', 'share', 'pieces', 'tokens', 'train seqs', 'val seqs'], report.mixture.map((m) => [
      m.source, m.part ?? 'D1', String(m.weight), `${(m.share * 100).toFixed(1)}%`, n(m.records), n(m.tokens), n(m.trainSequences), n(m.valSequences),
    ])),
  ];
  // Left out of the mixture (shares renormalised over the rest), and sources that read nothing at all.
  for (const m of report.mixture) if (m.dropped) parts.push(`  ${m.source}: ${m.dropped}`);
  for (const s of report.sources) if (s.error) parts.push('', `Error: ${s.error}`);
  for (const s of report.sources) {
    if (!s.task) continue;
    const used = s.task.templateCounts.map((c, i) => `#${i + 1} ${n(c)}`).join(', ');
    parts.push('', `Task source ${s.name} (${s.task.layout}): ${n(s.task.rendered)} rows rendered, ${n(s.task.skipped)} skipped; templates used ${used}.`);
    for (const [file, f] of Object.entries(s.task.fields)) parts.push(`  ${file}: ${Object.entries(f).map(([r, v]) => `${r}=${v}`).join(', ')}`);
  }
  if (report.sft) parts.push('', ...sftLines(report.sft));
  if (report.diversity) parts.push('', ...clusterLines(report.diversity));
  const problems = Object.entries(report.problems.counts);
  if (problems.length > 0) {
    parts.push('', `Input problems: ${problems.map(([k, c]) => `${k} ${n(c)}`).join(', ')}`);
    for (const p of report.problems.list.slice(0, 5)) parts.push(`  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.kind}: ${p.message}`);
  }
  if (report.decontamination.benchmarkSamples > 0) {
    parts.push('', `Decontamination: ${n(report.decontamination.benchmarkSamples)} benchmark samples indexed, ${n(report.decontamination.removed)} training samples removed.`);
  }
  return parts.join('\n');
}
