// D3 in HARE's sense: NLP task datasets rewritten as natural-language samples. A task source names one
// layout; each layout has roles (the parts a template talks about), each role a list of field names the
// common Hugging Face datasets use for it, tried in order on the file's first row (detect.ts).

export const TASK_LAYOUTS = ['mc', 'qa', 'cloze', 'summary', 'nli', 'classification'] as const;
export type TaskLayout = (typeof TASK_LAYOUTS)[number];

export function isTaskLayout(s: string): s is TaskLayout {
  return (TASK_LAYOUTS as readonly string[]).includes(s);
}

/** Which mixture part a source belongs to: D1 cleaned open data, D2 synthetic, D3 rewritten task data. */
export type DataPart = 'D1' | 'D2' | 'D3';
export const DATA_PARTS: readonly DataPart[] = ['D1', 'D2', 'D3'];

/** A role: a name templates use, whether a row may lack it, and the field names recognised for it. */
export interface Role {
  readonly name: string;
  readonly optional?: boolean;
  readonly candidates: readonly string[];
}

/**
 * Field names per layout and role, from the datasets the layout is meant for:
 *   mc              ARC / CommonsenseQA / OpenBookQA (question | question_stem, choices.text, choices.label,
 *                   answerKey), MMLU (question, choices, answer as an index, subject), HellaSwag (ctx, endings,
 *                   label), PIQA (goal, sol1/sol2, label: numbered fields, see detect.ts)
 *   qa              SQuAD (context, question, answers.text), TriviaQA / NQ-style (question, answer)
 *   cloze           Winogrande (sentence with "_", option1/option2, answer 1-based), LAMBADA (text: last word)
 *   summary         CNN/DailyMail (article, highlights), XSum (document, summary), SAMSum (dialogue, summary)
 *   nli             SNLI / MNLI (premise, hypothesis, label 0..2), RTE / GLUE (sentence1, sentence2, label)
 *   classification  AG News / IMDB / SST-2 (text | sentence, label), TREC (text, coarse_label)
 */
export const LAYOUT_ROLES: Readonly<Record<TaskLayout, readonly Role[]>> = {
  mc: [
    { name: 'question', candidates: ['question', 'question_stem', 'query', 'goal', 'ctx', 'stem', 'prompt'] },
    { name: 'choices', candidates: ['choices.text', 'choices', 'endings', 'options', 'mc1_targets.choices'] },
    { name: 'answer', candidates: ['answerKey', 'answer', 'label', 'gold', 'correct'] },
    { name: 'subject', optional: true, candidates: ['subject', 'category', 'activity_label'] },
    { name: 'fact', optional: true, candidates: ['fact1', 'support', 'context'] },
  ],
  qa: [
    { name: 'question', candidates: ['question', 'query', 'questions', 'input'] },
    { name: 'answer', candidates: ['answers.text', 'answer', 'answers', 'answer.value', 'answer.text', 'output', 'response', 'target'] },
    { name: 'context', optional: true, candidates: ['context', 'passage', 'paragraph', 'story', 'document', 'article'] },
    { name: 'title', optional: true, candidates: ['title'] },
  ],
  cloze: [
    { name: 'text', candidates: ['sentence', 'text', 'passage', 'context', 'question'] },
    { name: 'answer', optional: true, candidates: ['answer', 'target', 'label', 'word'] },
  ],
  summary: [
    { name: 'document', candidates: ['article', 'document', 'dialogue', 'text', 'content', 'source', 'input'] },
    { name: 'summary', candidates: ['highlights', 'summary', 'abstract', 'headline', 'target', 'output'] },
    { name: 'title', optional: true, candidates: ['title'] },
  ],
  nli: [
    { name: 'premise', candidates: ['premise', 'sentence1', 'text1', 'context'] },
    { name: 'hypothesis', candidates: ['hypothesis', 'sentence2', 'text2'] },
    { name: 'label', candidates: ['label', 'gold_label', 'labels'] },
  ],
  classification: [
    { name: 'text', candidates: ['text', 'sentence', 'content', 'review', 'document', 'description', 'title'] },
    { name: 'label', candidates: ['label_text', 'label', 'coarse_label', 'category', 'class', 'labels', 'sentiment'] },
  ],
};

/** Default names for numeric labels: SNLI/MNLI's order. Classification has none (AG News and IMDB differ). */
export const NLI_LABELS: readonly string[] = ['entailment', 'neutral', 'contradiction'];

/** What a source's task reading is told; everything else is detected from its first row. */
export interface TaskSpec {
  layout: TaskLayout;
  /** Role -> field path (dotted allowed), overriding detection. */
  fields?: Readonly<Record<string, string>>;
  /** Names for numeric labels (nli, classification; for mc, the answer letters), index 0 first. */
  labels?: readonly string[];
  /** Jinja templates replacing the layout's defaults (templates.ts); one is chosen per row by the seed. */
  templates?: readonly string[];
}
