// Text requests from documents, as the harness's ConfigurableTask builds them for multiple_choice tasks
// without a chat template:
//   context = description + Σ over examples (text + " " + answer + "\n\n") + text
//   requests = [(context, " " + choice) for choice in choices]
// and for partial scoring (the harness's multiple input), an example is choices[gold] + " " + target and
// the requests are [(prefix + choice, " " + target) for choice in choices].
import type { TaskDoc } from './tasks/task';

/** The harness's ConfigurableTask defaults. */
export const TARGET_DELIMITER = ' ';
export const FEWSHOT_DELIMITER = '\n\n';

export interface TextRequest {
  readonly context: string;
  readonly continuation: string;
}

/** One document written as a solved example (question, delimiter, the right answer). */
export function fewshotExample(d: TaskDoc): string {
  if (d.partialTarget !== undefined) return d.choices[d.gold] + TARGET_DELIMITER + d.partialTarget + FEWSHOT_DELIMITER;
  return d.text + TARGET_DELIMITER + d.choices[d.gold] + FEWSHOT_DELIMITER;
}

/** The requests of `doc`, one per choice in choice order, after the given solved examples. */
export function textRequests(doc: TaskDoc, examples: readonly TaskDoc[]): TextRequest[] {
  const prefix = (doc.description ?? '') + examples.map(fewshotExample).join('');
  if (doc.partialTarget !== undefined) {
    const continuation = TARGET_DELIMITER + doc.partialTarget;
    return doc.choices.map((c) => ({ context: prefix + c, continuation }));
  }
  const context = prefix + doc.text;
  return doc.choices.map((c) => ({ context, continuation: TARGET_DELIMITER + c }));
}
