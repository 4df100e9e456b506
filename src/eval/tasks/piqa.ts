// PIQA: the harness's piqa.yaml.
//   doc_to_text "Question: {{goal}}\nAnswer:";  doc_to_choice [sol1, sol2];  doc_to_target label
import type { TaskDoc, TaskFamily } from './task';
import { index, text } from './fields';

function fromRow(row: Record<string, unknown>): TaskDoc {
  return {
    text: `Question: ${text(row, 'goal')}\nAnswer:`,
    choices: [text(row, 'sol1'), text(row, 'sol2')],
    gold: index(row, 'label', 2),
  };
}

// Not on the Leaderboard; the harness's own default is zero-shot.
export const piqa: TaskFamily = { name: 'piqa', layout: 'goal, sol1, sol2, label', defaultShots: 0, accNorm: true, fromRow };
