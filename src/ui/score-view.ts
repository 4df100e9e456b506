// An evaluation's results on the page: the table `npm run eval` prints (task, n, acc, acc_norm, standard
// errors) and a bar per task of the score it is compared by (acc_norm where the task has it, else acc).
import type { TaskScores } from '../eval/evaluate';
import { h } from './dom';

const num = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(4));

export function scoreTable(tasks: Readonly<Record<string, TaskScores>>): HTMLTableElement {
  const cols = ['task', 'n', 'acc', '± stderr', 'acc_norm', '± stderr'];
  return h('table', { class: 'scores', 'data-testid': 'eval-results' },
    h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...Object.entries(tasks).map(([name, s]) => h('tr', { 'data-task': name },
      h('th', { scope: 'row' }, name), h('td', {}, String(s.n)), h('td', {}, num(s.acc)), h('td', {}, num(s.acc_stderr)),
      h('td', {}, num(s.acc_norm)), h('td', {}, num(s.acc_norm_stderr))))));
}

/** Bars on a 0..1 scale, each labelled with its value; the chance level of a task is not drawn (it varies by row). */
export function scoreBars(tasks: Readonly<Record<string, TaskScores>>): HTMLElement {
  return h('figure', { class: 'score-bars', 'data-testid': 'eval-bars' },
    h('figcaption', {}, 'Score per task (acc_norm where the task has it, else acc)'),
    ...Object.entries(tasks).map(([name, s]) => {
      const v = s.acc_norm ?? s.acc;
      const pct = Number.isFinite(v) ? Math.max(0, Math.min(1, v)) * 100 : 0;
      return h('div', { class: 'bar-row', role: 'img', 'aria-label': `${name}: ${num(v)}` },
        h('span', { class: 'bar-name' }, name),
        h('span', { class: 'bar-track' }, h('span', { class: 'bar', style: `width: ${pct.toFixed(1)}%` })),
        h('span', { class: 'bar-value' }, num(v)));
    }));
}
