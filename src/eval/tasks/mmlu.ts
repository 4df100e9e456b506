// MMLU (cais/mmlu): the harness's mmlu/default/_default_template_yaml with each subject's description.
//   description   "The following are multiple choice questions (with answers) about {subject, _ as spaces}.\n\n"
//   doc_to_text   "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:"
//   doc_to_choice ["A", "B", "C", "D"] (so the continuations are " A".." D");  doc_to_target answer
// The harness takes MMLU's few-shot examples from the subject's dev split; here they come from rows of
// the same subject.
import { RowError, type TaskDoc, type TaskFamily } from './task';
import { index, strList, text } from './fields';

const LETTERS = ['A', 'B', 'C', 'D'];

function fromRow(row: Record<string, unknown>): TaskDoc {
  const question = text(row, 'question');
  const subject = text(row, 'subject');
  const choices = strList(row.choices, 'choices', 4);
  if (choices.length !== 4) throw new RowError(`field "choices" has ${choices.length} entries, MMLU has 4`);
  const lines = choices.map((c, k) => `\n${LETTERS[k]}. ${c}`).join('');
  return {
    text: `${question.trim()}${lines}\nAnswer:`,
    choices: LETTERS,
    gold: index(row, 'answer', 4),
    description: `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`,
    group: subject,
  };
}

export const mmlu: TaskFamily = {
  name: 'mmlu', layout: 'question, subject, choices (4), answer', defaultShots: 5, accNorm: false, fromRow,
};
