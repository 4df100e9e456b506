// HellaSwag (Rowan/hellaswag): the harness's hellaswag/utils.py.
//   query   = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize())
//   choices = [preprocess(e) for e in endings];  gold = int(label)
// preprocess strips, turns " [title]" into ". ", drops every other [bracketed] WikiHow artefact and then
// replaces double spaces once (Python's replace, not until none are left).
import { str, strList, index } from './fields';
import { pyCapitalize } from './py-string';
import type { TaskDoc, TaskFamily } from './task';

export function hellaswagPreprocess(text: string): string {
  return text.trim()
    .replaceAll(' [title]', '. ')
    .replace(/\[.*?\]/g, '') // as Python's re: non-greedy, "." stops at a newline
    .replaceAll('  ', ' ');
}

function fromRow(row: Record<string, unknown>): TaskDoc {
  const ctx = str(row, 'ctx_a') + ' ' + pyCapitalize(str(row, 'ctx_b'));
  const endings = strList(row.endings, 'endings');
  return {
    text: hellaswagPreprocess(str(row, 'activity_label') + ': ' + ctx),
    choices: endings.map(hellaswagPreprocess),
    gold: index(row, 'label', endings.length),
  };
}

export const hellaswag: TaskFamily = {
  name: 'hellaswag', layout: 'activity_label, ctx_a, ctx_b, endings, label', defaultShots: 10, accNorm: true, fromRow,
};
