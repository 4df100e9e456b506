// The user's own multiple-choice benchmark: `context` (may be empty), `choices`, `gold` (0-based). Scored
// as the harness scores any multiple_choice task: each choice is the continuation " " + choice.
import type { TaskDoc, TaskFamily } from './task';
import { index, str, strList } from './fields';

function fromRow(row: Record<string, unknown>): TaskDoc {
  const choices = strList(row.choices, 'choices');
  return { text: str(row, 'context'), choices, gold: index(row, 'gold', choices.length) };
}

export const mc: TaskFamily = { name: 'mc', layout: 'context, choices, gold', defaultShots: 0, accNorm: true, fromRow };
