// Winogrande (allenai/winogrande): the harness's preprocess_winogrande.py, scored partially. Each option
// fills the blank and goes into the context; the continuation is the same for both: the text after "_".
//   contexts = [sentence[:i] + option1, sentence[:i] + option2]   (i = sentence.index("_"))
//   continuation = " " + sentence[i + 1:].strip();  gold = {"1": 0, "2": 1}[answer]
import { RowError, type TaskDoc, type TaskFamily } from './task';
import { index, text } from './fields';

function fromRow(row: Record<string, unknown>): TaskDoc {
  const sentence = text(row, 'sentence');
  const i = sentence.indexOf('_');
  if (i < 0) throw new RowError('field "sentence" has no "_" blank');
  const target = sentence.slice(i + 1).trim();
  if (target === '') throw new RowError('field "sentence" has no text after the "_" blank to score');
  const options = [text(row, 'option1'), text(row, 'option2')];
  return {
    text: '',
    choices: options.map((o) => sentence.slice(0, i) + o),
    gold: index(row, 'answer', 2, 1),
    partialTarget: target,
  };
}

export const winogrande: TaskFamily = {
  name: 'winogrande', layout: 'sentence, option1, option2, answer', defaultShots: 5, accNorm: false, fromRow,
};
