// The training mixture as horizontal bars: each source's share of training tokens (its normalised weight)
// beside the tokens it actually has, so a source too small for its weight (it will repeat) stands out.
import type { MixtureRow } from '../data/report';
import { formatCount, h } from './dom';

export function mixtureChart(rows: readonly MixtureRow[]): HTMLElement {
  const totalTokens = rows.reduce((n, r) => n + r.tokens, 0) || 1;
  const bars = rows.map((r) => {
    const share = r.share * 100;
    const have = (r.tokens / totalTokens) * 100;
    // The part (D1 open data, D2 synthetic, D3 task data) as report.json names it; reports from before parts say D1.
    const part = r.part ?? 'D1';
    return h('div', { class: 'bar-row', 'data-testid': 'mixture-row', 'data-source': r.source, 'data-part': part, 'data-dropped': r.dropped ? 'true' : null },
      h('span', { class: 'bar-label' }, `${r.source}`, h('small', {}, ` ${r.category} · `, h('span', { 'data-testid': 'mixture-part' }, part))),
      h('span', { class: 'bar-track', role: 'img', 'aria-label': `${r.source}: ${share.toFixed(1)}% of training tokens, ${have.toFixed(1)}% of the data` },
        h('span', { class: 'bar share', style: `width:${share.toFixed(2)}%` }),
        h('span', { class: 'bar have', style: `width:${have.toFixed(2)}%` })),
      h('span', { class: 'bar-value' }, `${share.toFixed(1)}% · ${formatCount(r.tokens)} tokens`),
      // Left out (no training sequence): said on its row, the other shares renormalised (mixture-shares.ts).
      r.dropped ? h('span', { class: 'bar-note warning', 'data-testid': 'mixture-dropped' }, `⚠ ${r.source}: ${r.dropped}; the other shares are renormalised.`) : null);
  });
  return h('div', { class: 'mixture-chart', 'data-testid': 'mixture-chart' },
    h('div', { class: 'legend' }, h('span', { class: 'swatch share' }), 'share of training (weight) ',
      h('span', { class: 'swatch have' }), 'share of the data (tokens)'),
    ...bars);
}
