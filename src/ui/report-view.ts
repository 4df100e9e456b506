// The pipeline's report, readable: totals, a row per source, what each rule removed (with examples of the
// removed text), input problems naming file and line, decontamination matches, and the mixture chart.
import { RULE_ORDER, type Counts, type PipelineReport, type RuleName } from '../data/report';
import { describeDocumentCounts } from '../data/report-counts';
import { formatCount, h } from './dom';
import { clusterView } from './cluster-view';
import { mixtureChart } from './mixture-chart';
import { describeGroup, groupProblems } from './problem-groups';

function table(head: string[], rows: (string | Node)[][], testid?: string): HTMLTableElement {
  // Wide tables scroll inside their card on narrow screens; a scrolling region must take focus to be scrolled by keyboard.
  return h('table', { 'data-testid': testid, tabindex: 0 },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
}

const docs = (c: Counts): string => formatCount(c.docs);

function ruleTotals(report: PipelineReport): Map<RuleName, { before: number; after: number; enabled: boolean }> {
  const out = new Map<RuleName, { before: number; after: number; enabled: boolean }>();
  for (const rule of RULE_ORDER) out.set(rule, { before: 0, after: 0, enabled: false });
  for (const s of report.sources) {
    for (const r of s.rules) {
      const t = out.get(r.rule)!;
      t.before += r.before.docs;
      t.after += r.after.docs;
      t.enabled ||= r.enabled;
    }
  }
  return out;
}

/** `mixtureNote`: what the page adds under the mixture chart (the repeat warnings and the person's choices). */
export function reportView(report: PipelineReport, mixtureNote?: Node): HTMLElement {
  const t = report.totals;
  const summary = h('p', { class: 'summary', 'data-testid': 'report-summary' },
    `${describeDocumentCounts({ read: t.read.docs, keptDocuments: t.keptDocuments, pieces: t.kept.docs }, formatCount)}; ` +
    `${formatCount(t.tokens)} tokens (${report.tokenizer.name}, vocabulary ${report.tokenizer.vocabSize}) in ` +
    `${formatCount(t.trainSequences)} training and ${formatCount(t.valSequences)} validation sequences of ${report.dataset.seqLen} tokens.`);

  // Reports saved by earlier versions have no keptDocuments: their column shows a dash.
  const sources = table(['source', 'category', 'files', 'documents read', 'documents kept', 'pieces kept', 'kept tokens (est.)', 'problems'],
    report.sources.map((s) => {
      const problems = Object.entries(s.problems).map(([k, n]) => `${k} ×${n}`).join(', ');
      const keptDocs = s.keptDocuments === undefined ? '–' : formatCount(s.keptDocuments);
      return [s.name, s.category, s.files.join(', '), docs(s.read), keptDocs, docs(s.kept), formatCount(s.kept.estTokens), problems || '–'];
    }), 'report-sources');

  const totals = ruleTotals(report);
  // The length rule splits long samples rather than removing them, so its "out" can exceed its "in", and
  // the rules after it count pieces, not documents.
  const rules = table(['rule', 'documents (pieces after length) in', 'removed', 'out'],
    RULE_ORDER.map((rule) => {
      const r = totals.get(rule)!;
      const change = r.before >= r.after ? formatCount(r.before - r.after) : `none (+${formatCount(r.after - r.before)} from splitting)`;
      return [rule + (r.enabled ? '' : ' (off)'), formatCount(r.before), change, formatCount(r.after)];
    }), 'report-rules');

  const examples = report.sources.flatMap((s) => s.rules.flatMap((r) => r.examples.map((e) =>
    h('li', {}, h('strong', {}, `${r.rule}`), ` · ${s.name} · ${e.file}:${e.line} · ${e.reason}`, h('blockquote', {}, e.text)))));

  // Grouped: 63 rows missing the same field are one line with ×63 and where, not 63 lines.
  const problemList = groupProblems(report.problems.list, report.problems.files).map((g) =>
    h('li', { 'data-testid': 'report-problem', 'data-file': g.file, 'data-count': g.count }, h('strong', {}, g.file), ` ${describeGroup(g, false)}`));
  const problemTotal = report.problems.files.reduce((n, f) => n + f.total, 0);
  // A source that read nothing fails the preparation: said first, in the words that fix it.
  const failed = report.sources.filter((s) => s.error).map((s) => h('li', { 'data-testid': 'report-error', 'data-source': s.name }, s.error!));

  const d = report.decontamination;
  const decontam = d.benchmarkFiles.length === 0
    ? h('p', {}, 'No benchmark files: nothing to decontaminate against.')
    : h('div', {},
      h('p', {}, `${d.benchmarkSamples} benchmark samples from ${d.benchmarkFiles.join(', ')}; ${d.removed} training samples removed.`),
      h('ul', { class: 'pairs' }, ...d.pairs.slice(0, 20).map((p) => h('li', {},
        `${p.source} · ${p.file}:${p.line} (${(p.rate * 100).toFixed(0)}% of ${p.n}-grams) matches ${p.benchmark.file}:${p.benchmark.line}`,
        h('blockquote', {}, p.excerpt)))));

  return h('div', { class: 'report', 'data-testid': 'report' },
    failed.length ? h('ul', { class: 'report-errors', role: 'alert' }, ...failed) : null,
    summary,
    h('h3', {}, 'Mixture'), mixtureChart(report.mixture), mixtureNote ?? null,
    h('h3', {}, 'Sources'), sources,
    h('h3', {}, 'Rules'), rules,
    h('details', {}, h('summary', {}, `Removed-text examples (${examples.length})`), h('ul', { class: 'examples' }, ...examples)),
    h('h3', {}, `Input problems (${formatCount(problemTotal)})`),
    problemList.length ? h('ul', { class: 'problems', 'data-testid': 'report-problems' }, ...problemList) : h('p', {}, 'None.'),
    h('h3', {}, 'Decontamination'), h('div', { 'data-testid': 'report-decontamination' }, decontam),
    // Present when the preparation asked for topic clusters (the Data panel's Topic clusters).
    report.diversity ? h('h3', {}, 'Topic clusters') : null, report.diversity ? clusterView(report.diversity) : null);
}
