// The one shape every benchmark returns, and how `npm run bench` prints it.

export interface BenchTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  readonly note?: string;
}

const cell = (v: string | number): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3)) : v;

/** A Markdown table, so the output pastes straight into the README. */
export function formatTable(t: BenchTable): string {
  const lines = [`### ${t.title}`, '', `| ${t.columns.join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`];
  for (const r of t.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  if (t.note) lines.push('', t.note);
  return lines.join('\n');
}
