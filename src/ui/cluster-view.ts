// The report's topic clusters (report.json's `diversity`): what the cap or flattening did, and per source a row
// per cluster with its size before and after, its top words and the three records nearest its centre, so a
// person sees what a source is about and which topic dominates it.
import type { DiversityReport } from '../data/diversity/cluster-pass';
import { formatCount, h } from './dom';

const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** Examples cut to two lines' worth: enough to tell the topics apart; report.json has them in full. */
const EXAMPLE_CHARS = 160;
const cut = (text: string): string => (text.length <= EXAMPLE_CHARS ? text : `${text.slice(0, EXAMPLE_CHARS).trimEnd()}…`);

export function clusterView(d: DiversityReport): HTMLElement {
  return h('div', { class: 'clusters', 'data-testid': 'report-clusters' },
    h('p', { 'data-testid': 'cluster-method' }, d.method),
    ...d.sources.map((s) => h('section', { 'data-testid': 'cluster-source', 'data-source': s.source },
      h('h4', {}, `${s.source}: ${s.clusters.length} clusters of ${formatCount(s.docs)} records (fitted on ${formatCount(s.sampled)}); ` +
        `${formatCount(s.keptDocs)} kept, ${formatCount(s.keptEstTokens)} of ${formatCount(s.estTokens)} tokens (est.)`),
      h('table', { tabindex: 0 },
        h('thead', {}, h('tr', {}, ...['cluster', 'records', 'share', 'kept', 'kept share', 'top words', 'examples'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...s.clusters.map((c) => h('tr', { 'data-testid': 'cluster-row', 'data-cluster': c.cluster },
          h('td', {}, String(c.cluster)), h('td', {}, formatCount(c.docs)), h('td', {}, percent(c.share)),
          h('td', {}, formatCount(c.keptDocs)), h('td', {}, percent(c.keptShare)),
          h('td', { 'data-testid': 'cluster-terms' }, c.terms.join(', ')),
          h('td', {}, h('ol', { class: 'cluster-examples' }, ...c.examples.slice(0, 3).map((e) => h('li', { 'data-testid': 'cluster-example' }, cut(e))))))))))));
}
