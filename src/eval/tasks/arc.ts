// ARC (allenai/ai2_arc): the harness's arc_easy.yaml, which arc_challenge includes.
//   doc_to_text   "Question: {{question}}\nAnswer:"
//   doc_to_choice choices.text;  doc_to_target choices.label.index(answerKey)
// Labels are usually A..E, but some rows use 1..5; answerKey is looked up among the row's own labels.
import { object, strList, text } from './fields';
import { RowError, type TaskDoc, type TaskFamily } from './task';

function fromRow(row: Record<string, unknown>): TaskDoc {
  const question = text(row, 'question');
  const choices = object(row, 'choices');
  const texts = strList(choices.text, 'choices.text');
  const labels = strList(choices.label, 'choices.label');
  if (labels.length !== texts.length) throw new RowError(`choices.label has ${labels.length} entries, choices.text ${texts.length}`);
  const key = row.answerKey;
  if (typeof key !== 'string' && typeof key !== 'number') throw new RowError('field "answerKey" must be a string');
  const gold = labels.indexOf(String(key));
  if (gold < 0) throw new RowError(`answerKey "${String(key)}" is not one of the labels ${labels.join(', ')}`);
  return { text: `Question: ${question}\nAnswer:`, choices: texts, gold };
}

const layout = 'question, choices.text, choices.label, answerKey';

// The Leaderboard runs ARC-Challenge 25-shot; ARC-Easy is not on it and follows the same setting.
export const arcChallenge: TaskFamily = { name: 'arc_challenge', layout, defaultShots: 25, accNorm: true, fromRow };
export const arcEasy: TaskFamily = { name: 'arc_easy', layout, defaultShots: 25, accNorm: true, fromRow };
